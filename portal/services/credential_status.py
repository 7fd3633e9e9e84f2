"""What pages may show about a repository credential: who set it, when, and what DataCite said; never the secret."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from portal.models import CredentialKind, CredentialSource, Repository, RepositoryCredential


def _row(session: Session, repository: Repository) -> RepositoryCredential | None:
    return session.exec(select(RepositoryCredential).where(RepositoryCredential.repository_id == repository.id)).first()


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
    return _status(_row(session, repository))


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
