"""The programme's ten requirements and the best-practice items, as data; statuses and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field

MET, AT_RISK, NOT_MET, NOT_EVALUATED = "met", "at_risk", "not_met", "not_evaluated"
STATUS_LABELS = {MET: "met", AT_RISK: "at risk", NOT_MET: "not met", NOT_EVALUATED: "not evaluated"}
SLIPPED = frozenset({AT_RISK, NOT_MET})


@dataclass(frozen=True)
class Item:
    """One row of the board: a requirement (``req.*``) or a best-practice item (``bp.*``)."""

    key: str
    number: str
    title: str
    summary: str
    human: bool = False  # evidence comes from an admin's confirmation, not from data

    @property
    def is_requirement(self) -> bool:
        return self.key.startswith("req.")


@dataclass(frozen=True)
class Finding:
    """What an evaluation found: a status, a one-line reason, evidence lines and example links."""

    status: str
    reason: str
    evidence: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


REQUIREMENTS: tuple[Item, ...] = (
    Item("req.api", "1", "Integrate a DataCite API",
         "The REST API is in use (client calls in the last 30 days) and the User-Agent carries a mailto."),
    Item("req.dois", "2", "Findable production DOIs",
         "Findable DOIs registered in production through the integration, in the evidence window."),
    Item("req.schema", "3", "Metadata Schema support plan",
         "A plan and timeline for supporting the newest DataCite Metadata Schema version."),
    Item("req.credentials", "4", "Secure credential management",
         "Repository credentials held only in the encrypted vault and handed over through secure links."),
    Item("req.best_practices", "5", "Follow the best practices",
         "Best effort on DataCite's best practices for integrators and DOI registration (items below)."),
    Item("req.badge", "6", "Display the RSP badge", "The badge DataCite supplies is shown on the public site."),
    Item("req.support", "7", "First-line support",
         "Tickets answered within their SLA in the last 90 days; escalation to DataCite support when needed."),
    Item("req.contact", "8", "Designated contact",
         "A designated contact with active agents; DataCite staff requests answered within target."),
    Item("req.profile", "9", "Service information for the listing", "A current service profile for DataCite."),
    Item("req.docs", "10", "Integration documentation",
         "Integration documentation published and reviewed recently."),
)

BEST_PRACTICES: tuple[Item, ...] = (
    Item("bp.user_agent", "BP1", "Identify yourself", "Scripted traffic sends a User-Agent with a URL and a mailto."),
    Item("bp.test_system", "BP2", "Test on the test system",
         "Calls to DataCite's test system (or the offline sandbox) in the last 90 days."),
    Item("bp.rate_limits", "BP3", "Respect rate limits",
         "Configured request rates stay under DataCite's limits (3,000 / 5 min production, 750 / 5 min test)."),
    Item("bp.errors", "BP4", "Handle errors with exponential backoff",
         "4xx fixed before resending; 5xx retried with growing delays.", human=True),
    Item("bp.drafts", "BP5", "Reserve DOIs as drafts or locally",
         "Drafts (or local reservation) before publishing; register when the record is published.", human=True),
    Item("bp.updates", "BP6", "Update promptly and only when needed",
         "Metadata changes sent soon after local edits; full resync at most once a day.", human=True),
    Item("bp.registration", "BP7", "Best practices for DOI registration",
         "Opaque suffixes, DOIs displayed as https://doi.org links, landing and tombstone pages.", human=True),
    Item("bp.fabrica", "BP8", "Advise customers on Fabrica settings",
         "Customers advised to record the repository software (and re3data record) in Fabrica.", human=True),
)

ITEMS: tuple[Item, ...] = REQUIREMENTS + BEST_PRACTICES
BY_KEY = {item.key: item for item in ITEMS}


def item_for(key: str) -> Item | None:
    """The board row with this key, or None."""
    return BY_KEY.get(key)
