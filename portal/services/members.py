"""Member organisations, their contacts and their DataCite repositories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.identifiers import (
    country_problem,
    domains_problem,
    member_id_problem,
    normalise_domains,
    normalise_repository_id,
    normalise_ror,
    parse_prefixes,
    prefix_problem,
    repository_id_problem,
    ror_problem,
)
from portal.models import (
    ApiTarget,
    Contact,
    ContactRole,
    Environment,
    Organisation,
    Repository,
    RepositoryPrefix,
    User,
)
from portal.services.accounts import email_problem, normalise_email
from portal.services.credentials import forget_on_identity_change
from portal.services.datacite_calls import Caller
from portal.services.held import Choice, choice_list
from portal.services.pagination import Page, paginate


@dataclass
class OrganisationInput:
    name: str
    datacite_member_id: str = ""
    ror_id: str = ""
    country: str = ""
    notes: str = ""
    active: bool = True


@dataclass
class RepositoryInput:
    symbol: str
    name: str = ""
    environment: str = Environment.test
    prefixes: str = ""
    domains: str = "*"
    active: bool = True
    api_target: str = ApiTarget.datacite


@dataclass
class ContactInput:
    name: str
    email: str
    role: str = ContactRole.general
    phone: str = ""


@dataclass
class RepositoryView:
    """A repository with its prefixes, as pages show it."""

    repository: Repository
    prefixes: list[str] = field(default_factory=list)


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such member organisation.")
    return org


def _validate_organisation(session: Session, data: OrganisationInput, existing_id: int | None) -> OrganisationInput:
    clean = OrganisationInput(
        name=" ".join(data.name.split()),
        datacite_member_id=data.datacite_member_id.strip().upper(),
        ror_id=normalise_ror(data.ror_id),
        country=data.country.strip().upper(),
        notes=data.notes.strip(),
        active=data.active,
    )
    errors: dict[str, str] = {}
    if not clean.name:
        errors["name"] = "Enter the organisation's name."
    elif len(clean.name) > 200:
        errors["name"] = "Use at most 200 characters."
    else:
        clash = session.exec(select(Organisation).where(func.lower(Organisation.name) == clean.name.lower())).first()
        if clash and clash.id != existing_id:
            errors["name"] = "Another organisation already has this name."
    for key, problem in (
        ("datacite_member_id", member_id_problem(clean.datacite_member_id)),
        ("ror_id", ror_problem(clean.ror_id)),
        ("country", country_problem(clean.country)),
    ):
        if problem:
            errors[key] = problem
    if len(clean.notes) > 10_000:
        errors["notes"] = "Keep notes under 10,000 characters."
    if errors:
        raise ValidationFailed(errors)
    return clean


def create_organisation(session: Session, data: OrganisationInput, *, actor: User | None, ip: str = "",
                        now: datetime | None = None) -> Organisation:
    clean = _validate_organisation(session, data, None)
    org = Organisation(**vars(clean))
    if now:
        org.created_at = org.updated_at = now
    session.add(org)
    session.flush()
    audit.record(session, "organisation.create", actor=actor, target=org, detail={"name": org.name}, ip=ip)
    session.commit()
    return org


def update_organisation(session: Session, org: Organisation, data: OrganisationInput, *, actor: User, ip: str,
                        now: datetime) -> Organisation:
    clean = _validate_organisation(session, data, org.id)
    changes = {k: [getattr(org, k), v] for k, v in vars(clean).items() if getattr(org, k) != v and k != "notes"}
    if org.notes != clean.notes:
        changes["notes"] = "changed"
    for key, value in vars(clean).items():
        setattr(org, key, value)
    org.updated_at = now
    session.add(org)
    if changes:
        audit.record(session, "organisation.update", actor=actor, target=org, detail=changes, ip=ip)
    session.commit()
    return org


ORG_SORTS = {"name": Organisation.name, "member_id": Organisation.datacite_member_id,
             "country": Organisation.country, "created": Organisation.created_at}


def list_organisations(
    session: Session,
    *,
    q: str = "",
    country: str = "",
    active: bool | None = None,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[Any]:
    """Organisations with their repository counts; filtered, sorted, paginated."""
    repo_count = (
        select(func.count(Repository.id))  # type: ignore[arg-type]
        .where(Repository.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    stmt = select(Organisation, repo_count.label("repositories"))
    if q:
        like = f"%{q.strip().lower()}%"
        symbol_match = select(Repository.organisation_id).where(func.lower(Repository.symbol).like(like))
        stmt = stmt.where(
            or_(
                func.lower(Organisation.name).like(like),
                func.lower(Organisation.datacite_member_id).like(like),
                Organisation.id.in_(symbol_match),  # type: ignore[union-attr]
            )
        )
    if country:
        stmt = stmt.where(Organisation.country == country.upper())
    if active is not None:
        stmt = stmt.where(Organisation.active.is_(active))  # type: ignore[attr-defined]
    column = ORG_SORTS.get(sort, Organisation.name)
    stmt = stmt.order_by(column.desc() if descending else column.asc(), Organisation.id)  # type: ignore[union-attr]
    return paginate(session, stmt, page=page, per_page=per_page, scalars=False)


_organisations = choice_list("organisation", select(Organisation.id, Organisation.name).order_by(Organisation.name))


def list_all_organisations(session: Session) -> tuple[Choice, ...]:
    """Every organisation's id and name, by name, for choice lists and filters (held in memory: services.held)."""
    return _organisations(session)


# Contacts


def _validate_contact(data: ContactInput) -> ContactInput:
    clean = ContactInput(name=" ".join(data.name.split()), email=normalise_email(data.email),
                         role=data.role, phone=data.phone.strip())
    errors: dict[str, str] = {}
    if not clean.name:
        errors["name"] = "Enter the contact's name."
    if problem := email_problem(clean.email):
        errors["email"] = problem
    if clean.role not in {r.value for r in ContactRole}:
        errors["role"] = "Choose one of the contact roles."
    if len(clean.phone) > 40:
        errors["phone"] = "Use at most 40 characters."
    if errors:
        raise ValidationFailed(errors)
    return clean


def add_contact(session: Session, org: Organisation, data: ContactInput, *, actor: User, ip: str) -> Contact:
    clean = _validate_contact(data)
    contact = Contact(organisation_id=org.id or 0, **vars(clean))
    session.add(contact)
    session.flush()
    audit.record(session, "contact.create", actor=actor, target=contact,
                 detail={"organisation_id": org.id, "email": clean.email}, ip=ip)
    session.commit()
    return contact


def get_contact(session: Session, org: Organisation, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.organisation_id != org.id:
        raise NotFound("No such contact at this organisation.")
    return contact


def remove_contact(session: Session, contact: Contact, *, actor: User, ip: str) -> None:
    audit.record(session, "contact.delete", actor=actor, target=contact,
                 detail={"organisation_id": contact.organisation_id, "email": contact.email}, ip=ip)
    session.delete(contact)
    session.commit()


def list_contacts(session: Session, org: Organisation) -> list[Contact]:
    return list(session.exec(select(Contact).where(Contact.organisation_id == org.id).order_by(Contact.name)).all())


# Repositories


def get_repository(session: Session, repository_id: int, *, organisation_id: int | None = None) -> Repository:
    """A repository; with ``organisation_id``, only if it belongs to that organisation."""
    repo = session.get(Repository, repository_id)
    if repo is None or (organisation_id is not None and repo.organisation_id != organisation_id):
        raise NotFound("No such repository.")
    return repo


def prefixes_of(session: Session, repository: Repository) -> list[str]:
    return list(
        session.exec(
            select(RepositoryPrefix.prefix)
            .where(RepositoryPrefix.repository_id == repository.id)
            .order_by(RepositoryPrefix.prefix)
        ).all()
    )


def _validate_repository(session: Session, org: Organisation, data: RepositoryInput,
                         existing_id: int | None) -> tuple[RepositoryInput, list[str]]:
    symbol = normalise_repository_id(data.symbol)
    prefixes = parse_prefixes(data.prefixes)
    clean = RepositoryInput(symbol=symbol, name=" ".join(data.name.split()), environment=data.environment,
                            prefixes=",".join(prefixes), domains=normalise_domains(data.domains), active=data.active,
                            api_target=data.api_target)
    errors: dict[str, str] = {}
    if problem := repository_id_problem(symbol):
        errors["symbol"] = problem
    elif org.datacite_member_id and symbol.split(".")[0] != org.datacite_member_id:
        errors["symbol"] = (f"Repository IDs of {org.name} start with its member ID: "
                            f"{org.datacite_member_id}.SOMETHING.")
    if clean.environment not in {e.value for e in Environment}:
        errors["environment"] = "Choose test or production."
    if clean.api_target not in {t.value for t in ApiTarget}:
        errors["api_target"] = "Choose DataCite or the offline sandbox."
    if "symbol" not in errors and "environment" not in errors:
        clash = session.exec(
            select(Repository).where(Repository.symbol == symbol, Repository.environment == clean.environment)
        ).first()
        if clash and clash.id != existing_id:
            errors["symbol"] = f"{symbol} is already registered here for the {clean.environment} environment."
    for prefix in prefixes:
        if problem := prefix_problem(prefix):
            errors["prefixes"] = problem
            break
    if problem := domains_problem(clean.domains):
        errors["domains"] = problem
    if len(clean.name) > 200:
        errors["name"] = "Use at most 200 characters."
    if errors:
        raise ValidationFailed(errors)
    return clean, prefixes


def _set_prefixes(session: Session, repo: Repository, prefixes: list[str]) -> None:
    current = {p.prefix: p for p in session.exec(
        select(RepositoryPrefix).where(RepositoryPrefix.repository_id == repo.id)).all()}
    for prefix, row in current.items():
        if prefix not in prefixes:
            session.delete(row)
    for prefix in prefixes:
        if prefix not in current:
            session.add(RepositoryPrefix(repository_id=repo.id or 0, prefix=prefix))


def create_repository(session: Session, org: Organisation, data: RepositoryInput, *, actor: User | None,
                      ip: str = "", now: datetime | None = None) -> Repository:
    clean, prefixes = _validate_repository(session, org, data, None)
    repo = Repository(organisation_id=org.id or 0, symbol=clean.symbol, name=clean.name,
                      environment=clean.environment, domains=clean.domains, active=clean.active,
                      api_target=clean.api_target)
    if now:
        repo.created_at = repo.updated_at = now
    session.add(repo)
    session.flush()
    _set_prefixes(session, repo, prefixes)
    audit.record(session, "repository.create", actor=actor, target=repo,
                 detail={"symbol": repo.symbol, "environment": repo.environment, "api_target": repo.api_target,
                         "prefixes": prefixes}, ip=ip)
    session.commit()
    return repo


def update_repository(session: Session, repo: Repository, data: RepositoryInput, *, actor: User, ip: str,
                      now: datetime) -> tuple[Repository, dict[str, Any]]:
    """Edit a repository; returns the changes. A changed ID, environment or API target clears the stored
    credential in the same unit of work: it belongs to the old one (C20, C25)."""
    org = get_organisation(session, repo.organisation_id)
    clean, prefixes = _validate_repository(session, org, data, repo.id)
    old_prefixes = prefixes_of(session, repo)
    changes: dict[str, Any] = {}
    for key in ("symbol", "name", "environment", "api_target", "domains", "active"):
        if getattr(repo, key) != getattr(clean, key):
            changes[key] = [getattr(repo, key), getattr(clean, key)]
            setattr(repo, key, getattr(clean, key))
    if old_prefixes != sorted(prefixes):
        changes["prefixes"] = [old_prefixes, sorted(prefixes)]
        _set_prefixes(session, repo, prefixes)
    repo.updated_at = now
    session.add(repo)
    if changes:
        audit.record(session, "repository.update", actor=actor, target=repo, detail=changes, ip=ip)
        forget_on_identity_change(session, repo, changes, caller=Caller(user=actor), ip=ip, now=now)
    session.commit()
    return repo, changes


def repositories_of(session: Session, org: Organisation) -> list[Repository]:
    """The organisation's repositories, production first, by symbol (without prefixes: for choice lists)."""
    return list(session.exec(
        select(Repository).where(Repository.organisation_id == org.id).order_by(Repository.environment.desc(),  # type: ignore[attr-defined]
                                                                               Repository.symbol)
    ).all())


def list_repositories(session: Session, org: Organisation) -> list[RepositoryView]:
    repos = repositories_of(session, org)
    prefixes: dict[int, list[str]] = {}
    if repos:
        for repository_id, prefix in session.exec(
            select(RepositoryPrefix.repository_id, RepositoryPrefix.prefix)
            .where(RepositoryPrefix.repository_id.in_([r.id for r in repos]))  # type: ignore[union-attr]
            .order_by(RepositoryPrefix.prefix)
        ).all():
            prefixes.setdefault(repository_id, []).append(prefix)
    return [RepositoryView(repository=r, prefixes=prefixes.get(r.id or 0, [])) for r in repos]
