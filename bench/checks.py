"""Benchmark the daily health run: N repositories and M DOIs in the sandbox, answering over HTTP with added latency.

The sandbox runs in its own process (so its CPU and memory are not counted as the portal's); the portal reaches it
through the ordinary client with the process-wide rate limiter. Two runs: the first fills the portal's DOI list,
the second has no changes and is the one the target is about (requests per repository <= 1.1).

    .venv/bin/python bench/checks.py                     # 2,000 repositories, 1,000,000 DOIs, 50 ms latency
    .venv/bin/python bench/checks.py --small             # 100 repositories, 20,000 DOIs
    .venv/bin/python bench/checks.py --repositories 500 --dois 100000 --latency-ms 50
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal import migrations  # noqa: E402
from portal.datacite.ratelimit import DEFAULT_RATES  # noqa: E402
from portal.datacite.sandbox import Faults, SandboxRepository, create_sandbox  # noqa: E402
from portal.db import make_engine  # noqa: E402
from portal.models import Organisation, Repository, RepositoryCredential, RepositoryPrefix  # noqa: E402
from portal.services.checks.health import HealthEnv, run_health_check  # noqa: E402
from portal.services.checks.jobs import JOB_RETRY  # noqa: E402
from portal.services.checks.rules import HealthSettings  # noqa: E402
from portal.services.credentials import store_credential  # noqa: E402
from portal.services.datacite_calls import Caller, Connector  # noqa: E402
from portal.services.tickets.attachments import Storage  # noqa: E402
from portal.services.tickets.context import TicketContext  # noqa: E402
from portal.services.tickets.notify import MailContext  # noqa: E402
from portal.vault import Vault, generate_key  # noqa: E402

PASSWORD = "bench-Pa55word"
DATACITE_LIMIT = 3000  # DataCite: authenticated requests per 5 minutes per IP
WINDOW = 300.0


def symbols(n: int) -> list[str]:
    return [f"M{i:04d}.DATA" for i in range(n)]


def serve(db_path: str, port: int, latency_ms: int, log_path: str) -> None:
    """The sandbox process: every request's arrival time goes to ``log_path`` (for the rate-limit check)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    sandbox = create_sandbox(db_path, faults=Faults(latency_ms=latency_ms, seed=1))
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (held for the process's life)

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        log.write(f"{time.time():.3f}\n")
        return sandbox(environ, start_response)

    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def max_in_window(stamps: list[float]) -> int:
    """The most requests inside any 5-minute window."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] > WINDOW:
            start += 1
        best = max(best, end - start + 1)
    return best


def prepare_portal(url: str, names: list[str], vault: Vault, now: datetime) -> None:
    engine = make_engine(url)
    migrations.upgrade(engine)
    with Session(engine) as session:
        for i, symbol in enumerate(names):
            org = Organisation(name=f"Member {i:04d}", datacite_member_id=symbol.split(".")[0])
            session.add(org)
            session.flush()
            repo = Repository(organisation_id=org.id or 0, symbol=symbol, environment="production",
                              api_target="sandbox", domains="*")
            session.add(repo)
            session.flush()
            session.add(RepositoryPrefix(repository_id=repo.id or 0, prefix=f"10.{10000 + i}"))
            store_credential(session, repo, secret=PASSWORD, vault=vault, via="seed", caller=Caller(label="bench"),
                             ip="", now=now)
        session.commit()
        session.exec(update(RepositoryCredential).values(last_verified_at=now, last_verification_ok=True))  # type: ignore[call-overload]
        session.commit()
    engine.dispose()


def timed_run(url: str, env: HealthEnv, now: datetime, log_path: Path, label: str, repositories: int) -> None:
    engine = make_engine(url)
    before = len(log_path.read_text().split())
    started = time.perf_counter()
    with Session(engine) as session:
        run = run_health_check(session, env=env, now=now)
    wall = time.perf_counter() - started
    engine.dispose()
    stamps = [float(x) for x in log_path.read_text().split()[before:]]
    served = len(stamps)
    peak = max_in_window(stamps)
    print(f"{label}: {run.checked:,} checked, {len(run.failed)} not checked, {run.requests:,} requests "
          f"({served:,} arrived at the sandbox) = {run.requests / max(1, repositories):.3f} per repository; "
          f"{run.changed:,} DOIs changed; findings opened {run.opened}, closed {run.closed}; "
          f"wall {wall:.1f} s; most requests in any 5 minutes: {peak:,} "
          f"({'inside' if peak <= DATACITE_LIMIT else 'OVER'} DataCite's {DATACITE_LIMIT:,}); "
          f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB", flush=True)


def main() -> None:
    import logging

    logging.getLogger("portal.datacite").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--dois", type=int, default=1_000_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--rate", type=int, default=DEFAULT_RATES["production"],
                        help="requests per 5 minutes the portal allows itself (default: the production setting)")
    parser.add_argument("--small", action="store_true", help="100 repositories and 20,000 DOIs")
    args = parser.parse_args()
    if args.small:
        args.repositories, args.dois = 100, 20_000
    names = symbols(args.repositories)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        sandbox_db, portal_db, log_path = Path(folder) / "sandbox.db", Path(folder) / "portal.db", Path(folder) / "log"
        log_path.write_text("")
        sandbox = create_sandbox(sandbox_db, [SandboxRepository(symbol=s, password=PASSWORD, prefixes=[f"10.{10000 + i}"])
                                              for i, s in enumerate(names)])
        started = time.perf_counter()
        sandbox.seed_dois(args.dois, seed=1)
        sandbox.close()
        print(f"seeded {args.dois:,} DOIs over {args.repositories:,} repositories in {time.perf_counter() - started:.0f} s",
              flush=True)
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(
            target=serve, args=(str(sandbox_db), port, args.latency_ms, str(log_path)), daemon=True)
        server.start()
        time.sleep(2.0)
        vault = Vault({"bench": generate_key()}, "bench")
        url = f"sqlite:///{portal_db}"
        prepare_portal(url, names, vault, now)
        config = {"BASE_URL": "https://portal.example.org", "CONTACT_EMAIL": "support@rsp.example",
                  "DATACITE_SANDBOX_URL": f"http://127.0.0.1:{port}", "DATACITE_RATE_TEST": args.rate,
                  "DATACITE_TIMEOUT_SECONDS": 30.0}
        ctx = TicketContext(mail=MailContext(base_url="https://portal.example.org", site_name="Bench"),
                            storage=Storage(root=Path(folder) / "files", max_bytes=1 << 20))
        env = HealthEnv(connector=Connector(config=config, retry=JOB_RETRY), vault=vault, ctx=ctx,
                        fallback_email="support@rsp.example", settings=HealthSettings())
        print(f"latency {args.latency_ms} ms per request; the portal allows itself {args.rate:,} requests per 5 minutes",
              flush=True)
        timed_run(url, env, now, log_path, "first run (fills the DOI list)", args.repositories)
        time.sleep(1.1)  # the second run starts in a later second than every DOI's `updated`
        timed_run(url, env, now + timedelta(days=1), log_path, "second run (no changes)", args.repositories)
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
