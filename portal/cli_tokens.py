"""`flask --app wsgi tokens ...`: API tokens from the command line. Names and options are stable for scripts."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from portal.cli import fail
from portal.db import engine_of, session_scope
from portal.errors import ValidationFailed
from portal.models import User
from portal.models.types import utcnow
from portal.services import api_tokens

tokens_cli = AppGroup("tokens", help="API tokens: create (printed once), list, revoke.")


def _user_by_email(session: Session, email: str) -> User:
    from portal.services.accounts import find_user_by_email

    user = find_user_by_email(session, email)
    if user is None:
        fail(f"No user with the email address {email!r}.")
    assert user is not None
    return user


@tokens_cli.command("create")
@click.option("--user", "email", required=True, help="Email address of the token's owner.")
@click.option("--name", default=None, help="Where the token is used; default 'Command line <date>'.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(sorted(api_tokens.SCOPES)),
              help="Repeat for several; default every scope the owner's role allows.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None, help="Default: never expires.")
def tokens_create(email: str, name: str | None, scopes: tuple[str, ...], expires_days: int | None) -> None:
    """Create a token and print it once: alone on stdout, so `TOKEN=$(flask --app wsgi tokens create ...)` works."""
    now = utcnow()
    with session_scope(engine_of(current_app)) as session:
        user = _user_by_email(session, email)
        try:
            token, plaintext = api_tokens.create_token(
                session, user=user, name=name or f"Command line {now:%Y-%m-%d}", scopes=set(scopes) or None,
                expires_at=now + timedelta(days=expires_days) if expires_days else None, actor=None, ip="", now=now,
            )
        except ValidationFailed as exc:
            fail("; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
    expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "never expires"
    click.echo(f"Created API token {token.prefix}… \"{token.name}\" for {user.email}, scopes {token.scopes}, "
               f"{expiry}. It is shown only now; store it safely:", err=True)
    click.echo(plaintext)


@tokens_cli.command("list")
@click.option("--user", "email", required=True, help="Email address of the tokens' owner.")
def tokens_list(email: str) -> None:
    """List a user's tokens: prefix, status, scopes, last use, expiry, name."""
    now = utcnow()
    with session_scope(engine_of(current_app), write=False) as session:
        user = _user_by_email(session, email)
        tokens = api_tokens.list_tokens(session, user)
    if not tokens:
        click.echo(f"{user.email} has no API tokens.")
        return

    def when(moment: datetime | None) -> str:
        return f"{moment:%Y-%m-%d %H:%M}" if moment else "never"

    click.echo(f"{'PREFIX':<10} {'STATUS':<8} {'LAST USED':<16} {'EXPIRES':<16} {'SCOPES':<40} NAME")
    for t in tokens:
        click.echo(f"{t.prefix:<10} {api_tokens.token_state(t, now):<8} {when(t.last_used_at):<16} "
                   f"{when(t.expires_at):<16} {t.scopes:<40} {t.name}")


@tokens_cli.command("revoke")
@click.argument("prefix")
@click.option("--user", "email", default=None, help="Only this user's tokens (when a prefix is shared).")
def tokens_revoke(prefix: str, email: str | None) -> None:
    """Revoke the active token with this prefix (as `tokens list` shows it) or this full token."""
    with session_scope(engine_of(current_app)) as session:
        owner = _user_by_email(session, email) if email else None
        matches = [t for t in api_tokens.find_tokens(session, prefix) if owner is None or t.user_id == owner.id]
        if not matches:
            fail(f"No API token matches {prefix[:api_tokens.PREFIX_LENGTH]!r}.")
        active = [t for t in matches if t.revoked_at is None]
        if not active:
            click.echo(f"The token {matches[0].prefix} is already revoked.")
            return
        if len(active) > 1:
            fail(f"{len(active)} active tokens start with {prefix!r}; add --user EMAIL or give the full token.")
        token = active[0]
        api_tokens.revoke_token(session, token, actor=None, ip="", now=utcnow())
    click.echo(f"Revoked {token.prefix} \"{token.name}\"; calls with it fail from now on.")
