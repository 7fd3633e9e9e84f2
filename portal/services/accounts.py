"""Accounts: creating, inviting, signing in, passwords, roles and deactivation."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, DomainError, NotFound, Throttled, ValidationFailed
from portal.models import Organisation, Role, User
from portal.passwords import hash_password, password_problem, verify_password
from portal.services import throttle, tokens
from portal.services.outbox import queue_mail
from portal.services.pagination import Page, paginate

INVITE = "invite"
PASSWORD_RESET = "password-reset"  # noqa: S105  (a token purpose, not a password)
GENERIC_LOGIN_ERROR = "The email address or password is not correct."


class LoginFailed(DomainError):
    """Wrong email or password; the message never says which."""

    status = 401


@dataclass(frozen=True)
class AuthPolicy:
    """The account rules, read once from the app's configuration."""

    min_length: int = 12
    hash_profile: str = "standard"
    max_failures_account: int = 5
    max_failures_ip: int = 20
    lock: timedelta = timedelta(minutes=15)
    token_ttl: timedelta = timedelta(hours=24)
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    site_name: str = "RSP Portal"
    echo_mail: bool = False

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> AuthPolicy:
        return cls(
            min_length=int(cfg["PASSWORD_MIN_LENGTH"]),
            hash_profile=cfg["PASSWORD_HASH_PROFILE"],
            max_failures_account=int(cfg["LOGIN_MAX_FAILURES_ACCOUNT"]),
            max_failures_ip=int(cfg["LOGIN_MAX_FAILURES_IP"]),
            lock=timedelta(minutes=int(cfg["LOGIN_LOCK_MINUTES"])),
            token_ttl=timedelta(hours=int(cfg["TOKEN_HOURS"])),
            secret_key=cfg["SECRET_KEY"],
            base_url=cfg["BASE_URL"].rstrip("/"),
            site_name=cfg["SITE_NAME"],
            echo_mail=bool(cfg["MAIL_PRINT"]),
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if len(email) > 254 or "@" not in email or email.startswith("@") or email.endswith("@"):
        return "Enter an email address like name@example.org."
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        return "Enter an email address like name@example.org."
    return None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _check_role_and_org(session: Session, role: str, organisation_id: int | None, errors: dict[str, str]) -> None:
    if role not in {r.value for r in Role}:
        errors["role"] = "Choose one of the roles."
    elif role == Role.member:
        if organisation_id is None:
            errors["organisation_id"] = "A member user belongs to a member organisation; choose one."
        elif session.get(Organisation, organisation_id) is None:
            errors["organisation_id"] = "That organisation does not exist."
    elif organisation_id is not None:
        errors["organisation_id"] = "Only member users belong to an organisation."


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    policy: AuthPolicy,
    organisation_id: int | None = None,
    password: str | None = None,
    actor: User | None = None,
    ip: str = "",
) -> User:
    """Create an account; without a password it cannot sign in until it accepts an invitation."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if problem := email_problem(email):
        errors["email"] = problem
    elif find_user_by_email(session, email):
        errors["email"] = "An account with this email address already exists."
    if not name.strip():
        errors["name"] = "Enter the person's name."
    _check_role_and_org(session, role, organisation_id, errors)
    if password is not None and (problem := password_problem(password, min_length=policy.min_length,
                                                             personal=(email.split("@")[0], name))):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organisation_id=organisation_id if role == Role.member else None,
        password_hash=hash_password(password, policy.hash_profile) if password else None,
        password_changed_at=None,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor=actor, target=user, detail={"role": role, "email": email}, ip=ip)
    session.commit()
    return user


def authenticate(session: Session, *, email: str, password: str, ip: str, now: datetime, policy: AuthPolicy) -> User:
    """Check a sign-in; throttled per account and per IP, with one message whether or not the account exists."""
    email = normalise_email(email)[:254]
    keys = [f"account:{email}", f"ip:{ip}"]
    wait = throttle.locked_for(session, keys, now)
    if wait:
        audit.record(session, "auth.login_throttled", actor_label=email, detail={"retry_after": wait}, ip=ip)
        session.commit()
        raise Throttled(f"Too many failed sign-ins. Try again in {max(1, -(-wait // 60))} minutes.", wait)
    user = find_user_by_email(session, email)
    ok, new_hash = verify_password(user.password_hash if user else None, password, policy.hash_profile)
    if not ok or user is None or not user.active:
        throttle.record_failure(
            session,
            [
                throttle.Limit(keys[0], policy.max_failures_account, policy.lock),
                throttle.Limit(keys[1], policy.max_failures_ip, policy.lock),
            ],
            now,
        )
        reason = "inactive" if ok and user is not None else "bad-credentials"
        audit.record(session, "auth.login_failed", actor=user, actor_label=email, detail={"reason": reason}, ip=ip)
        session.commit()
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    if new_hash:
        user.password_hash = new_hash
    throttle.clear(session, keys[0])
    session.commit()
    return user


def record_login(session: Session, user: User, *, now: datetime, ip: str, method: str) -> None:
    """Note a completed sign-in (after the second factor, when there is one)."""
    user.last_login_at = now
    session.add(user)
    audit.record(session, "auth.login", actor=user, target=user, detail={"method": method}, ip=ip)
    session.commit()


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session and remember cookie of the user (the caller commits)."""
    user.session_version += 1
    session.add(user)


def logout(session: Session, user: User, *, ip: str) -> None:
    end_sessions(session, user)
    audit.record(session, "auth.logout", actor=user, target=user, ip=ip)
    session.commit()


def set_password(session: Session, user: User, new_password: str, *, policy: AuthPolicy, now: datetime) -> None:
    """Validate and store a new password; ends the user's other sessions (the caller commits)."""
    if problem := password_problem(new_password, min_length=policy.min_length,
                                   personal=(user.email.split("@")[0], user.name)):
        raise ValidationFailed({"password": problem})
    user.password_hash = hash_password(new_password, policy.hash_profile)
    user.password_changed_at = now
    end_sessions(session, user)


def change_password(
    session: Session, user: User, *, current: str, new: str, policy: AuthPolicy, now: datetime, ip: str
) -> None:
    ok, _ = verify_password(user.password_hash, current, policy.hash_profile)
    if not ok:
        raise ValidationFailed({"current_password": "Your current password is not correct."})
    set_password(session, user, new, policy=policy, now=now)
    audit.record(session, "auth.password_change", actor=user, target=user, ip=ip)
    session.commit()


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    policy: AuthPolicy,
    now: datetime,
    organisation_id: int | None = None,
    actor: User | None = None,
    ip: str = "",
) -> tuple[User, str]:
    """Create an account without a password and mail a one-time link to set it; returns the link."""
    user = create_user(session, email=email, name=name, role=role, policy=policy,
                       organisation_id=organisation_id, actor=actor, ip=ip)
    link = _send_invitation(session, user, policy=policy, now=now, actor=actor)
    audit.record(session, "user.invite", actor=actor, target=user, ip=ip)
    session.commit()
    return user, link


def resend_invitation(session: Session, user: User, *, policy: AuthPolicy, now: datetime, actor: User, ip: str) -> str:
    if user.password_hash:
        raise Conflict("This person has already set a password; they can use 'Forgot your password?'.")
    link = _send_invitation(session, user, policy=policy, now=now, actor=actor)
    audit.record(session, "user.invite_resend", actor=actor, target=user, ip=ip)
    session.commit()
    return link


def _send_invitation(session: Session, user: User, *, policy: AuthPolicy, now: datetime, actor: User | None) -> str:
    tokens.revoke_tokens(session, purpose=INVITE, user_id=user.id, now=now)
    signed = tokens.issue_token(session, secret_key=policy.secret_key, purpose=INVITE, ttl=policy.token_ttl,
                                now=now, user_id=user.id, created_by_id=getattr(actor, "id", None))
    link = f"{policy.base_url}/invitation/{signed}"
    inviter = getattr(actor, "name", None) or policy.site_name
    queue_mail(
        session,
        to=user.email,
        subject=f"You are invited to the {policy.site_name}",
        text=(
            f"Hello {user.name},\n\n{inviter} invited you to the {policy.site_name} as {user.role_label}.\n"
            f"Choose your password here (the link works once, for {int(policy.token_ttl.total_seconds() // 3600)} hours):\n\n"
            f"{link}\n\nIf you did not expect this, ignore this message.\n"
        ),
        kind="invitation",
        echo=policy.echo_mail,
    )
    return link


def accept_invitation(session: Session, *, signed: str, password: str, policy: AuthPolicy, now: datetime,
                      ip: str) -> User:
    """Set the invitee's first password through the one-time link."""
    token = tokens.peek_token(session, secret_key=policy.secret_key, purpose=INVITE, signed=signed, now=now)
    user = get_user(session, token.user_id or 0)
    set_password(session, user, password, policy=policy, now=now)
    tokens.consume_token(session, secret_key=policy.secret_key, purpose=INVITE, signed=signed, now=now)
    audit.record(session, "user.invite_accept", actor=user, target=user, ip=ip)
    session.commit()
    return user


def request_password_reset(session: Session, *, email: str, policy: AuthPolicy, now: datetime, ip: str) -> None:
    """Mail a reset link if an active account with a password exists; says nothing either way."""
    user = find_user_by_email(session, email)
    if user is None or not user.active or not user.password_hash:
        audit.record(session, "auth.reset_request_unknown", actor_label=normalise_email(email)[:254], ip=ip)
        session.commit()
        return
    tokens.revoke_tokens(session, purpose=PASSWORD_RESET, user_id=user.id, now=now)
    signed = tokens.issue_token(session, secret_key=policy.secret_key, purpose=PASSWORD_RESET,
                                ttl=min(policy.token_ttl, timedelta(hours=2)), now=now, user_id=user.id)
    queue_mail(
        session,
        to=user.email,
        subject=f"Reset your {policy.site_name} password",
        text=(
            f"Hello {user.name},\n\nSomeone (hopefully you) asked to reset your password.\n"
            f"Choose a new one here; the link works once, for 2 hours:\n\n{policy.base_url}/reset/{signed}\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
        kind="password-reset",
        echo=policy.echo_mail,
    )
    audit.record(session, "auth.reset_request", actor=user, target=user, ip=ip)
    session.commit()


def reset_password(session: Session, *, signed: str, password: str, policy: AuthPolicy, now: datetime, ip: str) -> User:
    token = tokens.peek_token(session, secret_key=policy.secret_key, purpose=PASSWORD_RESET, signed=signed, now=now)
    user = get_user(session, token.user_id or 0)
    set_password(session, user, password, policy=policy, now=now)
    tokens.consume_token(session, secret_key=policy.secret_key, purpose=PASSWORD_RESET, signed=signed, now=now)
    throttle.clear(session, f"account:{user.email}")
    audit.record(session, "auth.password_reset", actor=user, target=user, ip=ip)
    session.commit()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: str,
    organisation_id: int | None,
    actor: User,
    ip: str,
) -> User:
    """Admin edit of name, role and organisation; a role change ends the user's sessions."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the person's name."
    _check_role_and_org(session, role, organisation_id, errors)
    if user.id == actor.id and role != user.role:
        errors["role"] = "You cannot change your own role; ask another admin."
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, Any] = {}
    if role != user.role:
        changes["role"] = [user.role, role]
        _guard_last_admin(session, user, leaving=user.role == Role.admin)
        end_sessions(session, user)
    new_org = organisation_id if role == Role.member else None
    if new_org != user.organisation_id:
        changes["organisation_id"] = [user.organisation_id, new_org]
        end_sessions(session, user)
    if name.strip() != user.name:
        changes["name"] = [user.name, name.strip()]
    user.name, user.role, user.organisation_id = name.strip(), role, new_org
    session.add(user)
    if changes:
        action = "user.role_change" if "role" in changes else "user.update"
        audit.record(session, action, actor=actor, target=user, detail=changes, ip=ip)
    session.commit()
    return user


def _guard_last_admin(session: Session, user: User, *, leaving: bool) -> None:
    if not leaving:
        return
    admins = session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin, User.active.is_(True))  # type: ignore[attr-defined]
    ).one()
    if admins <= 1:
        raise Conflict("This is the last active admin; make someone else admin first.")


def set_active(session: Session, user: User, *, active: bool, actor: User, ip: str) -> User:
    """Deactivate (ending every session) or reactivate an account."""
    if user.active == active:
        return user
    if not active:
        if user.id == actor.id:
            raise Conflict("You cannot deactivate your own account.")
        _guard_last_admin(session, user, leaving=user.role == Role.admin)
        end_sessions(session, user)
    user.active = active
    session.add(user)
    audit.record(session, "user.deactivate" if not active else "user.reactivate", actor=actor, target=user, ip=ip)
    session.commit()
    return user


def update_profile(session: Session, user: User, *, name: str, timezone: str, valid_zones: set[str]) -> User:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter your name."
    if timezone and timezone not in valid_zones:
        errors["timezone"] = "Choose a time zone from the list."
    if errors:
        raise ValidationFailed(errors)
    user.name, user.timezone = name.strip(), timezone
    session.add(user)
    session.commit()
    return user


USER_SORTS = {"name": User.name, "email": User.email, "role": User.role, "created": User.created_at,
              "last_login": User.last_login_at}


def list_users(
    session: Session,
    *,
    q: str = "",
    role: str = "",
    organisation_id: int | None = None,
    active: bool | None = None,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[User]:
    """Users filtered by text, role, organisation and status; sorted and paginated."""
    stmt = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), User.email.like(like)))  # type: ignore[attr-defined]
    if role:
        stmt = stmt.where(User.role == role)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))  # type: ignore[attr-defined]
    column = USER_SORTS.get(sort, User.name)
    stmt = stmt.order_by(column.desc() if descending else column.asc(), User.id)  # type: ignore[union-attr]
    return paginate(session, stmt, page=page, per_page=per_page)


def generate_password() -> str:
    """A random password for `users create` when none is given."""
    return secrets.token_urlsafe(15)
