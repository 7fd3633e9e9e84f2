"""The requirements board: evaluate every row from live data, remember it, and tell admins when one slips."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import RequirementState, Role, User
from portal.services.outbox import queue_mail
from portal.services.programme.catalogue import (
    AT_RISK,
    BEST_PRACTICES,
    ITEMS,
    MET,
    NOT_EVALUATED,
    NOT_MET,
    REQUIREMENTS,
    SLIPPED,
    STATUS_LABELS,
    Finding,
    Item,
    item_for,
)
from portal.services.programme.findings import EVALUATORS, Context

log = logging.getLogger("portal.programme")
ATTESTATION_DAYS = 365


@dataclass(frozen=True)
class BoardRow:
    """One row as the board shows it."""

    item: Item
    state: RequirementState

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.state.status, self.state.status)

    @property
    def evidence(self) -> list[str]:
        return list(_decode(self.state.evidence).get("lines", []))

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(label, url) for label, url in _decode(self.state.evidence).get("links", [])]


def _decode(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _human(item: Item, state: RequirementState | None, now: datetime) -> Finding:
    if state is not None and state.attested_at is not None and now - state.attested_at <= timedelta(
            days=ATTESTATION_DAYS):
        return Finding(MET, f"Confirmed by an admin on {state.attested_at:%Y-%m-%d}.",
                       ["Human evidence: see the notes and documents."])
    if state is not None and state.attested_at is not None:
        return Finding(AT_RISK, "The admin's confirmation is more than a year old: confirm it again.")
    return Finding(NOT_EVALUATED, "Needs an admin's confirmation, with notes or documents as evidence.")


def _best_practices(findings: Mapping[str, Finding]) -> Finding:
    statuses = {key: findings[key].status for key in (i.key for i in BEST_PRACTICES)}
    counts = {s: sum(1 for v in statuses.values() if v == s) for s in STATUS_LABELS}
    evidence = [", ".join(f"{counts[s]} {STATUS_LABELS[s]}" for s in STATUS_LABELS) + " of the best-practice items."]
    if counts[NOT_MET]:
        return Finding(NOT_MET, f"{counts[NOT_MET]} best-practice items are not met.", evidence)
    if counts[AT_RISK]:
        return Finding(AT_RISK, f"{counts[AT_RISK]} best-practice items are at risk.", evidence)
    if counts[MET] == 0:
        return Finding(NOT_EVALUATED, "No best-practice item has been evaluated yet.", evidence)
    return Finding(MET, "No best-practice item is at risk or unmet.", evidence)


def _best_practice_finding(ctx: Context, key: str) -> Finding | None:
    from portal.services.programme.findings import client_user_agent

    if key == "bp.user_agent":
        agent = client_user_agent(ctx.config)
        status = MET if "mailto:" in agent else NOT_MET
        return Finding(status, f"User-Agent: {agent}", [f"User-Agent: {agent}"])
    if key == "bp.test_system":
        from sqlalchemy import func

        from portal.models import DataCiteCall

        count = int(ctx.session.exec(select(func.count()).select_from(DataCiteCall).where(
            DataCiteCall.target.in_(("test", "sandbox")),  # type: ignore[attr-defined]
            DataCiteCall.created_at >= ctx.now - timedelta(days=90))).one())
        status = MET if count else AT_RISK
        return Finding(status, f"{count} calls to the test system or sandbox in the last 90 days.",
                       [f"{count} calls to the test system or sandbox in the last 90 days."])
    if key == "bp.rate_limits":
        production = int(ctx.config.get("DATACITE_RATE_PRODUCTION", 0))
        test = int(ctx.config.get("DATACITE_RATE_TEST", 0))
        lines = [f"Configured: {production} requests / 5 min to production, {test} to test."]
        if production > 3000 or test > 750:
            return Finding(NOT_MET, "The configured request rates exceed DataCite's limits.", lines)
        return Finding(MET, "Configured request rates stay under DataCite's limits.", lines)
    return None


def evaluate_findings(session: Session, *, now: datetime, config: Mapping[str, Any],
                      states: Mapping[str, RequirementState] | None = None) -> dict[str, Finding]:
    """Every row's finding from the data as it is now (read only)."""
    ctx = Context(session=session, now=now, config=config)
    states = states if states is not None else _states(session)
    findings: dict[str, Finding] = {}
    for item in BEST_PRACTICES + REQUIREMENTS:
        try:
            if item.human:
                finding = _human(item, states.get(item.key), now)
            elif item.key == "req.best_practices":
                finding = _best_practices(findings)
            elif item.key in EVALUATORS:
                finding = EVALUATORS[item.key](ctx)
            else:
                finding = _best_practice_finding(ctx, item.key) or _human(item, states.get(item.key), now)
        except (SQLAlchemyError, ValueError, KeyError, OSError) as exc:
            session.rollback()
            log.exception("programme evaluation of %s failed", item.key)
            finding = Finding(NOT_EVALUATED, f"Not evaluated: the evaluation failed ({type(exc).__name__}).")
        findings[item.key] = finding
    return findings


def _states(session: Session) -> dict[str, RequirementState]:
    return {row.key: row for row in session.exec(select(RequirementState)).all()}


def admin_addresses(session: Session) -> list[str]:
    """E-mail addresses of the active admins."""
    rows = session.exec(select(User.email).where(User.role == Role.admin, User.active.is_(True))).all()  # type: ignore[attr-defined]
    return sorted({email for email in rows if email})


def _notify(session: Session, item: Item, finding: Finding, *, config: Mapping[str, Any]) -> int:
    base = str(config.get("BASE_URL", "")).rstrip("/")
    label = STATUS_LABELS[finding.status]
    text = (f"The RSP programme requirement \"{item.number}. {item.title}\" is now {label}.\n\n"
            f"Reason: {finding.reason}\n\n" + "".join(f"- {line}\n" for line in finding.evidence)
            + f"\nThe requirements board: {base}/admin/programme/\n")
    addresses = admin_addresses(session)
    for address in addresses:
        queue_mail(session, to=address, subject=f"RSP requirement {label}: {item.title}", text=text,
                   kind="programme", echo=bool(config.get("MAIL_PRINT")))
    return len(addresses)


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation did."""

    rows: int
    changed: int
    notified: int


def evaluate_board(session: Session, *, now: datetime, config: Mapping[str, Any]) -> Evaluation:
    """Evaluate every row, store the results, and mail admins once when a row turns at risk or not met."""
    states = _states(session)
    findings = evaluate_findings(session, now=now, config=config, states=states)
    states = _states(session)  # a failed evaluator may have rolled the session back
    changed = notified = 0
    for item in ITEMS:
        finding = findings[item.key]
        state = states.get(item.key) or RequirementState(key=item.key)
        if state.status != finding.status or state.evaluated_at is None:
            changed += state.evaluated_at is not None
            state.changed_at = now
        state.status, state.reason = finding.status, finding.reason[:500]
        state.evidence = json.dumps({"lines": finding.evidence, "links": finding.links})
        state.evaluated_at = now
        if finding.status in SLIPPED and item.is_requirement and state.notified_status != finding.status:
            notified += _notify(session, item, finding, config=config)
            state.notified_status = finding.status
        elif finding.status not in SLIPPED:
            state.notified_status = ""
        session.add(state)
    session.commit()
    return Evaluation(rows=len(ITEMS), changed=changed, notified=notified)


def board_rows(session: Session) -> list[BoardRow]:
    """Every row with its stored state (not evaluated yet where there is none)."""
    states = _states(session)
    return [BoardRow(item, states.get(item.key) or RequirementState(key=item.key)) for item in ITEMS]


def board_row(session: Session, key: str) -> BoardRow:
    """One row, or NotFound."""
    item = item_for(key)
    if item is None:
        raise NotFound("There is no such requirement.")
    state = session.exec(select(RequirementState).where(RequirementState.key == key)).first()
    return BoardRow(item, state or RequirementState(key=key))


def save_notes(session: Session, *, key: str, notes: str, attest: bool, actor: User, now: datetime,
               ip: str = "") -> RequirementState:
    """Keep an admin's notes on a row; ``attest`` confirms human evidence as of now."""
    if item_for(key) is None:
        raise NotFound("There is no such requirement.")
    if len(notes) > 20_000:
        raise ValidationFailed({"notes": "Keep the notes under 20,000 characters."})
    state = session.exec(select(RequirementState).where(RequirementState.key == key)).first() \
        or RequirementState(key=key)
    state.notes, state.updated_by_id = notes.strip(), actor.id
    if attest:
        state.attested_at, state.attested_by_id = now, actor.id
    session.add(state)
    session.flush()
    audit.record(session, "programme.notes", actor=actor, target=state, ip=ip, detail={"key": key, "attest": attest})
    session.commit()
    return state


def summary(rows: list[BoardRow]) -> dict[str, int]:
    """How many rows have each status."""
    return {status: sum(1 for r in rows if r.state.status == status) for status in STATUS_LABELS}


__all__ = ["AT_RISK", "MET", "NOT_EVALUATED", "NOT_MET", "BoardRow", "Evaluation", "board_row", "board_rows",
           "evaluate_board", "evaluate_findings", "save_notes", "summary"]
