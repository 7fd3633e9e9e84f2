"""The application steps as a timeline: each with a date, the people involved and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import ProgrammeStep, User

STEPS: tuple[tuple[str, str], ...] = (
    ("interest", "Expressed interest"),
    ("requirements_met", "Requirements met"),
    ("call_scheduled", "Verification call scheduled"),
    ("call_held", "Verification call held"),
    ("form_completed", "Registration form completed"),
    ("form_signed", "Registration form signed"),
    ("listed", "Listed and badge received"),
)
STEP_TITLES = dict(STEPS)
LISTED = "listed"


@dataclass(frozen=True)
class StepView:
    """A step of the timeline with what is recorded about it (``row`` is None when nothing is yet)."""

    key: str
    title: str
    row: ProgrammeStep | None

    @property
    def done(self) -> bool:
        return self.row is not None and self.row.happened_on is not None


def step_title(key: str) -> str:
    """The step's title, or NotFound for an unknown key."""
    if key not in STEP_TITLES:
        raise NotFound("There is no such programme step.")
    return STEP_TITLES[key]


def get_step(session: Session, key: str) -> ProgrammeStep | None:
    """The recorded step, if any."""
    return session.exec(select(ProgrammeStep).where(ProgrammeStep.key == key)).first()


def timeline(session: Session) -> list[StepView]:
    """Every step in programme order, with what is recorded."""
    rows = {row.key: row for row in session.exec(select(ProgrammeStep)).all()}
    return [StepView(key, title, rows.get(key)) for key, title in STEPS]


def is_listed(session: Session, *, today: date) -> bool:
    """True while the "listed and badge received" step has a date on or before today."""
    row = get_step(session, LISTED)
    return row is not None and row.happened_on is not None and row.happened_on <= today


def programme_status(session: Session, *, today: date) -> str:
    """The furthest step reached by today, in words ("Not started" when none)."""
    reached = [view.title for view in timeline(session)
               if view.done and view.row is not None and view.row.happened_on <= today]  # type: ignore[operator]
    return reached[-1] if reached else "Not started"


def save_step(session: Session, *, key: str, happened_on: date | None, people: str, notes: str, actor: User,
              now: datetime, ip: str = "") -> ProgrammeStep:
    """Record a step's date, people and notes (an empty date means not reached)."""
    step_title(key)
    errors: dict[str, str] = {}
    if len(people) > 500:
        errors["people"] = "Keep the list of people under 500 characters."
    if len(notes) > 20_000:
        errors["notes"] = "Keep the notes under 20,000 characters."
    if happened_on is not None and key != "call_scheduled" and happened_on > now.date():
        errors["happened_on"] = "This step cannot be in the future; only the verification call is scheduled ahead."
    if errors:
        raise ValidationFailed(errors)
    row = get_step(session, key) or ProgrammeStep(key=key)
    row.happened_on, row.people, row.notes = happened_on, people.strip(), notes.strip()
    row.updated_at, row.updated_by_id = now, actor.id
    session.add(row)
    session.flush()
    audit.record(session, "programme.step", actor=actor, target=row, ip=ip,
                 detail={"step": key, "date": happened_on.isoformat() if happened_on else ""})
    session.commit()
    return row
