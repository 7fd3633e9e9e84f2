"""Schema-version readiness of the portal itself (RSP requirement 3): support plans per version, kept by admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from portal import audit
from portal.datacite.schema import LATEST, VERSIONS
from portal.datacite.schema.catalog import version_key
from portal.errors import ValidationFailed
from portal.models import SchemaPlan, User
from portal.models.checks import PlanState

STATUS_LABELS = {
    PlanState.planned: "planned",
    PlanState.in_progress: "in progress",
    PlanState.done: "done",
    PlanState.not_planned: "not planned",
}


@dataclass(frozen=True)
class PlanStatus:
    version: str
    has_plan: bool
    late: bool
    status: str
    owner: str
    target_date: date | None


def newest_supported() -> str:
    """The newest Metadata Schema version the integration's catalogue and validation support."""
    return max(VERSIONS, key=version_key)


def get_plan(session: Session, version: str) -> SchemaPlan | None:
    """The support plan for a version, if admins wrote one."""
    return session.exec(select(SchemaPlan).where(SchemaPlan.version == version)).first()


def list_plans(session: Session) -> list[SchemaPlan]:
    """Every support plan, newest version first."""
    plans = list(session.exec(select(SchemaPlan)).all())
    return sorted(plans, key=lambda p: version_key(p.version), reverse=True)


def plan_status(session: Session, *, version: str, today: date) -> PlanStatus:
    """Whether a version has a plan, and whether it is late (target passed and not done)."""
    plan = get_plan(session, version)
    if plan is None:
        return PlanStatus(version=version, has_plan=False, late=False, status="missing", owner="", target_date=None)
    late = (plan.status not in (PlanState.done, PlanState.not_planned) and plan.target_date is not None
            and plan.target_date < today)
    return PlanStatus(version=version, has_plan=True, late=late, status=plan.status, owner=plan.owner,
                      target_date=plan.target_date)


def plan_summary(session: Session, newest: str) -> str:
    """One sentence for the service profile: how the newest DataCite schema version is (to be) supported."""
    supported = newest_supported()
    plan = get_plan(session, newest)
    if version_key(supported) >= version_key(newest):
        base = f"Metadata Schema {newest} is supported by the integration's catalogue and validation"
        if plan is not None and plan.status == PlanState.done:
            return base + (f" (plan owner {plan.owner})." if plan.owner else ".")
        return base + "."
    if plan is None:
        return f"Metadata Schema {newest} is not yet supported (newest supported: {supported}); no support plan yet."
    label = STATUS_LABELS.get(PlanState(plan.status), plan.status) if plan.status in PlanState.__members__ else plan.status
    target = f", target {plan.target_date.isoformat()}" if plan.target_date else ""
    owner = f", owner {plan.owner}" if plan.owner else ""
    return (f"Support for Metadata Schema {newest} is {label}{target}{owner} "
            f"(newest supported: {supported}).")


def save_plan(session: Session, *, version: str, owner: str, target_date: date | None, status: str, notes: str,
              actor: User, now: datetime, ip: str = "") -> SchemaPlan:
    """Create or update the support plan for one schema version."""
    errors: dict[str, str] = {}
    version = version.strip()
    if not version or len(version) > 10 or not all(part.isdigit() for part in version.split(".")):
        errors["version"] = "Give a version number such as 4.7."
    if status not in PlanState.__members__:
        errors["status"] = "Choose one of the listed statuses."
    if not owner.strip():
        errors["owner"] = "Name who is responsible for this version."
    elif len(owner) > 200:
        errors["owner"] = "Keep the owner under 200 characters."
    if status in (PlanState.planned, PlanState.in_progress) and target_date is None:
        errors["target_date"] = "Give a target date for a plan that is not done."
    if len(notes) > 10_000:
        errors["notes"] = "Keep the notes under 10,000 characters."
    if errors:
        raise ValidationFailed(errors)
    plan = get_plan(session, version) or SchemaPlan(version=version)
    plan.owner, plan.target_date, plan.status, plan.notes = owner.strip(), target_date, status, notes
    plan.updated_at, plan.updated_by = now, actor.email
    session.add(plan)
    session.flush()
    audit.record(session, "schema_plan.save", actor=actor, target=plan, ip=ip, detail={"version": version,
                                                                                          "status": status})
    session.commit()
    return plan


def versions_needing_plans() -> list[str]:
    """The released versions newer than what the integration supports (each one needs a plan)."""
    supported = version_key(newest_supported())
    return [v for v in (LATEST,) if version_key(v) > supported]
