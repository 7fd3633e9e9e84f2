"""Repository credentials: stored sealed, write-only, verified against DataCite, cleared when the repository moves.

A credential belongs to one repository ID in one DataCite system (production, test or the sandbox). It is
sealed in the vault, bound to its row and field, and opened only to travel with a request to that system.
Nothing here returns it to a page, a log or an error; every store, use, verification and clearing is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.datacite import Credentials, DataCiteError
from portal.errors import DomainError, ValidationFailed
from portal.models import CredentialKind, Repository, RepositoryCredential
from portal.services import tokens
from portal.services.credential_status import (  # re-exported: pages ask this module for the status
    CredentialStatus,
    credential_status,
    credential_statuses,
    needing_attention,
)
from portal.services.datacite_calls import TARGET_LABELS, Caller, Connector, connect
from portal.vault import Binding, Vault, VaultError

__all__ = [
    "IDENTITY_FIELDS", "CredentialStatus", "NoCredential", "VerifyOutcome", "clean_secret", "clear_credential",
    "credential_status", "credential_statuses", "flag_credential", "forget_credential", "forget_on_identity_change",
    "get_credential", "handover_subject", "kind_of", "needing_attention", "open_credentials", "set_credential",
    "store_credential", "verify_credential",
]

HANDOVER_PURPOSE = "credential-handover"
MAX_SECRET_LENGTH = 500
# A change of any of these sends calls somewhere else, so the stored credential no longer applies (C20, C25).
IDENTITY_FIELDS = ("symbol", "environment", "api_target")


class NoCredential(DomainError):
    """The repository has no usable credential stored."""

    status = 409


def handover_subject(repository: Repository) -> str:
    """The subject of hand-over tokens for a repository (revoked together when its credential is cleared)."""
    return f"repository:{repository.id}"


def kind_of(secret: str) -> CredentialKind:
    """API keys start with DC.; anything else is a repository password."""
    return CredentialKind.api_key if secret.startswith("DC.") else CredentialKind.password


def clean_secret(secret: str) -> str:
    """The secret as it will be stored, or ValidationFailed on the ``secret`` field (never echoing it)."""
    value = (secret or "").strip()
    if not value:
        raise ValidationFailed({"secret": "Enter the repository's password or API key."})
    if len(value) > MAX_SECRET_LENGTH:
        raise ValidationFailed({"secret": f"That is longer than {MAX_SECRET_LENGTH} characters; paste only the "
                                          "password or API key."})
    if any(ord(ch) < 32 or ch == "\x7f" for ch in value):
        raise ValidationFailed({"secret": "The value contains line breaks or control characters; paste only the "
                                          "password or API key."})
    return value


def get_credential(session: Session, repository: Repository) -> RepositoryCredential | None:
    """The repository's credential row (stored or cleared), if it ever had one."""
    return session.exec(select(RepositoryCredential).where(RepositoryCredential.repository_id == repository.id)).first()


def _binding(row: RepositoryCredential) -> Binding:
    return Binding.for_row(row, "secret")


def store_credential(session: Session, repository: Repository, *, secret: str, vault: Vault, via: str,
                     caller: Caller, ip: str, now: datetime) -> RepositoryCredential:
    """Seal and store (or replace) the credential, resetting its verification; the caller commits."""
    value = clean_secret(secret)
    row = get_credential(session, repository)
    if row is None:
        row = RepositoryCredential(repository_id=repository.id or 0)
        session.add(row)
        session.flush()
    kind = kind_of(value)
    row.secret = vault.seal(value, _binding(row))
    row.kind = kind.value
    row.symbol = repository.symbol
    row.target = repository.datacite_target
    row.set_at = now
    row.set_by_id = getattr(caller.user, "id", None)
    row.set_by_label = (caller.label or getattr(caller.user, "name", "") or "system")[:254]
    row.set_via = via
    row.last_verified_at = None
    row.last_verification_ok = None
    row.last_verification_reason = ""
    row.needs_attention = False
    row.cleared_at = None
    row.cleared_by_label = ""
    row.cleared_reason = ""
    session.add(row)
    audit.record(session, "credential.store", actor=caller.user, actor_label=caller.label or None, target=repository,
                 detail={"kind": kind.value, "via": via, "target": row.target}, ip=ip)
    return row


def set_credential(session: Session, repository: Repository, *, secret: str, vault: Vault, via: str,
                   caller: Caller, ip: str, now: datetime) -> RepositoryCredential:
    """Store (or replace) the repository's credential and commit."""
    row = store_credential(session, repository, secret=secret, vault=vault, via=via, caller=caller, ip=ip, now=now)
    session.commit()
    return row


def forget_credential(session: Session, repository: Repository, *, caller: Caller, reason: str, ip: str,
                      now: datetime) -> bool:
    """Remove the stored secret (keeping who/when/why) and revoke open hand-over links; the caller commits.

    Returns False when nothing was stored.
    """
    tokens.revoke_tokens(session, purpose=HANDOVER_PURPOSE, subject=handover_subject(repository), now=now)
    row = get_credential(session, repository)
    if row is None or not row.is_set:
        return False
    row.secret = None
    row.needs_attention = False
    row.cleared_at = now
    row.cleared_by_label = (caller.label or getattr(caller.user, "name", "") or "system")[:254]
    row.cleared_reason = reason[:300]
    session.add(row)
    audit.record(session, "credential.clear", actor=caller.user, actor_label=caller.label or None, target=repository,
                 detail={"reason": reason, "target": row.target}, ip=ip)
    return True


def clear_credential(session: Session, repository: Repository, *, caller: Caller, reason: str, ip: str,
                     now: datetime) -> bool:
    """Clear the repository's credential on request and commit; False when none was stored."""
    cleared = forget_credential(session, repository, caller=caller, reason=reason, ip=ip, now=now)
    session.commit()
    return cleared


def forget_on_identity_change(session: Session, repository: Repository, changes: dict[str, Any], *,
                              caller: Caller, ip: str, now: datetime) -> bool:
    """Clear the credential when the repository's ID, environment or API target changed; the caller commits."""
    moved = [name for name in IDENTITY_FIELDS if name in changes]
    if not moved:
        return False
    what = ", ".join(f"{name} {changes[name][0]} → {changes[name][1]}" for name in moved)
    return forget_credential(session, repository, caller=caller, reason=f"repository changed: {what}", ip=ip, now=now)


def open_credentials(session: Session, repository: Repository, *, vault: Vault, caller: Caller, purpose: str,
                     ip: str, now: datetime, audit_use: bool = True) -> Credentials:
    """The credentials to send with one call, audited as a use; NoCredential when none can be used.

    A credential stored for another repository ID or DataCite system is cleared here, never sent (C25).
    ``audit_use=False`` when the caller writes its own single event for the action (a verification).
    """
    row = get_credential(session, repository)
    if row is None or not row.is_set:
        raise NoCredential(f"No credential is stored for {repository.symbol}. Set it, or send the member a secure "
                           "link to enter it.")
    if row.symbol != repository.symbol or row.target != repository.datacite_target:
        forget_credential(session, repository, caller=caller, ip=ip, now=now,
                          reason=f"stored for {row.symbol} in {row.target}, now {repository.symbol} in "
                                 f"{repository.datacite_target}")
        session.commit()
        raise NoCredential(f"The stored credential was meant for {row.symbol} in the {TARGET_LABELS.get(row.target, row.target)}; "
                           "it has been cleared instead of being sent elsewhere. Set it again.")
    try:
        secret = vault.open(row.secret or "", _binding(row))
    except VaultError:
        raise NoCredential("The stored credential cannot be decrypted with the current key ring (run `secrets "
                           "doctor`). Set it again.") from None
    row.last_used_at = now
    session.add(row)
    if audit_use:
        audit.record(session, "credential.use", actor=caller.user, actor_label=caller.label or None,
                     target=repository, detail={"purpose": purpose, "target": row.target}, ip=ip)
    session.commit()
    return Credentials(repository.symbol, secret)


def flag_credential(session: Session, repository: Repository, *, reason: str) -> None:
    """Mark the stored credential as needing attention after DataCite refused it; the caller commits."""
    row = get_credential(session, repository)
    if row is not None and row.is_set:
        row.needs_attention = True
        row.last_verification_ok = False
        row.last_verification_reason = reason[:1000]
        session.add(row)


@dataclass(frozen=True)
class VerifyOutcome:
    """What a verification found: checked (DataCite answered) or not, the verdict, and why."""

    checked: bool
    ok: bool
    reason: str
    error: DataCiteError | None = None


def verify_credential(session: Session, repository: Repository, *, vault: Vault, connector: Connector,
                      caller: Caller, ip: str, now: datetime) -> VerifyOutcome:
    """Ask DataCite (or the sandbox) whether the stored credential works, and keep the verdict.

    A refused credential is flagged for attention. When DataCite cannot be asked (outage, rate limit) the
    earlier verdict stays and the outcome says so.
    """
    credentials = open_credentials(session, repository, vault=vault, caller=caller, purpose="verify", ip=ip, now=now,
                                   audit_use=False)
    with connect(session, connector, repository, caller=caller) as connection:
        try:
            verdict = connection.call("verify", lambda client: client.verify_credentials(credentials),
                                      with_credentials=True,
                                      summarise=lambda v: ("accepted: " if v.ok else "refused: ") + v.reason)
        except DataCiteError as err:
            audit.record(session, "credential.verify", actor=caller.user, actor_label=caller.label or None,
                         target=repository, detail={"checked": False, "error": err.error_class}, ip=ip)
            session.commit()
            return VerifyOutcome(checked=False, ok=False, reason=err.explanation, error=err)
    row = get_credential(session, repository)
    if row is not None and row.is_set:
        row.last_verified_at = now
        row.last_verification_ok = verdict.ok
        row.last_verification_reason = verdict.reason[:1000]
        row.needs_attention = not verdict.ok
        session.add(row)
    audit.record(session, "credential.verify", actor=caller.user, actor_label=caller.label or None, target=repository,
                 detail={"checked": True, "ok": verdict.ok, "reason": verdict.reason}, ip=ip)
    session.commit()
    return VerifyOutcome(checked=True, ok=verdict.ok, reason=verdict.reason)
