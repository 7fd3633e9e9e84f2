"""Build the app's configuration from the layers, and refuse unsafe production settings."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from portal import settings
from portal.keyfiles import ensure_key_files
from portal.settings import ConfigError


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Layer defaults, instance/config.py, PORTAL_* env and test_config into app.config."""
    app.config.update(settings.defaults())
    env_values = settings.from_environ(os.environ)
    instance = Path(
        (test_config or {}).get("INSTANCE_PATH") or env_values.get("INSTANCE_PATH") or settings.ROOT / "instance"
    )
    app.instance_path = str(instance)
    app.config["INSTANCE_PATH"] = str(instance)
    app.config.from_pyfile(str(instance / "config.py"), silent=True)
    app.config.update(env_values)
    if test_config:
        app.config.update(test_config)
    _derive(app)
    if app.config["ENV"] == "production":
        check_production(app.config)


def _derive(app: Flask) -> None:
    """Fill the Flask and extension settings that follow from the PORTAL_* ones."""
    cfg = app.config
    instance = Path(cfg["INSTANCE_PATH"])
    production = cfg["ENV"] == "production"
    if cfg["ENV"] not in ("development", "production", "testing"):
        raise ConfigError(f"PORTAL_ENV must be development, production or testing, not {cfg['ENV']!r}.")
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'portal.db'}"
    cfg["SECRET_KEY_FILE"] = cfg["SECRET_KEY_FILE"] or str(instance / "secret_key")
    cfg["ENCRYPTION_KEY_FILE"] = cfg["ENCRYPTION_KEY_FILE"] or str(instance / "encryption_keys.json")
    cfg["ATTACHMENT_DIR"] = cfg["ATTACHMENT_DIR"] or str(instance / "attachments")
    cfg["DOCS_CONTENT_DIR"] = str(cfg["DOCS_CONTENT_DIR"] or settings.ROOT / "docs_content")
    if int(cfg["DOCS_REVIEW_MONTHS"]) < 1:
        raise ConfigError("PORTAL_DOCS_REVIEW_MONTHS must be at least 1.")
    if cfg["ENV"] == "development" and not cfg["SECRET_KEY"]:
        # A developer's first `flask` command makes the keys that `make run` would make.
        ring = None if cfg["ENCRYPTION_KEYS"] else Path(cfg["ENCRYPTION_KEY_FILE"])
        ensure_key_files(Path(cfg["SECRET_KEY_FILE"]), ring)
    if not cfg["SECRET_KEY"]:
        key_file = Path(cfg["SECRET_KEY_FILE"])
        if key_file.exists():
            cfg["SECRET_KEY"] = key_file.read_text().strip()
        elif cfg["ENV"] == "testing":
            cfg["SECRET_KEY"] = secrets.token_urlsafe(48)
    if cfg["REQUIRE_2FA"] == "":
        cfg["REQUIRE_2FA"] = production
    if cfg["MAIL_PRINT"] == "":
        cfg["MAIL_PRINT"] = cfg["ENV"] == "development"
    cfg["REMEMBER_DAYS"] = max(0, min(int(cfg["REMEMBER_DAYS"]), 14))
    _check_mail_and_scheduler(cfg)

    host = urlsplit(cfg["BASE_URL"]).hostname or "localhost"
    trusted = list(cfg["TRUSTED_HOSTS"] or [host])
    if not production:
        trusted += [h for h in ("localhost", "127.0.0.1") if h not in trusted]
    cfg["TRUSTED_HOSTS"] = trusted

    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_UPLOAD_MB"]) * 1024 * 1024
    cfg["MAX_FORM_MEMORY_SIZE"] = 1024 * 1024
    cfg["MAX_FORM_PARTS"] = 200
    cfg["PREFERRED_URL_SCHEME"] = urlsplit(cfg["BASE_URL"]).scheme or "http"

    prefix = "__Host-" if production else ""
    cfg["SESSION_COOKIE_NAME"] = f"{prefix}portal_session"
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = production
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(cfg["SESSION_MAX_HOURS"]))
    cfg["REMEMBER_COOKIE_NAME"] = f"{prefix}portal_remember"
    cfg["REMEMBER_COOKIE_DURATION"] = timedelta(days=cfg["REMEMBER_DAYS"])
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_SECURE"] = production
    cfg["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = False
    cfg["WTF_CSRF_TIME_LIMIT"] = 8 * 3600
    cfg["WTF_CSRF_SSL_STRICT"] = production
    cfg["TESTING"] = cfg["ENV"] == "testing" or bool(cfg.get("TESTING"))
    cfg["DEBUG"] = False
    cfg.setdefault("WTF_CSRF_ENABLED", True)


SMTP_SECURITY_MODES = ("starttls", "tls", "none")


def _check_mail_and_scheduler(cfg: dict[str, Any]) -> None:
    """Settings of the mail sender and the scheduler that cannot work as given."""
    if cfg["SMTP_SECURITY"] not in SMTP_SECURITY_MODES:
        raise ConfigError(f"PORTAL_SMTP_SECURITY must be starttls, tls or none, not {cfg['SMTP_SECURITY']!r}.")
    for name in ("SCHEDULER_LEASE_SECONDS", "SCHEDULER_POLL_SECONDS", "SMTP_TIMEOUT_SECONDS"):
        if float(cfg[name]) <= 0:
            raise ConfigError(f"PORTAL_{name} must be more than 0.")
    if float(cfg["SCHEDULER_SHUTDOWN_SECONDS"]) < 0:
        raise ConfigError("PORTAL_SCHEDULER_SHUTDOWN_SECONDS must not be negative.")
    if cfg["SCHEDULER_EXTRA_JOBS"] and cfg["ENV"] != "testing":
        raise ConfigError("PORTAL_SCHEDULER_EXTRA_JOBS is for the test suite only (PORTAL_ENV=testing); unset it.")


def check_production(cfg: dict[str, Any]) -> None:
    """Refuse to start in production with missing, default or exposed keys (C19, C22)."""
    problems: list[str] = []
    secret_key = cfg.get("SECRET_KEY") or ""
    key_file = Path(cfg["SECRET_KEY_FILE"])
    if not secret_key:
        problems.append(
            f"No secret key: create {key_file} (mode 0600) with `flask --app wsgi keys init`, "
            "or set PORTAL_SECRET_KEY."
        )
    elif (
        len(secret_key) < 32
        or secret_key.lower() in settings.DEV_SECRET_WORDS
        or any(m in secret_key.lower() for m in settings.DEV_SECRET_MARKERS)
    ):
        problems.append("The secret key is short or a development default: generate one with `flask --app wsgi keys init`.")
    if key_file.exists() and not settings.file_is_private(key_file):
        problems.append(f"{key_file} is readable by group or others: run `chmod 600 {key_file}`.")
    enc_file = Path(cfg["ENCRYPTION_KEY_FILE"])
    if not cfg.get("ENCRYPTION_KEYS"):
        if not enc_file.exists():
            problems.append(
                f"No encryption key ring: create {enc_file} (mode 0600) with `flask --app wsgi keys init`, "
                "or set PORTAL_ENCRYPTION_KEYS."
            )
        elif not settings.file_is_private(enc_file):
            problems.append(f"{enc_file} is readable by group or others: run `chmod 600 {enc_file}`.")
    if cfg.get("PASSWORD_HASH_PROFILE") != "standard":
        problems.append("PORTAL_PASSWORD_HASH_PROFILE must be `standard` in production.")
    if not str(cfg.get("BASE_URL", "")).startswith("https://"):
        problems.append("PORTAL_BASE_URL must be an https:// URL in production.")
    if cfg.get("SMTP_HOST") and cfg.get("SMTP_USERNAME") and cfg.get("SMTP_SECURITY") == "none":
        problems.append("PORTAL_SMTP_SECURITY=none would send the SMTP password in clear: use starttls or tls.")
    if problems:
        raise ConfigError("Refusing to start in production:\n- " + "\n- ".join(problems))


def check_keys_distinct(secret_key: str, encoded_keys: list[str], raw_keys: list[bytes]) -> None:
    """The encryption key must never be the session signing key (C19)."""
    for encoded, raw in zip(encoded_keys, raw_keys, strict=True):
        if secret_key and secret_key in (encoded, encoded.rstrip("="), raw.hex()) or raw == secret_key.encode():
            raise ConfigError(
                "Refusing to start: an encryption key equals the secret key. "
                "Generate separate keys with `flask --app wsgi keys init`."
            )
