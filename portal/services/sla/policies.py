"""SLA policies: which targets apply to a ticket, and validated, audited edits of the policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import BusinessCalendar, Organisation, SlaPolicy, User
from portal.models.sla import SLA_PRIORITIES
from portal.services.sla.business_time import CalendarError
from portal.services.sla.calendars import calendar_spec
from portal.services.sla.clocks import Targets
from portal.services.sla.durations import DurationError, format_duration, parse_duration

__all__ = [
    "PolicyInput", "PolicyRow", "calendar_spec", "create_policy", "delete_policy", "get_policy", "list_policies",
    "policy_for", "target_texts", "targets_of", "update_policy",
]

TARGET_FIELDS = (("first_response", "first_response_minutes"), ("next_update", "next_update_minutes"),
                 ("resolution", "resolution_minutes"))
DEFAULT_DAY_MINUTES = 480


@dataclass
class PolicyInput:
    """A policy as a form gives it; targets are texts like "4h" or "2 business days", blank for none."""

    name: str
    priority: str
    calendar_id: int | None
    organisation_id: int | None = None
    first_response: str = ""
    next_update: str = ""
    resolution: str = ""
    active: bool = True


@dataclass
class PolicyRow:
    policy: SlaPolicy
    calendar: BusinessCalendar
    organisation: Organisation | None
    targets: dict[str, str]


def policy_for(session: Session, *, priority: str, organisation_id: int | None) -> SlaPolicy | None:
    """The active policy for a ticket: the organisation's own for this priority, else the general one."""
    candidates = session.exec(
        select(SlaPolicy).where(SlaPolicy.priority == priority, SlaPolicy.active.is_(True))  # type: ignore[attr-defined]
        .order_by(SlaPolicy.id)
    ).all()
    own = [p for p in candidates if organisation_id is not None and p.organisation_id == organisation_id]
    general = [p for p in candidates if p.organisation_id is None]
    return (own or general or [None])[0]


def targets_of(policy: SlaPolicy | None) -> Targets:
    """The clock targets of a policy; no policy means no targets."""
    if policy is None:
        return Targets()
    return Targets(policy.first_response_minutes, policy.next_update_minutes, policy.resolution_minutes)


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    """A policy by id, or NotFound."""
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound("No such SLA policy.")
    return policy


def _day_minutes(session: Session, calendar_id: int | None) -> int:
    if calendar_id is None:
        return DEFAULT_DAY_MINUTES
    try:
        return calendar_spec(session, calendar_id).day_minutes
    except (NotFound, CalendarError):
        return DEFAULT_DAY_MINUTES


def target_texts(session: Session, policy: SlaPolicy) -> dict[str, str]:
    """The policy's targets as people read them ("4 h", "2 business days"); "" for none."""
    day = _day_minutes(session, policy.calendar_id)
    return {key: format_duration(getattr(policy, column), day_minutes=day) for key, column in TARGET_FIELDS}


def list_policies(session: Session) -> list[PolicyRow]:
    """Every policy, general ones first, then by priority (most urgent first) and name."""
    calendars = {c.id: c for c in session.exec(select(BusinessCalendar)).all()}
    orgs = {o.id: o for o in session.exec(select(Organisation).where(
        Organisation.id.in_(select(SlaPolicy.organisation_id)))).all()}  # type: ignore[union-attr]
    rank = {p: -i for i, p in enumerate(SLA_PRIORITIES)}
    policies = sorted(session.exec(select(SlaPolicy)).all(),
                      key=lambda p: (p.organisation_id is not None, orgs[p.organisation_id].name if p.organisation_id
                                     else "", rank.get(p.priority, 0), p.name.lower()))
    return [PolicyRow(p, calendars[p.calendar_id], orgs.get(p.organisation_id), target_texts(session, p))
            for p in policies]


def _validate(session: Session, data: PolicyInput, existing: SlaPolicy | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Give the policy a name, for example Urgent (standard)."
    elif len(name) > 100:
        errors["name"] = "Use at most 100 characters."
    else:
        clash = session.exec(select(SlaPolicy).where(func.lower(SlaPolicy.name) == name.lower())).first()
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = "Another policy already has this name."
    if data.priority not in SLA_PRIORITIES:
        errors["priority"] = f"Choose one of the priorities: {', '.join(SLA_PRIORITIES)}."
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        errors["organisation_id"] = "Choose a member organisation from the list, or none for all members."
    if data.calendar_id is None or session.get(BusinessCalendar, data.calendar_id) is None:
        errors["calendar_id"] = "Choose the business calendar the targets count on."
    day = _day_minutes(session, data.calendar_id)
    minutes: dict[str, int | None] = {}
    for key, column in TARGET_FIELDS:
        try:
            minutes[column] = parse_duration(getattr(data, key), day_minutes=day)
        except DurationError as exc:
            errors[key] = str(exc)
    if not errors and all(v is None for v in minutes.values()):
        errors["first_response"] = "Give at least one target; a policy without targets changes nothing."
    first, resolution = minutes.get("first_response_minutes"), minutes.get("resolution_minutes")
    if first is not None and resolution is not None and first > resolution and "first_response" not in errors:
        errors["first_response"] = "The first response cannot be due after the resolution."
    if data.active and "priority" not in errors and "organisation_id" not in errors:
        rival = session.exec(select(SlaPolicy).where(
            SlaPolicy.priority == data.priority, SlaPolicy.active.is_(True),  # type: ignore[attr-defined]
            SlaPolicy.organisation_id.is_(None) if data.organisation_id is None  # type: ignore[union-attr]
            else SlaPolicy.organisation_id == data.organisation_id)).first()
        if rival is not None and (existing is None or rival.id != existing.id):
            whose = "this organisation's" if data.organisation_id is not None else "all members'"
            errors["priority"] = (f"The active policy {rival.name!r} already covers {whose} {data.priority} tickets: "
                                  "deactivate it or edit it instead.")
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "priority": data.priority, "organisation_id": data.organisation_id,
            "calendar_id": data.calendar_id, "active": data.active, **minutes}


def create_policy(session: Session, data: PolicyInput, *, actor: User | None, ip: str = "",
                  now: datetime) -> SlaPolicy:
    """A new policy; every invalid field is reported at once (ValidationFailed)."""
    values = _validate(session, data, None)
    policy = SlaPolicy(**values, created_at=now, updated_at=now)
    session.add(policy)
    session.flush()
    audit.record(session, "sla_policy.create", actor=actor, target=policy, detail=values, ip=ip)
    session.commit()
    return policy


def update_policy(session: Session, policy: SlaPolicy, data: PolicyInput, *, actor: User | None, ip: str = "",
                  now: datetime) -> tuple[SlaPolicy, dict[str, Any]]:
    """Edit a policy; returns the changes. Tickets keep their clocks until the ticket service re-applies targets."""
    values = _validate(session, data, policy)
    changes = {k: [getattr(policy, k), v] for k, v in values.items() if getattr(policy, k) != v}
    if changes:
        for key, value in values.items():
            setattr(policy, key, value)
        policy.updated_at = now
        session.add(policy)
        audit.record(session, "sla_policy.update", actor=actor, target=policy, detail=changes, ip=ip)
        session.commit()
    return policy, changes


def delete_policy(session: Session, policy: SlaPolicy, *, actor: User | None, ip: str = "") -> None:
    """Remove a policy; tickets keep the clocks they have."""
    audit.record(session, "sla_policy.delete", actor=actor, target=policy, ip=ip,
                 detail={"name": policy.name, "priority": policy.priority, "organisation_id": policy.organisation_id})
    session.delete(policy)
    session.commit()
