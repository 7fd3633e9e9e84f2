"""Evaluators: each board row's status and evidence, computed from live data (never typed by hand)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import (
    CredentialHandover,
    DataCiteCall,
    DocRevision,
    RepositoryCredential,
    StaffRequest,
    Ticket,
    User,
)
from portal.services.programme.catalogue import AT_RISK, MET, NOT_EVALUATED, NOT_MET, Finding
from portal.services.programme.steps import is_listed
from portal.services.staff.contact import get_contact
from portal.services.staff.profile import current_texts

SEALED_PREFIX = "v1."
DOI_WINDOW_DAYS = 365
PROFILE_MAX_DAYS = 365


@dataclass(frozen=True)
class Context:
    """What evaluators read: the session, the time and the app's settings."""

    session: Session
    now: datetime
    config: Mapping[str, Any]


def _count(session: Session, query: Any) -> int:
    return int(session.exec(query).one())


def client_user_agent(config: Mapping[str, Any]) -> str:
    """The User-Agent the DataCite client sends with this configuration."""
    from portal import __version__
    from portal.datacite.environments import user_agent

    try:
        return user_agent(__version__, str(config.get("BASE_URL", "")), str(config.get("CONTACT_EMAIL", "")))
    except ValueError as exc:
        return f"(cannot be built: {exc})"


def api_in_use(ctx: Context) -> Finding:
    """Requirement 1: DataCite calls in the last 30 days, and a User-Agent with mailto."""
    since = ctx.now - timedelta(days=30)
    calls = select(func.count()).select_from(DataCiteCall).where(DataCiteCall.created_at >= since)
    recent = _count(ctx.session, calls)
    ok = _count(ctx.session, calls.where(DataCiteCall.ok.is_(True)))  # type: ignore[attr-defined]
    production = _count(ctx.session, calls.where(DataCiteCall.target == "production"))
    agent = client_user_agent(ctx.config)
    evidence = [f"{recent} REST API calls in the last 30 days ({ok} succeeded, {production} to production).",
                f"User-Agent: {agent}"]
    if "mailto:" not in agent:
        return Finding(NOT_MET, "The User-Agent has no mailto contact: set PORTAL_CONTACT_EMAIL.", evidence)
    if recent == 0:
        ever = _count(ctx.session, select(func.count()).select_from(DataCiteCall))
        status = AT_RISK if ever else NOT_MET
        return Finding(status, "No DataCite API calls in the last 30 days.", evidence)
    return Finding(MET, f"{recent} API calls in the last 30 days; User-Agent names a mailto.", evidence)


def findable_dois(ctx: Context) -> Finding:
    """Requirement 2: findable production DOIs in the evidence window, with examples (from the checks)."""
    try:
        from portal.services.checks.evidence import count_findable_production_dois, findable_production_dois
    except ImportError:  # the scheduled checks are not part of this build
        return Finding(NOT_EVALUATED, "Not evaluated: the scheduled DOI checks are not part of this build.")
    since = ctx.now - timedelta(days=DOI_WINDOW_DAYS)
    count = count_findable_production_dois(ctx.session, since=since)
    examples = findable_production_dois(ctx.session, since=since, limit=5)
    links = [(f"{e.doi} ({e.organisation_name}, {e.repository_symbol})", f"https://doi.org/{e.doi}") for e in examples]
    evidence = [f"{count} findable production DOIs registered in the last {DOI_WINDOW_DAYS} days."]
    if count:
        return Finding(MET, f"{count} findable production DOIs in the evidence window.", evidence, links)
    ever = count_findable_production_dois(ctx.session)
    if ever:
        return Finding(AT_RISK, f"No findable production DOI in the last {DOI_WINDOW_DAYS} days "
                                f"({ever} older ones).", evidence)
    return Finding(NOT_MET, "No findable production DOI registered through the integration yet.", evidence)


def schema_plan(ctx: Context) -> Finding:
    """Requirement 3: a support plan for the newest Metadata Schema version, not late."""
    from portal.datacite.schema import LATEST

    try:
        from portal.services.checks.readiness import plan_status
    except ImportError:  # schema readiness tracking is not part of this build
        return Finding(NOT_EVALUATED, "Not evaluated: schema readiness tracking is not part of this build.")
    plan = plan_status(ctx.session, version=LATEST, today=ctx.now.date())
    evidence = [f"Newest Metadata Schema: {LATEST}; plan status: {plan.status}"
                + (f", owner {plan.owner}" if plan.owner else "")
                + (f", target {plan.target_date.isoformat()}" if plan.target_date else "") + "."]
    if not plan.has_plan:
        return Finding(NOT_MET, f"No support plan for Metadata Schema {LATEST}.", evidence)
    if plan.late:
        return Finding(AT_RISK, f"The Metadata Schema {LATEST} plan is past its target date.", evidence)
    return Finding(MET, f"Support plan for Metadata Schema {LATEST}: {plan.status}.", evidence)


def credentials(ctx: Context) -> Finding:
    """Requirement 4: every stored credential sealed by the vault; hand-over through one-time links."""
    rows = ctx.session.exec(select(RepositoryCredential.secret).where(
        RepositoryCredential.secret.is_not(None))).all()  # type: ignore[union-attr]
    plain = sum(1 for secret in rows if not str(secret).startswith(SEALED_PREFIX))
    year = ctx.now - timedelta(days=365)
    issued = _count(ctx.session, select(func.count()).select_from(CredentialHandover).where(
        CredentialHandover.created_at >= year))
    used = _count(ctx.session, select(func.count()).select_from(CredentialHandover).where(
        CredentialHandover.created_at >= year, CredentialHandover.used_at.is_not(None)))  # type: ignore[union-attr]
    evidence = [f"{len(rows)} repository credentials stored, {len(rows) - plain} sealed with AES-GCM in the vault.",
                f"{issued} secure hand-over links issued in the last year, {used} used.",
                "Credentials are write-only in every form and never shown again."]
    if plain:
        return Finding(NOT_MET, f"{plain} stored credentials are not sealed by the vault.", evidence)
    return Finding(MET, "Credentials are held only in the encrypted vault; hand-over by one-time links.", evidence)


def badge(ctx: Context) -> Finding:
    """Requirement 6: while listed, the badge is uploaded and shown on the public site."""
    from portal.services.programme.badge import current_badge

    image = current_badge(ctx.session)
    if not is_listed(ctx.session, today=ctx.now.date()):
        evidence = ["Badge image on file." if image else "No badge image uploaded."]
        return Finding(NOT_EVALUATED, "Not listed yet: DataCite supplies the badge on approval.", evidence)
    if image is None:
        return Finding(NOT_MET, "Listed, but no badge image is uploaded, so the site shows none.")
    base = str(ctx.config.get("BASE_URL", "")).rstrip("/")
    return Finding(MET, "The badge is shown in the public site's footer.", [f"Badge URL: {base}/rsp-badge"],
                   [("Badge", f"{base}/rsp-badge")])


def first_line_support(ctx: Context) -> Finding:
    """Requirement 7: tickets with a first-response target in the last 90 days answered within it."""
    since = ctx.now - timedelta(days=90)
    base = select(func.count()).select_from(Ticket).where(
        Ticket.created_at >= since, Ticket.first_response_due_at.is_not(None))  # type: ignore[union-attr]
    total = _count(ctx.session, base)
    answered_late = _count(ctx.session, base.where(
        Ticket.first_response_at.is_not(None),  # type: ignore[union-attr]
        Ticket.first_response_at > Ticket.first_response_due_at))  # type: ignore[operator]
    unanswered_late = _count(ctx.session, base.where(
        Ticket.first_response_at.is_(None), Ticket.first_response_due_at < ctx.now))  # type: ignore[union-attr,operator]
    late = answered_late + unanswered_late
    within = total - late
    evidence = [f"{total} tickets with a first-response target in the last 90 days; {within} answered within it, "
                f"{late} late ({unanswered_late} still unanswered)."]
    if total == 0:
        return Finding(NOT_EVALUATED, "No tickets with an SLA in the last 90 days.", evidence)
    share = within / total
    evidence.append(f"Within target: {share:.0%} (at risk below 90 %, not met below 75 %).")
    if share < 0.75:
        return Finding(NOT_MET, f"Only {share:.0%} of tickets were answered within SLA in 90 days.", evidence)
    if share < 0.9:
        return Finding(AT_RISK, f"{share:.0%} of tickets answered within SLA in 90 days (below 90 %).", evidence)
    return Finding(MET, f"{share:.0%} of tickets answered within SLA in the last 90 days.", evidence)


def _active(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def designated_contact(ctx: Context) -> Finding:
    """Requirement 8: a designated contact with active agents; staff requests answered within target."""
    from portal.services.staff.requests import overdue_requests

    contact = get_contact(ctx.session)
    if contact is None:
        return Finding(NOT_MET, "No designated contact is set.")
    evidence = [f"Designated contact: {contact.email}"]
    primary, backup = _active(ctx.session, contact.primary_agent_id), _active(ctx.session, contact.backup_agent_id)
    evidence.append(f"Primary agent: {primary.name if primary else 'none active'}; "
                    f"backup: {backup.name if backup else 'none active'}.")
    if contact.bounced_at is not None:
        return Finding(NOT_MET, f"Mail to {contact.email} bounced: {contact.bounce_reason or 'no reason given'}.",
                       evidence)
    if primary is None:
        return Finding(NOT_MET, "The designated contact has no active primary agent.", evidence)
    overdue = overdue_requests(ctx.session, now=ctx.now)
    since = ctx.now - timedelta(days=90)
    late = _count(ctx.session, select(func.count()).select_from(StaffRequest).where(
        StaffRequest.created_at >= since, StaffRequest.answered_at.is_not(None),  # type: ignore[union-attr]
        StaffRequest.answered_at > StaffRequest.answer_due_at))  # type: ignore[operator]
    evidence.append(f"{len(overdue)} staff requests overdue now; {late} answered late in the last 90 days.")
    if overdue:
        return Finding(AT_RISK, f"{len(overdue)} DataCite staff requests are overdue.", evidence)
    if late:
        return Finding(AT_RISK, f"{late} DataCite staff requests were answered late in the last 90 days.", evidence)
    if backup is None:
        return Finding(AT_RISK, "The designated contact has no active backup agent.", evidence)
    return Finding(MET, f"{contact.email} is covered by active agents; staff requests within target.", evidence)


def service_profile(ctx: Context) -> Finding:
    """Requirement 9: the service profile's texts exist and were revised within a year."""
    texts = current_texts(ctx.session)
    if texts is None or not texts.description:
        return Finding(NOT_MET, "The service profile has no description yet.")
    age = (ctx.now - texts.created_at).days
    evidence = [f"Service profile texts last revised {texts.created_at:%Y-%m-%d} ({age} days ago); "
                "counts, contact and schema support are generated live."]
    if age > PROFILE_MAX_DAYS:
        return Finding(AT_RISK, f"The service profile texts were last revised {age} days ago.", evidence)
    return Finding(MET, "The service profile is current.", evidence)


def documentation(ctx: Context) -> Finding:
    """Requirement 10: integration docs published, and reviewed within DOCS_REVIEW_MONTHS."""
    from portal.services.docs import is_stale, library_for

    months = int(ctx.config.get("DOCS_REVIEW_MONTHS", 12))
    pages = list(library_for(ctx.config["DOCS_CONTENT_DIR"]).snapshot().pages.values())
    public = [p for p in pages if p.meta.audience == "public"]
    stale = [p for p in pages if is_stale(p.meta.last_reviewed, now=ctx.now, months=months)]
    latest = ctx.session.exec(select(func.max(DocRevision.created_at)).where(
        DocRevision.action.in_(("publish", "review", "restore")))).one()  # type: ignore[attr-defined]
    evidence = [f"{len(pages)} documentation pages ({len(public)} public); {len(stale)} not reviewed for "
                f"{months} months.",
                f"Last published or reviewed in the portal: {latest:%Y-%m-%d}." if latest else
                "Nothing published or reviewed through the portal yet."]
    if not public:
        return Finding(NOT_MET, "No public integration documentation is published.", evidence)
    if stale:
        names = ", ".join(p.slug for p in stale[:5])
        return Finding(AT_RISK, f"{len(stale)} pages not reviewed for {months} months: {names}.", evidence)
    return Finding(MET, f"{len(public)} public pages, all reviewed within {months} months.", evidence)


EVALUATORS: dict[str, Callable[[Context], Finding]] = {
    "req.api": api_in_use,
    "req.dois": findable_dois,
    "req.schema": schema_plan,
    "req.credentials": credentials,
    "req.badge": badge,
    "req.support": first_line_support,
    "req.contact": designated_contact,
    "req.profile": service_profile,
    "req.docs": documentation,
}
