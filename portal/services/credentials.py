"""Repository credentials: stored sealed, write-only, verified against DataCite, cleared when the repository moves.

A credential belongs to one repository ID in one DataCite system (production, test or the sandbox). It is
sealed in the vault, bound to its row and field, and opened only to travel with a request to that system.
Nothing here returns it to a page, a log or an error; every store, use, verification and clearing is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.datacite import Credentials, DataCiteError
from portal.errors import DomainError, ValidationFailed
from portal.models import CredentialKind, CredentialSource, Repository, RepositoryCredential
from portal.services import tokens
from portal.services.datacite_calls import TARGET_LABELS, Caller, Connector, connect
from portal.vault import Binding, Vault, VaultError

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


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


VIA_LABELS = {CredentialSource.agent: "", CredentialSource.member: " (member)",
              CredentialSource.handover: " through a secure link", CredentialSource.seed: " (demo data)"}


@dataclass(frozen=True)
class CredentialStatus:
    """What pages may show about a credential: everything except the secret."""

    stored: bool
    kind: str = ""
    target: str = ""
    set_at: datetime | None = None
    set_by: str = ""
    set_via: str = ""
    last_used_at: datetime | None = None
    last_verified_at: datetime | None = None
    verified_ok: bool | None = None
    verification_reason: str = ""
    needs_attention: bool = False
    cleared_at: datetime | None = None
    cleared_by: str = ""
    cleared_reason: str = ""

    @property
    def kind_label(self) -> str:
        return CredentialKind(self.kind).label if self.kind in CredentialKind.__members__ else "credential"

    def describe(self, when: Callable[[datetime], str] = _utc) -> str:
        """One line: "Password set on … by …, last verified …: ok" (or why there is none)."""
        if not self.stored:
            text = "No credential stored"
            if self.cleared_at:
                text += f" (cleared on {when(self.cleared_at)} by {self.cleared_by}: {self.cleared_reason})"
            return text + "."
        via = VIA_LABELS.get(CredentialSource(self.set_via), "") if self.set_via in CredentialSource.__members__ else ""
        label = self.kind_label
        text = f"{label[0].upper() + label[1:]} set on {when(self.set_at) if self.set_at else '—'} by {self.set_by}{via}"
        if self.last_verified_at is not None:
            verdict = "ok" if self.verified_ok else f"failed ({self.verification_reason})"
            text += f", last verified {when(self.last_verified_at)}: {verdict}"
        elif self.verified_ok is False:
            text += f"; DataCite refused it in use ({self.verification_reason})"
        else:
            text += ", not verified yet"
        return text + "."


def _status(row: RepositoryCredential | None) -> CredentialStatus:
    if row is None:
        return CredentialStatus(stored=False)
    return CredentialStatus(
        stored=row.is_set, kind=row.kind, target=row.target, set_at=row.set_at, set_by=row.set_by_label,
        set_via=row.set_via, last_used_at=row.last_used_at, last_verified_at=row.last_verified_at,
        verified_ok=row.last_verification_ok, verification_reason=row.last_verification_reason,
        needs_attention=row.needs_attention, cleared_at=row.cleared_at, cleared_by=row.cleared_by_label,
        cleared_reason=row.cleared_reason,
    )


def credential_status(session: Session, repository: Repository) -> CredentialStatus:
    """The repository's credential as pages show it (never the secret)."""
    return _status(get_credential(session, repository))


def needing_attention(session: Session, *, limit: int = 20) -> list[tuple[Repository, CredentialStatus]]:
    """Repositories whose stored credential DataCite refused, most recently checked first."""
    rows = session.exec(
        select(Repository, RepositoryCredential)
        .join(RepositoryCredential, RepositoryCredential.repository_id == Repository.id)  # type: ignore[arg-type]
        .where(RepositoryCredential.needs_attention.is_(True), RepositoryCredential.secret.is_not(None))  # type: ignore[attr-defined,union-attr]
        .order_by(RepositoryCredential.last_verified_at.desc(), Repository.symbol)  # type: ignore[union-attr]
        .limit(limit)
    ).all()
    return [(repository, _status(row)) for repository, row in rows]


def credential_statuses(session: Session, repositories: Iterable[Repository]) -> dict[int, CredentialStatus]:
    """Statuses for several repositories at once, by repository id."""
    ids = [r.id for r in repositories if r.id is not None]
    rows = session.exec(select(RepositoryCredential).where(RepositoryCredential.repository_id.in_(ids))).all() if ids else []  # type: ignore[attr-defined]
    found = {row.repository_id: row for row in rows}
    return {rid: _status(found.get(rid)) for rid in ids}
