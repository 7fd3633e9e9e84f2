"""The verification call pack: what DataCite asks to see on the call, gathered on one printable page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.models import User
from portal.services.programme.board import BoardRow, board_rows
from portal.services.programme.steps import get_step, programme_status
from portal.services.staff.contact import get_contact

EXAMPLE_DOIS = 10


@dataclass(frozen=True)
class ExampleDoi:
    doi: str
    url: str
    landing_page: str
    organisation: str
    repository: str
    registered: datetime | None


@dataclass
class CallPack:
    """Everything the pack page shows."""

    generated_at: datetime
    status: str
    examples: list[ExampleDoi]
    examples_note: str
    demo_notes: str
    call_date: str
    call_people: str
    docs: list[tuple[str, str]]
    contact_email: str
    contact_people: list[str]
    site_contact: str
    rows: list[BoardRow] = field(default_factory=list)


def _examples(session: Session) -> tuple[list[ExampleDoi], str]:
    try:
        from portal.services.checks.evidence import findable_production_dois
    except ImportError:  # the scheduled checks are not part of this build
        return [], "Not evaluated: the scheduled DOI checks are not part of this build."
    found = findable_production_dois(session, limit=EXAMPLE_DOIS)
    examples = [ExampleDoi(doi=e.doi, url=f"https://doi.org/{e.doi}", landing_page=e.url,
                           organisation=e.organisation_name, repository=e.repository_symbol, registered=e.registered)
                for e in found]
    return examples, "" if examples else "No findable production DOI has been seen by the checks yet."


def _docs(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    from portal.services.docs import library_for

    base = str(config.get("BASE_URL", "")).rstrip("/")
    snapshot = library_for(config["DOCS_CONTENT_DIR"]).snapshot()
    return [(page.title, f"{base}/docs/{page.slug}" if page.slug != "index" else f"{base}/docs/")
            for page in snapshot.visible("anonymous")]


def call_pack(session: Session, *, now: datetime, config: Mapping[str, Any]) -> CallPack:
    """Example findable DOIs, demo notes, documentation links and contact details, as they are now."""
    examples, note = _examples(session)
    contact = get_contact(session)
    people: list[str] = []
    if contact is not None:
        for label, user_id in (("primary", contact.primary_agent_id), ("backup", contact.backup_agent_id)):
            user = session.get(User, user_id) if user_id else None
            if user is not None:
                people.append(f"{user.name} <{user.email}> ({label})")
    scheduled, held = get_step(session, "call_scheduled"), get_step(session, "call_held")
    demo = "\n\n".join(n for n in ((scheduled.notes if scheduled else ""), (held.notes if held else "")) if n)
    return CallPack(
        generated_at=now, status=programme_status(session, today=now.date()), examples=examples,
        examples_note=note, demo_notes=demo,
        call_date=scheduled.happened_on.isoformat() if scheduled and scheduled.happened_on else "",
        call_people=scheduled.people if scheduled else "", docs=_docs(config),
        contact_email=contact.email if contact else "", contact_people=people,
        site_contact=str(config.get("CONTACT_EMAIL", "")), rows=board_rows(session),
    )
