"""Signed, expiring, single-use links: invitations, password resets, credential hand-overs."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlmodel import Session, select

from portal.errors import DomainError
from portal.models import OneTimeToken


class TokenInvalid(DomainError):
    """The link is unknown, altered, expired or already used."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _signer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"portal.token.{purpose}")


def issue_token(
    session: Session,
    *,
    secret_key: str,
    purpose: str,
    ttl: timedelta,
    now: datetime,
    user_id: int | None = None,
    subject: str = "",
    created_by_id: int | None = None,
) -> str:
    """Create a token row and return the signed value to put in a link (the caller commits)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=_digest(raw),
            user_id=user_id,
            subject=subject,
            created_by_id=created_by_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return _signer(secret_key, purpose).dumps(raw)


def _raw(secret_key: str, purpose: str, signed: str) -> str:
    try:
        raw = _signer(secret_key, purpose).loads(signed)
    except BadSignature:
        raise TokenInvalid("This link is not valid. Ask for a new one.") from None
    if not isinstance(raw, str):
        raise TokenInvalid("This link is not valid. Ask for a new one.")
    return raw


def peek_token(session: Session, *, secret_key: str, purpose: str, signed: str, now: datetime) -> OneTimeToken:
    """The token behind a link, if it is still usable; raise TokenInvalid otherwise."""
    row = session.exec(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == _digest(_raw(secret_key, purpose, signed)),
            OneTimeToken.purpose == purpose,
        )
    ).first()
    if row is None:
        raise TokenInvalid("This link is not valid. Ask for a new one.")
    if row.used_at is not None:
        raise TokenInvalid("This link has already been used. Ask for a new one if you still need it.")
    if row.expires_at <= now:
        raise TokenInvalid("This link has expired. Ask for a new one.")
    return row


def consume_token(session: Session, *, secret_key: str, purpose: str, signed: str, now: datetime) -> OneTimeToken:
    """Mark the token used, atomically: of two concurrent uses exactly one succeeds (the caller commits)."""
    row = peek_token(session, secret_key=secret_key, purpose=purpose, signed=signed, now=now)
    result = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise TokenInvalid("This link has already been used. Ask for a new one if you still need it.")
    row.used_at = now
    return row


def revoke_tokens(session: Session, *, purpose: str, user_id: int | None = None, subject: str | None = None,
                  now: datetime) -> None:
    """Use up every open token of a purpose for a user or subject (a newer link replaces older ones)."""
    stmt = update(OneTimeToken).where(OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None))  # type: ignore[union-attr]
    if user_id is not None:
        stmt = stmt.where(OneTimeToken.user_id == user_id)
    if subject is not None:
        stmt = stmt.where(OneTimeToken.subject == subject)
    session.execute(stmt.values(used_at=now))
