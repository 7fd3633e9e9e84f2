"""Fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

``PORTAL_TEST_DATABASE_URL`` names a PostgreSQL server and database we may connect to; the suite
creates its own uniquely named database there (so parallel runs never collide) and drops it at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from portal import create_app, migrations
from portal.datacite.retry import RetryPolicy
from portal.db import engine_of, make_engine, session_scope
from portal.models import User
from portal.services.datacite_calls import Connector
from portal.vault import _b64e, generate_key
from portal.web.common import CONNECTOR_EXTENSION

hypothesis_settings.register_profile("portal", deadline=None, max_examples=60)
hypothesis_settings.load_profile("portal")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PORTAL_SHARED_DIR", ROOT.parent / "shared"))
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_KEY_ID = "ktest"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when this checkout has no shared folder."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared reference material lives beside the checkout in this workplace")
    return path


# ---------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    return path


def _admin_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def create_pg_database(base_url: str, label: str) -> str:
    """Create an empty PostgreSQL database on the test server; returns its URL."""
    import psycopg

    name = f"portal_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = make_url(base_url)
    dsn = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(base_url: str, url: str) -> None:
    import psycopg

    name = make_url(url).database
    dsn = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A migrated PostgreSQL database for this test run."""
    url = create_pg_database(PG_URL, "t")
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    yield url
    drop_pg_database(PG_URL, url)


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database for one test."""
    if backend == "sqlite":
        path = tmp_path / "portal.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    engine = make_engine(url)
    truncate_all(engine)
    engine.dispose()
    return url


# ---------------------------------------------------------------- app


def make_key_ring(*key_ids: str) -> str:
    ids = key_ids or (TEST_KEY_ID,)
    return json.dumps({"primary": ids[-1], "keys": {k: _b64e(generate_key()) for k in ids}})


def base_config(database_url: str, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config = {
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ENCRYPTION_KEYS": make_key_ring(),
        "PASSWORD_HASH_PROFILE": "fast",
        "WTF_CSRF_ENABLED": False,
        "MAIL_PRINT": False,
        "REQUIRE_2FA": False,
        "BASE_URL": "http://localhost",
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
    }
    config.update(overrides)
    return config


@pytest.fixture
def docs_content(tmp_path: Path) -> Path:
    """A private copy of the shipped documentation, so a test may publish into it."""
    return Path(shutil.copytree(ROOT / "docs_content", tmp_path / "docs_content"))


@pytest.fixture
def app_config(database_url: str, tmp_path: Path, docs_content: Path) -> dict[str, Any]:
    """The configuration the ``app`` fixture uses; tests may change it before requesting ``app``.

    DOCS_CONTENT_DIR is a copy of docs_content/, so no test can change the shipped pages.
    """
    return base_config(database_url, tmp_path, DOCS_CONTENT_DIR=str(docs_content))


class SyncedClient(FlaskClient):
    """A test client that keeps the test's own database session in step with the app.

    Before a request, the test session commits (the app sees what the test made); after it, the test session
    ends its transaction and forgets cached rows (the test sees what the app did, even under SQLite's
    snapshot isolation).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        sessions = self.application.extensions.get("tests.sessions", [])
        for s in sessions:
            s.commit()
        try:
            return super().open(*args, **kwargs)
        finally:
            for s in sessions:
                s.commit()
                s.expire_all()


def offline_datacite(config: Any) -> Connector:
    """Tests never reach the network: DataCite calls fail as if it were down, unless a test installs its own."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("tests do not reach DataCite", request=request)

    return Connector(config=config, transport=httpx.MockTransport(refuse), retry=RetryPolicy(attempts=1))


def build_app(config: dict[str, Any]) -> Flask:
    from tests.helpdesk import use_attachment_root

    application = create_app(config)
    use_attachment_root(Path(application.config["ATTACHMENT_DIR"]))
    application.test_client_class = SyncedClient
    application.extensions.setdefault(CONNECTOR_EXTENSION, offline_datacite(application.config))
    return application


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = build_app(app_config)
    yield application
    engine_of(application).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own session (deferred transactions, so it never blocks the app's writers)."""
    with session_scope(engine_of(app), write=False) as s:
        app.extensions.setdefault("tests.sessions", []).append(s)
        yield s
        s.commit()


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in on the test client without the password form (that has its own tests)."""

    def _login(user: User, target: FlaskClient | None = None) -> FlaskClient:
        c = target or client
        now = int(time.time())
        with c.application.test_request_context(environ_base=c.environ_base):
            identifier = _create_identifier()
        with c.session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_id"] = identifier
            sess["auth_at"] = now
            sess["seen_at"] = now
            sess["remembered"] = False
        return c

    return _login


def bearer(plaintext: str, **headers: str) -> dict[str, str]:
    """Request headers with an API token (and any others, e.g. ``**{"Idempotency-Key": "k1"}``)."""
    return {"Authorization": f"Bearer {plaintext}", **headers}


@pytest.fixture
def testbed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test-only API endpoints of tests/api_testbed.py on this app, marked TOKEN in the access matrix."""
    from portal.web.access import ACCESS, TOKEN
    from tests import api_testbed

    for endpoint in api_testbed.TOKEN_ENDPOINTS:
        monkeypatch.setitem(ACCESS, endpoint, TOKEN)
    return api_testbed.install(app)


@pytest.fixture
def make() -> Any:
    from tests import factories

    return factories
