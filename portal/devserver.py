"""`flask --app wsgi dev`: the portal, the scheduler and helpers in one terminal; Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from portal.services.seed import DEMO_PASSWORD, DEMO_PEOPLE, DEMO_SANDBOX_REPOSITORIES

SANDBOX_COMMAND = "datacite-sandbox"
SANDBOX_SEED_DOIS = 120  # on the first start only, so "Recent DOIs" has something to show


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def sandbox_args(app: Flask) -> list[str] | None:
    """The sandbox's command line (demo repositories, database in instance/), or None when it cannot start.

    None when this build has no sandbox command, or something already listens on the sandbox's port.
    """
    if SANDBOX_COMMAND not in getattr(app.cli, "commands", {}):
        return None
    url = urlsplit(str(app.config.get("DATACITE_SANDBOX_URL") or "http://127.0.0.1:5099"))
    host, port = url.hostname or "127.0.0.1", url.port or 5099
    if not _port_free(host, port):
        return None
    database = Path(app.instance_path) / "sandbox.db"
    args = [SANDBOX_COMMAND, "--host", host, "--port", str(port), "--db", str(database)]
    for account in DEMO_SANDBOX_REPOSITORIES:
        args += ["--repository", account.spec]
    if not database.exists():
        args += ["--seed-dois", str(SANDBOX_SEED_DOIS)]
    return args


@click.command("dev")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def dev_cmd(host: str, port: int) -> None:
    """Serve the portal with the scheduler process beside it (development)."""
    if not _port_free(host, port):
        raise click.ClickException(f"Port {port} on {host} is in use. Stop the other server or pass --port.")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = dict(os.environ)

    def _terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops everything just as Ctrl-C does

    signal.signal(signal.SIGTERM, _terminate)
    children = [subprocess.Popen(_flask("scheduler"), env=env)]  # noqa: S603
    sandbox = sandbox_args(app)
    if sandbox is not None:
        children.append(subprocess.Popen(_flask(*sandbox), env=env))  # noqa: S603
    click.echo("\n" + "=" * 72)
    click.echo(f"  RSP Portal: http://{host}:{port}/")
    if sandbox is not None:
        click.echo(f"  DataCite sandbox: {app.config['DATACITE_SANDBOX_URL']} (demo repositories use it)")
    elif SANDBOX_COMMAND not in getattr(app.cli, "commands", {}):
        click.echo("  DataCite sandbox: not in this build; the demo repositories' DataCite calls will fail.")
    else:
        click.echo(f"  DataCite sandbox: something already listens at {app.config['DATACITE_SANDBOX_URL']}; using it.")
    click.echo(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role, _org in DEMO_PEOPLE:
        click.echo(f"    {role.value:<15} {email}")
    click.echo("  Ctrl-C stops the portal and everything it started.")
    click.echo("=" * 72 + "\n")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        click.echo("Stopped.")
