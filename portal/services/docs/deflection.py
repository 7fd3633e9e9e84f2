"""Whether suggested articles solve problems before a ticket is filed (the deflection rate).

One *interaction* is one person describing one problem: the suggestions shown to them, the
articles they opened, and whether they said an article solved it or filed the ticket anyway.
We keep a hash of what they typed and a short excerpt of the subject, not the whole text.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from portal.errors import NotFound, ValidationFailed
from portal.models import DocSuggestionEvent, SuggestionOutcome

INTERACTION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
EXCERPT_CHARS = 80


def new_interaction() -> str:
    """A fresh, unguessable interaction token."""
    return secrets.token_urlsafe(16)


def query_hash(subject: str, error_text: str) -> str:
    """SHA-256 of the normalised subject and error text (to count repeats without keeping the text)."""
    normalised = " ".join(f"{subject}\n{error_text}".lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def record_suggestion_event(
    session: Session,
    *,
    interaction: str,
    outcome: str,
    user_id: int | None,
    now: datetime,
    slugs: Iterable[str] = (),
    slug: str = "",
    subject: str = "",
    error_text: str = "",
    error_class: str = "",
    failure_key: str = "",
) -> DocSuggestionEvent:
    """Record what happened to an interaction's suggestions; another person's interaction is refused."""
    if not INTERACTION_PATTERN.match(interaction or ""):
        raise ValidationFailed({"interaction": "This is not a suggestion reference."})
    if outcome not in SuggestionOutcome.__members__.values():
        raise ValidationFailed({"outcome": f"Outcome must be one of {', '.join(o.value for o in SuggestionOutcome)}."})
    owners = set(session.exec(select(DocSuggestionEvent.user_id)
                              .where(DocSuggestionEvent.interaction == interaction).distinct()).all())
    if owners and owners != {user_id}:
        raise NotFound("No such suggestion.")
    shown = ",".join(dict.fromkeys(s for s in slugs if s))[:1000]
    event = DocSuggestionEvent(
        created_at=now, interaction=interaction, user_id=user_id, outcome=str(outcome), slugs=shown,
        slug=slug[:120], error_class=error_class[:40], failure_key=failure_key[:40],
        query_hash=query_hash(subject, error_text) if (subject or error_text) else "",
        excerpt=" ".join(subject.split())[:EXCERPT_CHARS],
    )
    session.add(event)
    session.commit()
    return event


@dataclass(frozen=True)
class DeflectionStats:
    """Interactions with suggestions shown since a date, and what became of them."""

    shown: int
    opened: int
    solved: int  # said an article solved it and did not file a ticket
    filed: int

    @property
    def rate(self) -> float:
        """Share of interactions solved without filing (0.0 when nothing was shown)."""
        return self.solved / self.shown if self.shown else 0.0

    @property
    def percent(self) -> str:
        return f"{self.rate * 100:.0f} %"


def deflection_stats(session: Session, *, since: datetime, until: datetime | None = None) -> DeflectionStats:
    """Counts over the interactions whose suggestions were first shown in [since, until)."""
    query = select(DocSuggestionEvent.interaction).where(DocSuggestionEvent.outcome == SuggestionOutcome.shown,
                                                         col(DocSuggestionEvent.created_at) >= since)
    if until is not None:
        query = query.where(col(DocSuggestionEvent.created_at) < until)
    outcomes: dict[str, set[str]] = defaultdict(set)
    rows = session.exec(select(DocSuggestionEvent.interaction, DocSuggestionEvent.outcome)
                        .where(col(DocSuggestionEvent.interaction).in_(query)).distinct()).all()
    for interaction, outcome in rows:
        outcomes[interaction].add(outcome)
    filed = sum(1 for o in outcomes.values() if SuggestionOutcome.filed in o)
    solved = sum(1 for o in outcomes.values() if SuggestionOutcome.solved in o and SuggestionOutcome.filed not in o)
    opened = sum(1 for o in outcomes.values() if SuggestionOutcome.opened in o or SuggestionOutcome.solved in o)
    return DeflectionStats(shown=len(outcomes), opened=opened, solved=solved, filed=filed)
