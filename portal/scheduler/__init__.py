"""`flask --app wsgi scheduler`: the scheduler process. Web workers never start one.

Run one per host if you like: the processes agree through a lease row which one leads (see
``portal.scheduler.process``). ``--once JOB`` runs one job now, records it, and exits.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import jobs
from portal.errors import NotFound
from portal.settings import ConfigError


def make_holder() -> str:
    """A name for this process that is unique even when a PID is reused."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(3)}"


def _run_once(app: Flask, schedule: tuple[jobs.JobSpec, ...], name: str) -> None:
    from portal.models import RunStatus, RunTrigger
    from portal.models.types import utcnow
    from portal.scheduler.runner import JobRunner

    try:
        spec = jobs.find_job(schedule, name)
    except NotFound as exc:
        raise click.ClickException(f"{exc.message} Jobs: {', '.join(s.name for s in schedule)}.") from None
    runner = JobRunner(app, schedule=[spec], holder=f"cli:{make_holder()}", may_run=lambda _now: True,
                       stopping=lambda: False)
    run = runner.run(spec, slot=jobs.manual_slot(utcnow()), trigger=RunTrigger.manual, wait=True)
    if run is None:
        raise click.ClickException("That run could not be recorded.")
    counts = ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items())) or "no counts"
    click.echo(f"{spec.name} {run.status} in {run.duration_ms} ms ({counts}). {run.note}".rstrip())
    if run.status != RunStatus.succeeded:
        click.echo(f"Error: {run.error}", err=True)
        sys.exit(1)


@click.command("scheduler")
@click.option("--once", "once", metavar="JOB", default=None, help="Run JOB once now, record the run, and exit.")
@with_appcontext
def scheduler_cmd(once: str | None) -> None:
    """Run the scheduler process until SIGTERM or Ctrl-C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        schedule = jobs.schedule_for(app.config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if once:
        _run_once(app, schedule, once)
        return

    from portal.scheduler.process import SchedulerProcess

    try:
        process = SchedulerProcess(app, schedule=schedule, holder=make_holder())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None

    def _stop(_signum: int, _frame: object) -> None:
        process.stop_event.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"Scheduler {process.holder}: {len(process.runner.specs)} jobs; lease "
               f"{process.lease_seconds:g} s. Waiting for the lease.")
    try:
        finished = process.serve()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Scheduler stopped." if finished else "Scheduler stopped; unfinished runs were marked failed.")
    if not finished:
        # Worker threads still inside a job would hold the interpreter open past the promised bound.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
