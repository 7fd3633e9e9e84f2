"""The RSP Portal: an operations portal for a DataCite Registered Service Provider."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal.settings import ROOT

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration layers, database, vault, security, web, command line."""
    from portal import cli, config, db, logs, security, vault_app, web

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_relative_config=True,
    )
    config.configure(app, test_config)
    logs.init_app(app)
    db.init_app(app)
    vault_app.init_app(app)
    security.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
