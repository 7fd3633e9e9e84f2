"""Throw-away PostgreSQL databases for the benchmarks (a helper module: `make bench` does not run it)."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import make_url


def _admin_dsn(base: str) -> str:
    return make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)


def create_pg(base: str) -> str:
    """Create an empty database on the server ``base`` names; returns its SQLAlchemy URL."""
    import psycopg

    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_pg(base: str, url: str) -> None:
    """Drop a database made by create_pg, even with connections still open."""
    import psycopg

    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
