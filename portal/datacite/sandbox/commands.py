"""`flask --app wsgi datacite-sandbox ...`: serve (or only seed) the offline DataCite stand-in."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click
from werkzeug.serving import make_server

from portal.datacite.sandbox.app import Sandbox, create_sandbox
from portal.datacite.sandbox.faults import Faults
from portal.datacite.sandbox.repositories import SandboxRepository, parse_repository_spec


def _repositories(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[SandboxRepository]:
    try:
        return [parse_repository_spec(v) for v in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("datacite-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5099, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite file kept between runs (repositories and DOIs); default: in memory.")
@click.option("--repository", "repositories", multiple=True, callback=_repositories,
              metavar="ID:PASSWORD:PREFIX[,PREFIX...][:DOMAIN,...]", help="A repository account to accept (repeatable).")
@click.option("--seed-dois", default=0, type=click.IntRange(min=0), help="Generate this many DOIs first.")
@click.option("--seed", "seed_value", default=0, type=int, show_default=True, help="Random seed of the generator.")
@click.option("--seed-only", is_flag=True, help="Seed the --db file and exit without serving.")
@click.option("--latency-ms", default=0, type=click.IntRange(min=0), help="Delay every answer.")
@click.option("--error-rate", default=0.0, type=click.FloatRange(0, 1), help="Fraction of requests answered 5xx.")
@click.option("--timeout-rate", default=0.0, type=click.FloatRange(0, 1), help="Fraction of requests left hanging.")
@click.option("--rate-limit-every", default=0, type=click.IntRange(min=0), help="Answer every Nth request 429.")
@click.option("--retry-after", default=1, type=click.IntRange(min=0), show_default=True, help="Retry-After of a 429.")
def sandbox_cmd(host: str, port: int, db_path: Path | None, repositories: list[SandboxRepository], seed_dois: int,
                seed_value: int, seed_only: bool, latency_ms: int, error_rate: float, timeout_rate: float,
                rate_limit_every: int, retry_after: int) -> None:
    """Serve an offline stand-in for the DataCite REST API (werkzeug, threaded); Ctrl-C stops it."""
    if seed_only and db_path is None:
        raise click.UsageError("--seed-only needs --db FILE: seeding an in-memory database and exiting keeps nothing.")
    faults = Faults(latency_ms=latency_ms, error_rate=error_rate, timeout_rate=timeout_rate,
                    rate_limit_every=rate_limit_every, retry_after_seconds=retry_after)
    sandbox = create_sandbox(db_path or ":memory:", repositories, faults if _any(faults) else None)
    try:
        if seed_dois:
            _seed(sandbox, seed_dois, seed_value)
        if seed_only:
            click.echo(f"Seeded {db_path}.")
            return
        if not sandbox.repositories:
            click.echo("Warning: no repositories; only anonymous reads will work. Add --repository ID:PASSWORD:PREFIX.",
                       err=True)
        _serve(sandbox, host, port, db_path)
    finally:
        sandbox.close()


def _any(faults: Faults) -> bool:
    return bool(faults.latency_ms or faults.error_rate or faults.timeout_rate or faults.rate_limit_every)


def _seed(sandbox: Sandbox, n: int, seed: int) -> None:
    if not sandbox.repositories:
        raise click.UsageError("--seed-dois needs at least one --repository: every DOI belongs to one.")
    with click.progressbar(length=n, label="Seeding DOIs", file=sys.stderr) as bar:
        added = sandbox.seed_dois(n, seed=seed, progress=bar.update)
    click.echo(f"Added {added} DOIs.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(sandbox: Sandbox, host: str, port: int, db_path: Path | None) -> None:
    # werkzeug reports a port in use itself ("Port N is in use by another program...") and exits 1.
    server = make_server(host, port, sandbox, threaded=True)
    click.echo(f"DataCite sandbox listening on http://{host}:{server.server_port}/ "
               f"(database: {db_path or 'in memory'})")
    for repository in sandbox.repositories.values():
        click.echo(f"  repository {repository.symbol}: prefixes {', '.join(repository.prefixes)}; domains {repository.domains}")
    if sandbox.faults is not None:
        click.echo(f"  faults: {sandbox.faults}")
    click.echo("Ctrl-C stops it.", nl=True)
    sys.stdout.flush()
    # Ctrl-C and SIGTERM both stop it cleanly, even when a shell started it in the background with SIGINT
    # ignored (Python then installs no KeyboardInterrupt handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        click.echo("Stopped.")
