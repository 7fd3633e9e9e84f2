"""The SMTP password kept in the vault: admins set it (write-only); delivery opens it only to log in."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal import audit
from portal.errors import ValidationFailed
from portal.models import SmtpSecret, User
from portal.vault import Binding, Vault


def _row(session: Session) -> SmtpSecret | None:
    return session.exec(select(SmtpSecret).order_by(SmtpSecret.id)).first()


def has_smtp_password(session: Session) -> bool:
    row = _row(session)
    return row is not None and bool(row.password)


def set_smtp_password(session: Session, *, password: str, vault: Vault, actor: User, now: datetime,
                      ip: str = "") -> None:
    """Seal a new SMTP password (an empty one removes it)."""
    if len(password) > 1000 or any(ch in password for ch in "\r\n\x00"):
        raise ValidationFailed({"password": "Give the password on one line (at most 1,000 characters)."})
    row = _row(session) or SmtpSecret()
    session.add(row)
    session.flush()
    row.password = vault.seal(password, Binding.for_row(row, "password")) if password else None
    row.updated_at, row.updated_by_id = now, actor.id
    audit.record(session, "mail.smtp_password", actor=actor, detail={"set": bool(password)}, ip=ip)
    session.commit()


def smtp_password(session: Session, vault: Vault) -> str:
    """The stored SMTP password, or an empty string."""
    row = _row(session)
    if row is None or not row.password:
        return ""
    return vault.open(row.password, Binding.for_row(row, "password")).reveal()
