"""Factories for test data: small functions with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlmodel import Session

from portal.models import ApiToken, Organisation, Repository, RepositoryPrefix, Role, User
from portal.passwords import hash_password
from portal.services import api_tokens

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def user(session: Session, role: str = Role.agent, *, org: Organisation | None = None, password: str = PASSWORD,
         **fields: Any) -> User:
    n = next(_seq)
    person = User(
        email=fields.pop("email", f"{role}{n}@example.org"),
        name=fields.pop("name", f"{role.capitalize()} {n}"),
        role=role,
        organisation_id=org.id if org else None,
        password_hash=hash_password(password, "fast") if password else None,
        **fields,
    )
    session.add(person)
    session.commit()
    return person


def organisation(session: Session, name: str | None = None, **fields: Any) -> Organisation:
    n = next(_seq)
    org = Organisation(name=name or f"Organisation {n}", datacite_member_id=fields.pop("datacite_member_id", f"ORG{n}"),
                       **fields)
    session.add(org)
    session.commit()
    return org


def repository(session: Session, org: Organisation, symbol: str | None = None, *, prefixes: tuple[str, ...] = (),
               **fields: Any) -> Repository:
    n = next(_seq)
    repo = Repository(organisation_id=org.id or 0, symbol=symbol or f"{org.datacite_member_id}.R{n}", **fields)
    session.add(repo)
    session.flush()
    for prefix in prefixes or (f"10.{80000 + n}",):
        session.add(RepositoryPrefix(repository_id=repo.id or 0, prefix=prefix))
    session.commit()
    return repo


def api_token(session: Session, owner: User, *, scopes: set[str] | None = None, **fields: Any) -> tuple[ApiToken, str]:
    """A token for ``owner`` (every scope the role allows by default) and its plain text."""
    n = next(_seq)
    return api_tokens.create_token(session, user=owner, name=fields.pop("name", f"Token {n}"), scopes=scopes,
                                   actor=None, ip="", **fields)
