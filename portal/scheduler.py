"""The scheduler process: `flask --app wsgi scheduler`. Web workers never run one.

Until the scheduled checks land this process only records a heartbeat, so admins can see it is alive.
"""

from __future__ import annotations

import os
import signal
import socket
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import engine_of, session_scope
from portal.models.types import utcnow
from portal.services import system

HEARTBEAT_SECONDS = 20


@click.command("scheduler")
@with_appcontext
@click.option("--once", is_flag=True, help="Record one heartbeat and exit (for checks).")
def scheduler_cmd(once: bool) -> None:
    """Run the scheduler process until SIGTERM or Ctrl-C."""
    engine = engine_of(current_app)
    holder = f"{socket.gethostname()}:{os.getpid()}"
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = True
    click.echo(f"Scheduler {holder} running; heartbeat every {HEARTBEAT_SECONDS} s.")
    try:
        while not stop.is_set():
            with session_scope(engine) as session:
                system.record_heartbeat(session, name=system.SCHEDULER, holder=holder, now=utcnow(), started=started)
            started = False
            if once:
                break
            stop.wait(HEARTBEAT_SECONDS)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Scheduler stopped.")
