"""Load the vault's key ring for an app, from the key file or PORTAL_ENCRYPTION_KEYS."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from portal.config import check_keys_distinct
from portal.settings import ConfigError, file_is_private
from portal.vault import Vault, VaultError, generate_key, read_key_ring


def load_vault(app: Flask) -> Vault | None:
    """The vault, or None in development when no key ring exists yet (`keys init` makes one)."""
    text = app.config.get("ENCRYPTION_KEYS") or ""
    path = Path(app.config["ENCRYPTION_KEY_FILE"])
    if not text and path.exists():
        if app.config["ENV"] == "production" and not file_is_private(path):
            raise ConfigError(f"{path} is readable by group or others: run `chmod 600 {path}`.")
        text = path.read_text()
    if not text:
        return None
    try:
        keys, primary, encoded = read_key_ring(text)
        vault = Vault(keys, primary)
    except VaultError as exc:
        raise ConfigError(f"The encryption key ring ({path}) is not usable: {exc}.") from None
    check_keys_distinct(app.config.get("SECRET_KEY") or "", encoded, list(keys.values()))
    return vault


def init_app(app: Flask) -> None:
    vault = load_vault(app)
    if vault is None and app.config["ENV"] == "testing":
        # Tests without a key ring: an ephemeral one, so nothing sealed outlives the app.
        vault = Vault({"ephemeral": generate_key()}, "ephemeral")
        app.config["VAULT_EPHEMERAL"] = True
    if vault is None:
        raise ConfigError(
            f"No encryption key ring at {app.config['ENCRYPTION_KEY_FILE']}: create it with `flask --app wsgi keys init`."
        )
    app.extensions["portal.vault"] = vault


def get_vault() -> Vault:
    return current_app.extensions["portal.vault"]
