"""TOTP second factor: enrolment, replay-proof verification, recovery codes (C08)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlmodel import Session, select

from portal import audit
from portal.errors import Throttled, ValidationFailed
from portal.models import RecoveryCode, User
from portal.services import throttle
from portal.vault import Binding, Vault

RECOVERY_CODES = 10
MAX_FAILURES = 5
LOCK = timedelta(minutes=5)


def _binding(user: User) -> Binding:
    return Binding.for_row(user, "totp_secret")


def begin_enrolment(session: Session, user: User, *, vault: Vault) -> str:
    """Store a new pending secret (sealed) and return it for the QR code and manual entry."""
    secret = pyotp.random_base32()
    user.totp_secret = vault.seal(secret, _binding(user))
    user.totp_enabled = False
    user.totp_last_timecode = None
    session.add(user)
    session.commit()
    return secret


def pending_secret(user: User, *, vault: Vault) -> str | None:
    if not user.totp_secret:
        return None
    return vault.open(user.totp_secret, _binding(user)).reveal()


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _match(secret: str, code: str, now: datetime, last: int | None) -> int | None:
    """The timecode a code belongs to (now, one step before or after), if not already used."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for timecode in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(timecode), code) and (last is None or timecode > last):
            return timecode
    return None


def _throttled(session: Session, user: User, now: datetime) -> None:
    wait = throttle.locked_for(session, [f"totp:{user.id}"], now)
    if wait:
        raise Throttled(f"Too many wrong codes. Try again in {max(1, -(-wait // 60))} minutes.", wait)


def _fail(session: Session, user: User, now: datetime, ip: str) -> None:
    throttle.record_failure(session, [throttle.Limit(f"totp:{user.id}", MAX_FAILURES, LOCK)], now)
    audit.record(session, "auth.totp_failed", actor=user, target=user, ip=ip)
    session.commit()


def confirm_enrolment(session: Session, user: User, *, vault: Vault, code: str, now: datetime, ip: str) -> list[str]:
    """Turn on the second factor once the person proves their app has the secret; returns recovery codes."""
    _throttled(session, user, now)
    secret = pending_secret(user, vault=vault)
    timecode = _match(secret, code, now, None) if secret else None
    if timecode is None:
        _fail(session, user, now, ip)
        raise ValidationFailed({"code": "That code is not right. Check the time on your phone and try the current code."})
    user.totp_enabled = True
    user.totp_last_timecode = timecode
    codes = _replace_recovery_codes(session, user)
    audit.record(session, "auth.totp_enrolled", actor=user, target=user, ip=ip)
    session.commit()
    return codes


def verify(session: Session, user: User, *, vault: Vault, code: str, now: datetime, ip: str) -> None:
    """Check a sign-in code: a code is accepted once, within one step of now; attempts are throttled."""
    _throttled(session, user, now)
    secret = pending_secret(user, vault=vault) if user.totp_enabled else None
    timecode = _match(secret, code, now, user.totp_last_timecode) if secret else None
    if timecode is None:
        _fail(session, user, now, ip)
        raise ValidationFailed({"code": "That code is not right, or it was already used. Wait for the next code."})
    user.totp_last_timecode = timecode
    session.add(user)
    throttle.clear(session, f"totp:{user.id}")
    audit.record(session, "auth.totp_ok", actor=user, target=user, ip=ip)
    session.commit()


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id or 0, code_hash=_digest(raw)))
    return codes


def new_recovery_codes(session: Session, user: User, *, ip: str) -> list[str]:
    codes = _replace_recovery_codes(session, user)
    audit.record(session, "auth.recovery_codes_renewed", actor=user, target=user, ip=ip)
    session.commit()
    return codes


def use_recovery_code(session: Session, user: User, *, code: str, now: datetime, ip: str) -> None:
    """Sign in with a recovery code, which is then spent."""
    _throttled(session, user, now)
    row = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if row is None:
        _fail(session, user, now, ip)
        raise ValidationFailed({"code": "That recovery code is not right or was already used."})
    row.used_at = now
    session.add(row)
    audit.record(session, "auth.recovery_code_used", actor=user, target=user, ip=ip)
    session.commit()


def remaining_recovery_codes(session: Session, user: User) -> int:
    rows = session.exec(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))  # type: ignore[union-attr]
    ).all()
    return len(rows)


def reset(session: Session, user: User, *, actor: User, ip: str) -> None:
    """Remove a person's second factor (lost phone); they enrol again at next sign-in."""
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_timecode = None
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    user.session_version += 1
    session.add(user)
    audit.record(session, "auth.totp_reset", actor=actor, target=user, ip=ip)
    session.commit()
