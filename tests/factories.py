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


def tampered(token: str) -> str:
    """The token with one character of its signature changed, never a no-op.

    The last character of base64 text carries only some bits of data: changing the last one or two can decode to the
    same bytes (a valid token, about one time in 250). The sixth character from the end is always whole data.
    """
    position = len(token) - 6
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1:]


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


def ticket(session: Session, *, requester: User | None = None, org: Organisation | None = None, subject: str = "Help",
           body: str = "Something failed.", **fields: Any):
    """A ticket made through the real service (so its message, history and DOIs exist)."""
    from portal.models.types import utcnow
    from portal.services.tickets.core import NewTicket, create_ticket
    from tests.helpdesk import ctx_for_tests

    now = fields.pop("now", None) or utcnow()
    data = NewTicket(subject=subject, body=body, requester=requester,
                     requester_email="" if requester else "someone@example.org",
                     organisation_id=org.id if org and requester is None else None, **fields)
    return create_ticket(session, data, ctx=ctx_for_tests(), actor=requester, now=now)


def helpdesk_world(session: Session, *, org_a: Organisation, repo_a: Repository, member_a: User,
                   agent: User) -> dict[str, int]:
    """A ticket of organisation A with a link, an escalation, an attachment and a canned answer: route parameters."""
    from portal.models import CannedAnswer, TicketGroup
    from portal.models.types import utcnow
    from portal.services.tickets import escalation, links
    from portal.services.tickets.attachments import Upload
    from portal.services.tickets.messages import add_message
    from tests.helpdesk import ctx_for_tests

    first = ticket(session, requester=member_a, subject="First", repository_id=repo_a.id)
    second = ticket(session, requester=member_a, subject="Second")
    link = links.link(session, first, second.id, "relates", actor=agent, now=utcnow())
    add_message(session, first, author=member_a, body="Log attached", ctx=ctx_for_tests(), now=utcnow(),
                attachments=[Upload("log.txt", b"a log line\\n")])
    esc = escalation.escalate(session, first, package="package", send=False, actor=agent, ctx=ctx_for_tests(), now=utcnow())
    answer = CannedAnswer(title="Hello", body="Hello {{member_name}}")
    group = TicketGroup(name="First line", is_default=True)
    session.add_all([answer, group])
    session.commit()
    from sqlmodel import select

    from portal.models import Attachment

    attachment = session.exec(select(Attachment)).first()
    return {"number": first.id, "link_id": link.id, "escalation_id": esc.id, "answer_id": answer.id,
            "attachment_id": attachment.id, "group_id": group.id}


def api_token(session: Session, owner: User, *, scopes: set[str] | None = None, **fields: Any) -> tuple[ApiToken, str]:
    """A token for ``owner`` (every scope the role allows by default) and its plain text."""
    n = next(_seq)
    return api_tokens.create_token(session, user=owner, name=fields.pop("name", f"Token {n}"), scopes=scopes,
                                   actor=None, ip="", **fields)
