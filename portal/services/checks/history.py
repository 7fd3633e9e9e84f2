"""History per repository: counts by state at each health run, and where the checks stand for it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import Finding, HealthSnapshot, RepositoryCheck


@dataclass(frozen=True)
class RepositoryHealth:
    state: RepositoryCheck | None
    snapshots: list[HealthSnapshot]  # oldest first
    findings: list[Finding]  # open ones, most severe first

    @property
    def latest(self) -> HealthSnapshot | None:
        return self.snapshots[-1] if self.snapshots else None


def repository_health(session: Session, repository_id: int, *, limit: int = 60) -> RepositoryHealth:
    """The last ``limit`` snapshots, the check state and the open findings of one repository."""
    snapshots = list(session.exec(select(HealthSnapshot).where(HealthSnapshot.repository_id == repository_id)
                                  .order_by(HealthSnapshot.taken_at.desc()).limit(limit)).all())  # type: ignore[attr-defined]
    order = {"high": 0, "medium": 1, "low": 2}
    findings = sorted(session.exec(select(Finding).where(Finding.repository_id == repository_id,
                                                         Finding.closed_at.is_(None))).all(),  # type: ignore[union-attr]
                      key=lambda f: (order.get(f.severity, 9), f.opened_at))
    return RepositoryHealth(state=session.get(RepositoryCheck, repository_id), snapshots=snapshots[::-1],
                            findings=findings)
