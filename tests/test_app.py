"""The app factory, layered configuration and the database connection settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.db import engine_of, get_session
from portal.settings import ConfigError
from tests.conftest import base_config


def test_factory_builds_independent_apps(app, app_config):
    other = create_app(dict(app_config))
    assert other is not app
    assert other.extensions["portal.db"] is not app.extensions["portal.db"]
    engine_of(other).dispose()


def test_instance_config_and_env_layers(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = 'From instance'\nDEFAULT_TIMEZONE = 'Asia/Tokyo'\n")
    monkeypatch.setenv("PORTAL_DEFAULT_TIMEZONE", "America/Chicago")
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "17")
    cfg = base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    cfg.pop("SITE_NAME", None)
    app = create_app(cfg)
    assert app.config["SITE_NAME"] == "From instance"  # instance/config.py over defaults
    assert app.config["DEFAULT_TIMEZONE"] == "America/Chicago"  # env over instance
    assert app.config["SESSION_IDLE_MINUTES"] == 17  # typed
    engine_of(app).dispose()


def test_bad_env_value_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "soon")
    with pytest.raises(ConfigError, match="PORTAL_SESSION_IDLE_MINUTES must be a whole number"):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))


def test_sqlite_pragmas_are_set_on_every_connection(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    with app.app_context():
        conn = get_session().connection()
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine_of(app).dispose()


def test_health_reports_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_web_workers_never_start_a_scheduler(app, client, session, make, login_as):
    """No APScheduler thread runs inside the web app, even after the scheduler's own pages (C29)."""
    import threading

    from portal.models import Role

    login_as(make.user(session, Role.admin))
    for path in ("/admin/schedule", "/admin/runs", "/admin/mail"):
        assert client.get(path).status_code == 200
    assert client.post("/admin/schedule/outbox.deliver/run").status_code == 302
    names = [t.name for t in threading.enumerate()]
    assert not any("APScheduler" in n or "scheduler" in n.lower() for n in names)
    assert "apscheduler" not in " ".join(app.extensions).lower()


WEB_WORKER = """
import sys, threading, time
from flask_login.utils import _create_identifier
from wsgi import app
from portal.db import engine_of, session_scope

app.config["WTF_CSRF_ENABLED"] = False  # the CSRF tests live elsewhere
from portal.models import Role, User

with session_scope(engine_of(app)) as s:
    user = User(email="ada@rsp.example", name="Ada", role=Role.admin)
    s.add(user)
    s.commit()
    identity = user.get_id()
client = app.test_client()
with app.test_request_context():
    marker = _create_identifier()
with client.session_transaction() as sess:
    now = int(time.time())
    sess.update({"_user_id": identity, "_fresh": True, "_id": marker, "auth_at": now, "seen_at": now,
                 "remembered": False})
codes = [client.get(path).status_code for path in ("/admin/schedule", "/admin/runs", "/admin/mail")]
codes.append(client.post("/admin/schedule/outbox.deliver/run").status_code)
print(codes)
print(sorted(t.name for t in threading.enumerate()))
print(sorted(name for name in sys.modules if name.startswith("apscheduler.schedulers")))
"""


def test_a_web_worker_process_never_imports_or_starts_a_scheduler(tmp_path, sqlite_template):
    """A fresh process serving the scheduler's admin pages loads no APScheduler scheduler at all."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT, make_key_ring

    shutil.copy(sqlite_template, tmp_path / "web.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_ENV": "testing", "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"), "PORTAL_SECRET_KEY": "s" * 48,
                "PORTAL_ENCRYPTION_KEYS": make_key_ring(), "PORTAL_BASE_URL": "http://localhost"})
    result = subprocess.run([sys.executable, "-c", WEB_WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    codes, threads, modules = result.stdout.strip().splitlines()
    assert codes == "[200, 200, 200, 302]"
    assert threads == "['MainThread']"
    assert modules == "[]"


def test_development_creates_private_key_files(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("PORTAL_"):
            monkeypatch.delenv(key)
    cfg = {"ENV": "development", "INSTANCE_PATH": str(tmp_path / "inst"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    app = create_app(cfg)
    for name in ("secret_key", "encryption_keys.json"):
        path = Path(tmp_path / "inst" / name)
        assert path.exists()
        assert path.stat().st_mode & 0o777 == 0o600
    engine_of(app).dispose()
