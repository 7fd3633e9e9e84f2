"""Secure hand-over: a one-time link, bound to one repository and one person, to enter its credential.

The link is signed, expires (HANDOVER_HOURS) and works once. It names nothing secret; the page behind it
shows which repository and DataCite system the credential is for. The repository comes from the link's
record, never from the form. After saving, the credential is verified and the person sees the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.errors import DomainError, ValidationFailed
from portal.models import (
    Contact,
    CredentialHandover,
    CredentialSource,
    OneTimeToken,
    Organisation,
    Repository,
    Role,
    User,
)
from portal.services import tokens
from portal.services.credentials import (
    HANDOVER_PURPOSE,
    VerifyOutcome,
    clean_secret,
    handover_subject,
    store_credential,
    verify_credential,
)
from portal.services.datacite_calls import TARGET_LABELS, Caller, Connector
from portal.services.outbox import queue_mail
from portal.services.tokens import TokenInvalid
from portal.vault import Vault

__all__ = ["HandoverPolicy", "HandoverResult", "HandoverView", "Recipient", "TokenInvalid", "complete_handover",
           "handover_recipients", "issue_handover", "list_handovers", "open_handover"]


@dataclass(frozen=True)
class HandoverPolicy:
    """The settings hand-over links need, read once from the configuration."""

    secret_key: str
    base_url: str
    site_name: str
    ttl: timedelta
    echo_mail: bool = False

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> HandoverPolicy:
        return cls(secret_key=cfg["SECRET_KEY"], base_url=str(cfg["BASE_URL"]).rstrip("/"),
                   site_name=cfg["SITE_NAME"], ttl=timedelta(hours=int(cfg["HANDOVER_HOURS"])),
                   echo_mail=bool(cfg.get("MAIL_PRINT")))


@dataclass(frozen=True)
class Recipient:
    """Someone at the repository's organisation who may receive a link: a contact or a member user."""

    key: str
    name: str
    email: str
    role: str
    contact_id: int | None = None
    user_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}> ({self.role})"


def handover_recipients(session: Session, repository: Repository) -> list[Recipient]:
    """The organisation's contacts and active member users, each once per address."""
    found: dict[str, Recipient] = {}
    contacts = session.exec(select(Contact).where(Contact.organisation_id == repository.organisation_id)
                            .order_by(Contact.name)).all()
    for contact in contacts:
        found.setdefault(contact.email.lower(), Recipient(key=f"contact:{contact.id}", name=contact.name,
                                                          email=contact.email, role=f"{contact.role} contact",
                                                          contact_id=contact.id))
    people = session.exec(select(User).where(User.organisation_id == repository.organisation_id,
                                             User.role == Role.member, User.active.is_(True))  # type: ignore[attr-defined]
                          .order_by(User.name)).all()
    for person in people:
        found.setdefault(person.email.lower(), Recipient(key=f"user:{person.id}", name=person.name,
                                                         email=person.email, role="portal user", user_id=person.id))
    return list(found.values())


def issue_handover(session: Session, repository: Repository, *, recipient_key: str, policy: HandoverPolicy,
                   caller: Caller, ip: str, now: datetime) -> tuple[CredentialHandover, str]:
    """Mail a new one-time link to one recipient; earlier open links for this repository stop working."""
    recipient = next((r for r in handover_recipients(session, repository) if r.key == recipient_key), None)
    if recipient is None:
        raise ValidationFailed({"recipient": "Choose one of this organisation's contacts or portal users."})
    subject = handover_subject(repository)
    tokens.revoke_tokens(session, purpose=HANDOVER_PURPOSE, subject=subject, now=now)
    signed = tokens.issue_token(session, secret_key=policy.secret_key, purpose=HANDOVER_PURPOSE, ttl=policy.ttl,
                                now=now, user_id=recipient.user_id, subject=subject,
                                created_by_id=getattr(caller.user, "id", None))
    session.flush()
    token = session.exec(select(OneTimeToken).where(
        OneTimeToken.purpose == HANDOVER_PURPOSE, OneTimeToken.subject == subject,
        OneTimeToken.used_at.is_(None)).order_by(OneTimeToken.id.desc())).first()  # type: ignore[union-attr]
    assert token is not None  # issued just above; every older one was revoked
    handover = CredentialHandover(repository_id=repository.id or 0, token_id=token.id or 0,
                                  recipient_name=recipient.name, recipient_email=recipient.email,
                                  contact_id=recipient.contact_id, user_id=recipient.user_id,
                                  created_by_id=getattr(caller.user, "id", None), created_at=now,
                                  expires_at=token.expires_at)
    session.add(handover)
    link = f"{policy.base_url}/handover/{signed}"
    hours = int(policy.ttl.total_seconds() // 3600)
    sender = getattr(caller.user, "name", "") or policy.site_name
    system = TARGET_LABELS.get(repository.datacite_target, repository.datacite_target)
    queue_mail(
        session,
        to=recipient.email,
        subject=f"Please enter the DataCite credential for {repository.symbol}",
        text=(
            f"Hello {recipient.name},\n\n{sender} at the {policy.site_name} asks you to enter the password or API key "
            f"of the DataCite repository {repository.symbol} ({system}) so that we can check your DOI registrations.\n\n"
            f"Enter it on this page (the link works once, for {hours} hours):\n\n{link}\n\n"
            "Please do not send the password by e-mail. Nobody at the portal can read it back once it is saved.\n"
        ),
        kind="credential-handover",
        echo=policy.echo_mail,
    )
    audit.record(session, "credential.handover_issue", actor=caller.user, target=repository,
                 detail={"recipient": recipient.email, "expires_at": token.expires_at.isoformat()}, ip=ip)
    session.commit()
    return handover, link


@dataclass(frozen=True)
class HandoverView:
    """What the hand-over page shows: the link's record, its repository and organisation."""

    handover: CredentialHandover
    repository: Repository
    organisation: Organisation | None

    @property
    def system_label(self) -> str:
        return TARGET_LABELS.get(self.repository.datacite_target, self.repository.datacite_target)


def open_handover(session: Session, *, signed: str, policy: HandoverPolicy, now: datetime) -> HandoverView:
    """The hand-over behind a link while it is usable; TokenInvalid otherwise."""
    token = tokens.peek_token(session, secret_key=policy.secret_key, purpose=HANDOVER_PURPOSE, signed=signed, now=now)
    handover = session.exec(select(CredentialHandover).where(CredentialHandover.token_id == token.id)).first()
    repository = session.get(Repository, handover.repository_id) if handover else None
    if handover is None or repository is None or token.subject != handover_subject(repository):
        raise TokenInvalid("This link is not valid. Ask for a new one.")
    return HandoverView(handover=handover, repository=repository,
                        organisation=session.get(Organisation, repository.organisation_id))


@dataclass(frozen=True)
class HandoverResult:
    """After a hand-over: the repository and what verification found."""

    repository: Repository
    verification: VerifyOutcome


def complete_handover(session: Session, *, signed: str, secret: str, policy: HandoverPolicy, vault: Vault,
                      connector: Connector, ip: str, now: datetime) -> HandoverResult:
    """Store the credential through the link (which is used up in the same unit of work), then verify it."""
    view = open_handover(session, signed=signed, policy=policy, now=now)
    clean_secret(secret)  # a mistyped form keeps the link usable
    handover, repository = view.handover, view.repository
    caller = Caller(label=f"{handover.recipient_name} <{handover.recipient_email}>")
    tokens.consume_token(session, secret_key=policy.secret_key, purpose=HANDOVER_PURPOSE, signed=signed, now=now)
    store_credential(session, repository, secret=secret, vault=vault, via=CredentialSource.handover, caller=caller,
                     ip=ip, now=now)
    handover.used_at = now
    session.add(handover)
    audit.record(session, "credential.handover_complete", actor_label=caller.label, target=repository,
                 detail={"handover_id": handover.id}, ip=ip)
    session.commit()
    try:
        outcome = verify_credential(session, repository, vault=vault, connector=connector, caller=caller, ip=ip,
                                    now=now)
    except DomainError as exc:  # saved, but the portal cannot reach DataCite to check it now
        outcome = VerifyOutcome(checked=False, ok=False, reason=exc.message)
    if not outcome.checked:
        handover.outcome = f"saved; not verified: {outcome.reason}"[:1000]
    else:
        handover.outcome = (f"saved; verified: {'ok' if outcome.ok else 'failed'} ({outcome.reason})")[:1000]
    session.add(handover)
    session.commit()
    return HandoverResult(repository=repository, verification=outcome)


def list_handovers(session: Session, repository: Repository, *, limit: int = 10) -> list[CredentialHandover]:
    """The repository's latest hand-over links, newest first."""
    return list(session.exec(select(CredentialHandover).where(CredentialHandover.repository_id == repository.id)
                             .order_by(CredentialHandover.id.desc()).limit(limit)).all())  # type: ignore[union-attr]
