"""Documented defaults for every PORTAL_* setting, and the layered loader.

Order: these defaults, then ``instance/config.py``, then ``PORTAL_*`` environment variables,
then the ``test_config`` dict given to ``create_app``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    doc: str
    kind: type = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", "development", "`development`, `production` or `testing`; production turns on every guard."),
    Setting("SITE_NAME", "RSP Portal", "Name shown in pages and mail."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "External URL of the portal; links in mail use it, never the request Host."),
    Setting("INSTANCE_PATH", "", "Folder for keys and the SQLite database; default `instance/` in the checkout."),
    Setting("DATABASE_URL", "", "SQLAlchemy URL; default SQLite `instance/portal.db`. Production: `postgresql+psycopg://...`."),
    Setting("SECRET_KEY", "", "Session signing key; prefer the key file.", secret=True),
    Setting("SECRET_KEY_FILE", "", "File holding the session signing key (mode 0600); default `instance/secret_key`."),
    Setting("ENCRYPTION_KEY_FILE", "", "Key ring for secrets at rest (JSON, mode 0600); default `instance/encryption_keys.json`."),
    Setting("ENCRYPTION_KEYS", "", "Key ring as JSON, for platforms without files (fallback to the key file).", secret=True),
    Setting("TRUSTED_HOSTS", "", "Comma-separated Host names accepted; default the BASE_URL host (+ localhost in development).", list),
    Setting("PROXY_HOPS", 0, "Number of trusted reverse proxies setting X-Forwarded-*; 0 trusts none.", int),
    Setting("REQUIRE_2FA", "", "Require TOTP for admins and agents: `true`/`false`; default true in production.", bool),
    Setting("SESSION_IDLE_MINUTES", 60, "Sign out after this much inactivity.", int),
    Setting("SESSION_MAX_HOURS", 12, "Sign out this long after signing in, whatever the activity.", int),
    Setting("REMEMBER_DAYS", 14, "Lifetime of the remember-me cookie (at most 14; never for admins).", int),
    Setting("LOGIN_MAX_FAILURES_ACCOUNT", 5, "Failed sign-ins per account before a soft lock.", int),
    Setting("LOGIN_MAX_FAILURES_IP", 20, "Failed sign-ins per client IP before a soft lock.", int),
    Setting("LOGIN_LOCK_MINUTES", 15, "Length of the soft lock and of the counting window.", int),
    Setting("PASSWORD_MIN_LENGTH", 12, "Shortest password accepted.", int),
    Setting("PASSWORD_HASH_PROFILE", "standard", "`standard` (argon2id RFC 9106 low-memory) or `fast` (tests only).",),
    Setting("TOKEN_HOURS", 24, "Lifetime of invitation and password-reset links, in hours.", int),
    Setting("HANDOVER_HOURS", 72, "Lifetime of a secure credential hand-over link, in hours (single use).", int),
    Setting("MAX_UPLOAD_MB", 25, "Largest request body, in MiB (413 above it).", int),
    Setting("DEFAULT_TIMEZONE", "Europe/Berlin", "Time zone for viewers who have not chosen one."),
    Setting("MAIL_FROM", "RSP Portal <support@rsp.example>", "From address of mail the portal sends."),
    Setting("MAIL_PRINT", "", "Print queued mail to the console: `true`/`false`; default true in development.", bool),
    Setting("SMTP_HOST", "", "SMTP server for outgoing mail; empty: mail stays queued (development prints it)."),
    Setting("SMTP_PORT", 587, "SMTP server port: 587 for STARTTLS submission, 465 for TLS, 25 for a local relay.", int),
    Setting("SMTP_SECURITY", "starttls", "`starttls`, `tls` (TLS from the first byte) or `none` (a local relay only)."),
    Setting("SMTP_USERNAME", "", "SMTP login name; empty: no authentication."),
    Setting("SMTP_PASSWORD", "", "SMTP password.", secret=True),
    Setting("SMTP_TIMEOUT_SECONDS", 30, "Timeout for connecting to the SMTP server and for each command.", int),
    Setting("MAIL_DATACITE_DOMAINS", "datacite.org",
            "Comma-separated sender domains whose mail to the designated-contact mailbox becomes a staff request."),
    Setting("MAIL_LOOP_LIMIT_PER_HOUR", 20, "Mail accepted from one sender per hour; more is kept but opens nothing (loops).", int),
    Setting("SCHEDULER_LEASE_SECONDS", 30.0, "Leader lease of the scheduler; renewed at a third of it, taken over by a standby once expired.", float),
    Setting("SCHEDULER_POLL_SECONDS", 2.0, "How often the leading scheduler looks for \"Run now\" requests.", float),
    Setting("SCHEDULER_SHUTDOWN_SECONDS", 60.0, "On SIGTERM, how long a running job may take to finish before the scheduler exits anyway.", float),
    Setting("SCHEDULER_EXTRA_JOBS", "", "Tests only (`ENV=testing`): JSON list of extra jobs to schedule; refused otherwise."),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
    Setting("ATTACHMENT_DIR", "", "Folder for ticket attachments (outside static); default `instance/attachments`."),
    Setting("ATTACHMENT_MAX_MB", 10, "Largest attachment accepted, in MiB.", int),
    Setting("RESOLVED_CLOSE_DAYS", 7, "Resolved tickets close by themselves after this many days.", int),
    Setting("DATACITE_SUPPORT_EMAIL", "support@datacite.org", "Where escalations to DataCite support are sent."),
    Setting("DATACITE_XSD_DIR", "", "Folder with kernel-4.X/metadata.xsd for XSD validation; empty skips XSD checks."),
    Setting("CONTACT_EMAIL", "support@rsp.example",
            "Designated contact for DataCite; sent as the mailto in the client's User-Agent, as DataCite asks."),
    Setting("DATACITE_SANDBOX_URL", "http://127.0.0.1:5099",
            "Base URL of the offline DataCite sandbox; must be on this machine (loopback) for real connections."),
    Setting("DATACITE_TIMEOUT_SECONDS", 20.0, "Per-request time limit for DataCite calls, in seconds.", float),
    Setting("DATACITE_RATE_PRODUCTION", 2500,
            "Requests per 5 minutes to production for the whole process (DataCite allows 3,000 per IP).", int),
    Setting("DATACITE_RATE_TEST", 600,
            "Requests per 5 minutes to the test system for the whole process (DataCite asks for at most 750).", int),
    Setting("DATACITE_RATE_BULK", 400,
            "Requests per 5 minutes for bulk jobs, counted within the environment's rate (DataCite: 300-500).", int),
    Setting("CHECKS_NO_REGISTRATION_DAYS", 90,
            "Health check: flag a repository that registered DOIs before but none for this many days.", int),
    Setting("CHECKS_DRAFT_AGE_DAYS", 30, "Health check: flag draft DOIs older than this many days.", int),
    Setting("CHECKS_COMPLETENESS_THRESHOLD", 50,
            "Health check: flag a repository whose findable DOIs' average metadata completeness (%) is below this.", int),
    Setting("CHECKS_PAGE_SIZE", 50,
            "Health check: DOIs in the one listing per repository; more changes than this follow the updated cursor.", int),
    Setting("DOCS_CONTENT_DIR", "", "Folder of the documentation pages (Markdown); default `docs_content/` in the checkout."),
    Setting("PROGRAMME_RENEWAL_REMIND_DAYS", 30,
            "Days before the RSP self-assessment is due (31 January) that admins are reminded.", int),
    Setting("DOCS_REVIEW_MONTHS", 12, "Flag documentation pages to publishers when not reviewed for this many months.", int),
)

SETTING_NAMES = {s.name for s in SETTINGS}
_BY_NAME = {s.name: s for s in SETTINGS}
DEV_SECRET_WORDS = frozenset({"dev", "development", "secret", "test", "testing", "changeme", "change-me", "default"})
DEV_SECRET_MARKERS = ("change-me", "changeme", "insecure", "not-secret", "replace-me", "dev-key", "example")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to fix."""


def parse_value(setting: Setting, raw: str) -> Any:
    """Turn an environment string into the setting's type."""
    if setting.kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"PORTAL_{setting.name} must be true or false, not {raw!r}.")
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"PORTAL_{setting.name} must be a whole number, not {raw!r}.") from None
    if setting.kind is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"PORTAL_{setting.name} must be a number, not {raw!r}.") from None
    if setting.kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def defaults() -> dict[str, Any]:
    """The documented defaults."""
    return {s.name: s.default for s in SETTINGS}


def from_environ(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Every PORTAL_* variable that names a setting, typed."""
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith("PORTAL_") and key[7:] in _BY_NAME:
            values[key[7:]] = parse_value(_BY_NAME[key[7:]], raw)
    return values


def file_is_private(path: Path) -> bool:
    """True when neither group nor others may read or write the file."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def masked(name: str, value: Any) -> Any:
    """The value as `config show` prints it: secrets masked."""
    setting = _BY_NAME.get(name)
    secretish = (setting is not None and setting.secret) or name in ("SECRET_KEY",)
    if secretish:
        return "***" if value else "(unset)"
    if name == "DATABASE_URL" and isinstance(value, str) and "@" in value and ":" in value.split("@")[0]:
        scheme, rest = value.split("://", 1)
        creds, host = rest.split("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}"
    return value
