"""Walk every sealed value: prove they all decrypt (doctor), re-seal them under the primary key (rotate)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from portal.models import ENCRYPTED_FIELDS
from portal.vault import Binding, Vault, VaultError, key_id_of


@dataclass
class DoctorReport:
    total: int = 0
    ok: int = 0
    by_key: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


@dataclass
class RotateReport:
    resealed: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def _rows(session: Session, model: Any, column: str, batch: int, after: int = 0) -> Iterator[list[Any]]:
    attr = getattr(model, column)
    while True:
        rows = session.exec(
            select(model).where(attr.is_not(None), model.id > after).order_by(model.id).limit(batch)
        ).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1].id


def doctor(session: Session, vault: Vault, *, batch: int = 500) -> DoctorReport:
    """Open every sealed value with the current key ring."""
    report = DoctorReport()
    for model, column in ENCRYPTED_FIELDS:
        for rows in _rows(session, model, column, batch):
            for row in rows:
                blob = getattr(row, column)
                report.total += 1
                try:
                    vault.open(blob, Binding.for_row(row, column))
                except VaultError as exc:
                    report.problems.append(str(exc))
                    continue
                report.ok += 1
                report.by_key[key_id_of(blob)] += 1
    return report


def rotate(session: Session, vault: Vault, *, batch: int = 200,
           progress: Callable[[str], None] | None = None) -> RotateReport:
    """Re-seal values not under the primary key, one committed batch at a time (idempotent, resumable)."""
    report = RotateReport()
    for model, column in ENCRYPTED_FIELDS:
        for rows in _rows(session, model, column, batch):
            changed = 0
            for row in rows:
                blob = getattr(row, column)
                try:
                    if not vault.needs_rotation(blob):
                        continue
                    binding = Binding.for_row(row, column)
                    setattr(row, column, vault.seal(vault.open(blob, binding).reveal(), binding))
                except VaultError as exc:
                    report.failed += 1
                    report.problems.append(str(exc))
                    continue
                session.add(row)
                changed += 1
            session.commit()
            report.resealed += changed
            if progress and changed:
                progress(f"{model.__tablename__}.{column}: {report.resealed} re-sealed so far")
    return report
