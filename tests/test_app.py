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


def test_web_workers_never_start_a_scheduler(app):
    """No APScheduler thread runs inside the web app (C29)."""
    import threading

    names = [t.name for t in threading.enumerate()]
    assert not any("APScheduler" in n or "scheduler" in n.lower() for n in names)
    assert "apscheduler" not in " ".join(app.extensions).lower()


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
