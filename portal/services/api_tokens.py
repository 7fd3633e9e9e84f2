"""API tokens: issued once in plain text, stored as SHA-256 digests, checked on every API call (C05)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import ApiToken, Role, User
from portal.models.types import utcnow

TOKEN_PREFIX = "rsp_"  # noqa: S105  (the public marker of our tokens, not a secret)
PREFIX_LENGTH = 8  # what lists show: "rsp_" and four random characters
TOKEN_BYTES = 32  # 256 random bits
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 25
MAX_TOKEN_LENGTH = 100
_TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")

TICKETS_READ = "tickets:read"
TICKETS_WRITE = "tickets:write"
STAFF_REQUESTS_WRITE = "staff-requests:write"
PROFILE_READ = "profile:read"

SCOPES: dict[str, str] = {
    TICKETS_READ: "Read tickets and their replies.",
    TICKETS_WRITE: "Create tickets, reply to them and change their status.",
    STAFF_REQUESTS_WRITE: "Send requests from DataCite staff.",
    PROFILE_READ: "Read the service provider's profile.",
}

# What each role may hold, which is also what a new token gets by default. Roles not listed hold no tokens.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.admin: frozenset({TICKETS_READ, TICKETS_WRITE}),
    Role.agent: frozenset({TICKETS_READ, TICKETS_WRITE}),
    Role.datacite_staff: frozenset({STAFF_REQUESTS_WRITE, PROFILE_READ}),
}


def digest(plaintext: str) -> str:
    """The SHA-256 hex digest stored in place of a token (tokens carry 256 random bits, so no salt is needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def allowed_scopes(role: str) -> frozenset[str]:
    """The scopes a user of this role may hold; empty when the role cannot use the API."""
    return ROLE_SCOPES.get(role, frozenset())


def effective_scopes(token: ApiToken, user: User) -> frozenset[str]:
    """The token's scopes that the owner's current role still allows (a role change narrows old tokens)."""
    return token.scope_set & allowed_scopes(user.role)


def _looks_like_token(plaintext: str) -> bool:
    return (
        len(plaintext) <= MAX_TOKEN_LENGTH
        and plaintext.startswith(TOKEN_PREFIX)
        and len(plaintext) > len(TOKEN_PREFIX)
        and set(plaintext[len(TOKEN_PREFIX):]) <= _TOKEN_ALPHABET
    )


def _clean_name(name: str, errors: dict[str, str]) -> str:
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the token a name that says where it is used."
    elif len(name) > 100:
        errors["name"] = "Use at most 100 characters."
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        errors["name"] = "Use letters, digits and punctuation only."
    return name


def create_token(
    session: Session,
    *,
    user: User,
    name: str,
    scopes: set[str] | frozenset[str] | list[str] | None,
    expires_at: datetime | None = None,
    actor: User | None,
    ip: str,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` and return it with its plain text, which is never stored or shown again."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    name = _clean_name(name, errors)
    allowed = allowed_scopes(user.role)
    chosen = allowed if scopes is None else frozenset(scopes)
    if not allowed:
        errors["scopes"] = f"The role {user.role_label} cannot use the API."
    elif not chosen:
        errors["scopes"] = "Choose at least one scope."
    elif not chosen <= allowed:
        unknown = ", ".join(sorted(chosen - allowed))
        errors["scopes"] = f"Not available to the role {user.role_label}: {unknown}."
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    if not user.active:
        errors["user"] = "The account is deactivated."
    if not errors and len(list_tokens(session, user, now=now, include_inactive=False)) >= MAX_ACTIVE_TOKENS:
        errors["name"] = f"{user.name} already has {MAX_ACTIVE_TOKENS} active tokens; revoke one first."
    if errors:
        raise ValidationFailed(errors)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        user_id=user.id or 0,
        name=name,
        prefix=plaintext[:PREFIX_LENGTH],
        token_hash=digest(plaintext),
        scopes=" ".join(sorted(chosen)),
        created_at=now,
        expires_at=expires_at,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, "api_token.create", actor=actor, target=token, ip=ip, detail=_audit_detail(token, user))
    session.commit()
    return token, plaintext


def _audit_detail(token: ApiToken, user: User) -> dict[str, Any]:
    return {"user": user.email, "name": token.name, "prefix": token.prefix, "scopes": token.scopes,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None}


def authenticate(session: Session, plaintext: str, *, now: datetime) -> ApiToken | None:
    """The usable token behind ``plaintext``, or None (unknown, revoked, expired, or its owner cannot use the API).

    Records the time of use at most once a minute, so busy clients do not turn every call into a write.
    """
    if not _looks_like_token(plaintext):
        return None
    wanted = digest(plaintext)
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == wanted)).first()
    # The lookup is by digest, so timing reveals nothing about the token; compare anyway, in constant time.
    if token is None or not hmac.compare_digest(token.token_hash, wanted) or not token.is_usable(now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active or not allowed_scopes(user.role):
        return None
    if token.last_used_at is None or token.last_used_at <= now - TOUCH_INTERVAL:
        session.commit()  # end the read first: on SQLite a read that turns into a write can fail at once
        session.execute(
            update(ApiToken)
            .where(col(ApiToken.id) == token.id)
            .where(or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) <= now - TOUCH_INTERVAL))
            .values(last_used_at=now)
        )
        session.commit()
        token.last_used_at = now
    return token


def get_token(session: Session, token_id: int, *, owner: User | None = None) -> ApiToken:
    """One token; with ``owner``, only that user's own (anyone else's is 'not found', never 'forbidden')."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise NotFound("No such API token.")
    return token


def list_tokens(session: Session, user: User, *, now: datetime | None = None,
                include_inactive: bool = True) -> list[ApiToken]:
    """The user's tokens, newest first; without ``include_inactive`` only those still usable at ``now``."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.created_at).desc(),
                                                                       col(ApiToken.id).desc())
    tokens = list(session.exec(stmt).all())
    if include_inactive:
        return tokens
    moment = now or utcnow()
    return [t for t in tokens if t.is_usable(moment)]


def find_tokens(session: Session, text: str) -> list[ApiToken]:
    """Tokens matching a full token (by digest) or a shown prefix such as ``rsp_AbCd``."""
    text = text.strip()
    if len(text) > PREFIX_LENGTH:
        return list(session.exec(select(ApiToken).where(ApiToken.token_hash == digest(text))).all())
    if len(text) < len(TOKEN_PREFIX) + 1:
        return []
    return list(session.exec(select(ApiToken).where(ApiToken.prefix == text).order_by(col(ApiToken.id))).all())


def revoke_token(session: Session, token: ApiToken, *, actor: User | None, ip: str,
                 now: datetime | None = None) -> bool:
    """Revoke a token at once; False when it was already revoked. Audited."""
    now = now or utcnow()
    result = session.execute(
        update(ApiToken).where(col(ApiToken.id) == token.id, col(ApiToken.revoked_at).is_(None)).values(revoked_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    token.revoked_at = now
    owner = session.get(User, token.user_id)
    audit.record(session, "api_token.revoke", actor=actor, target=token, ip=ip,
                 detail={"user": owner.email if owner else None, "name": token.name, "prefix": token.prefix})
    session.commit()
    return True


def token_state(token: ApiToken, now: datetime) -> str:
    """'active', 'revoked' or 'expired', for lists."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"
