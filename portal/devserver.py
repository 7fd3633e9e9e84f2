"""`flask --app wsgi dev`: the portal, the scheduler and helpers in one terminal; Ctrl-C stops them all."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from portal.services.seed import DEMO_PASSWORD, DEMO_PEOPLE


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
    children = [subprocess.Popen(_flask("scheduler"), env=env)]  # noqa: S603
    click.echo("\n" + "=" * 72)
    click.echo(f"  RSP Portal: http://{host}:{port}/")
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
