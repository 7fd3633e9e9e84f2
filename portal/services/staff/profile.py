"""The service profile DataCite may ask for (RSP requirement 9): generated from live data, never typed by hand,
apart from the few free-text parts admins keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit
from portal.errors import ValidationFailed
from portal.models import Organisation, Repository, ServiceProfileText, User
from portal.services.checks.evidence import dois_by_state_since
from portal.services.checks.readiness import plan_summary
from portal.services.staff.contact import get_contact

DATACITE_APIS = [
    {"name": "DataCite REST API", "environment": "production", "base_url": "https://api.datacite.org"},
    {"name": "DataCite REST API", "environment": "test", "base_url": "https://api.test.datacite.org"},
]


@dataclass
class ServiceProfile:
    service_name: str
    version: str
    generated_at: datetime
    description: str
    hosting: str
    support_policy: str
    documentation_url: str
    apis: list[dict[str, str]]
    environments_in_use: dict[str, int]
    schema_versions: list[str]
    newest_schema: str
    newest_supported: str
    schema_plan: str
    organisations: int
    repositories: int
    dois_last_12_months: dict[str, int] | None
    dois_source: str
    designated_contact: str
    designated_contact_targets: str
    support_hours: str
    texts_updated_at: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (datetimes in ISO 8601, UTC)."""
        data = {k: v for k, v in self.__dict__.items() if k != "extra"}
        for key in ("generated_at", "texts_updated_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def current_texts(session: Session) -> ServiceProfileText | None:
    return session.exec(select(ServiceProfileText).order_by(ServiceProfileText.id.desc())).first()  # type: ignore[union-attr]


def text_history(session: Session, limit: int = 50) -> list[tuple[ServiceProfileText, str]]:
    rows = session.exec(select(ServiceProfileText, User.name).outerjoin(User, User.id == ServiceProfileText.created_by_id)  # type: ignore[arg-type]
                        .order_by(ServiceProfileText.id.desc()).limit(limit)).all()
    return [(row, name or "") for row, name in rows]


def save_texts(session: Session, *, description: str, hosting: str, support_policy: str, documentation_url: str,
               actor: User, now: datetime, ip: str = "") -> ServiceProfileText:
    """Keep a new revision of the free-text parts (earlier ones stay as history)."""
    errors: dict[str, str] = {}
    for name, value in (("description", description), ("hosting", hosting), ("support_policy", support_policy)):
        if len(value) > 10_000:
            errors[name] = "Keep it under 10,000 characters."
    if not description.strip():
        errors["description"] = "Describe the service in a few sentences."
    url = documentation_url.strip()
    if url and not url.startswith(("https://", "http://")):
        errors["documentation_url"] = "Give a full address starting with https://."
    if errors:
        raise ValidationFailed(errors)
    row = ServiceProfileText(description=description.strip(), hosting=hosting.strip(),
                             support_policy=support_policy.strip(), documentation_url=url, created_at=now,
                             created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, "service_profile.update", actor=actor, target=row, ip=ip)
    session.commit()
    return row


def _support_hours(session: Session) -> str:
    try:
        from portal.services.sla.calendars import describe_default_calendar
    except ImportError:  # SLA calendars are not part of this build
        return "Not configured"
    return describe_default_calendar(session) or "Not configured"


def _doi_counts(session: Session, now: datetime) -> tuple[dict[str, int] | None, str]:
    return dois_by_state_since(session, since=now - timedelta(days=365)), "Scheduled checks of members' repositories"


def build_profile(session: Session, *, config: Any, now: datetime) -> ServiceProfile:
    """Everything DataCite may ask about the service, from the data as it is now."""
    from portal import __version__
    from portal.datacite.schema import LATEST, VERSIONS

    texts = current_texts(session)
    contact = get_contact(session)
    environments = dict(session.exec(select(Repository.environment, func.count()).where(
        Repository.active.is_(True)).group_by(Repository.environment)).all())  # type: ignore[attr-defined]
    counts, source = _doi_counts(session, now)
    targets = ""
    if contact is not None:
        targets = (f"acknowledged within {contact.ack_business_minutes / 60:g} business hours, answered within "
                   f"{contact.answer_business_minutes / 60:g} business hours")
    docs = (texts.documentation_url if texts and texts.documentation_url else f"{config['BASE_URL'].rstrip('/')}/docs/")
    return ServiceProfile(
        service_name=config["SITE_NAME"], version=__version__, generated_at=now,
        description=texts.description if texts else "", hosting=texts.hosting if texts else "",
        support_policy=texts.support_policy if texts else "", documentation_url=docs,
        apis=DATACITE_APIS, environments_in_use={k: int(v) for k, v in sorted(environments.items())},
        schema_versions=list(VERSIONS), newest_schema=LATEST, newest_supported=VERSIONS[-1],
        schema_plan=plan_summary(session, LATEST),
        organisations=session.exec(select(func.count()).select_from(Organisation).where(
            Organisation.active.is_(True))).one(),  # type: ignore[attr-defined]
        repositories=sum(environments.values()),
        dois_last_12_months=counts, dois_source=source,
        designated_contact=contact.email if contact else "Not set",
        designated_contact_targets=targets, support_hours=_support_hours(session),
        texts_updated_at=texts.created_at if texts else None,
    )


def to_markdown(profile: ServiceProfile) -> str:
    """The profile as a Markdown document to send to DataCite."""
    lines = [
        f"# {profile.service_name}: service profile",
        "",
        f"Generated {profile.generated_at:%Y-%m-%d %H:%M} UTC from live data (version {profile.version}).",
        "",
        "## The service",
        "",
        profile.description or "_No description yet._",
        "",
        "## DataCite integration",
        "",
        *[f"- {api['name']} ({api['environment']}): {api['base_url']}" for api in profile.apis],
        "- Repositories served, by DataCite environment: "
        + (", ".join(f"{env}: {n}" for env, n in profile.environments_in_use.items()) or "none"),
        f"- Metadata Schema versions supported: {', '.join(profile.schema_versions)} (newest DataCite release: "
        f"{profile.newest_schema}; newest supported: {profile.newest_supported})",
        f"- Plan for the newest schema: {profile.schema_plan}",
        "",
        "## Members served",
        "",
        f"- Member organisations: {profile.organisations}",
        f"- Repositories: {profile.repositories}",
    ]
    if profile.dois_last_12_months is None:
        lines.append(f"- DOIs registered through the integration in the last 12 months: {profile.dois_source}")
    else:
        states = ", ".join(f"{state}: {n}" for state, n in sorted(profile.dois_last_12_months.items()))
        lines.append(f"- DOIs registered through the integration in the last 12 months: {states} "
                     f"(source: {profile.dois_source})")
    lines += [
        "",
        "## Support",
        "",
        f"- Designated contact for DataCite: {profile.designated_contact}"
        + (f" ({profile.designated_contact_targets})" if profile.designated_contact_targets else ""),
        f"- Support hours: {profile.support_hours}",
        f"- Integration documentation: {profile.documentation_url}",
        "",
        profile.support_policy or "",
        "",
        "## Hosting",
        "",
        profile.hosting or "_Not described yet._",
        "",
    ]
    return "\n".join(lines)
