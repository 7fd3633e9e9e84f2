"""Report queries at 100,000 tickets: time per figure on SQLite (and PostgreSQL when a server is named).

Generates two years of tickets (created, first response, solved, SLA due times, ratings) into a fresh
database, then times each report function (median of several runs after a warm-up) for 30, 90 and 365 days
in Europe/Berlin (two DST changes inside the year). ``--explain`` prints each query's plan to show the indexes.

Run: .venv/bin/python bench/reports_100k.py [--tickets 100000] [--years 2] [--explain]
     [--postgresql postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _pg import create_pg, drop_pg  # bench/_pg.py (the script's folder is on sys.path)
from sqlalchemy import Engine, event, insert
from sqlmodel import Session

from portal import migrations
from portal.db import make_engine
from portal.models import Role, Ticket, TicketGroup, User
from portal.services.reports.attainment import sla_attainment
from portal.services.reports.backlog import backlog, workload
from portal.services.reports.csat import csat_summary
from portal.services.reports.home import desk_home
from portal.services.reports.period import last_days
from portal.services.reports.report import build_report, load_all
from portal.services.reports.scope import ReportScope
from portal.services.reports.series import first_responses, opened_solved_per_day

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]
TARGETS = {"low": (16, 120), "normal": (8, 72), "high": (4, 24), "urgent": (1, 8)}  # hours: first response, resolution


def generate(engine: Engine, tickets: int, years: float, seed: int = 7) -> int:
    """Insert ``tickets`` spread over ``years`` before NOW; returns the id of an agent."""
    rng = random.Random(seed)
    with Session(engine) as session:
        agents = [User(email=f"agent{n}@bench.example", name=f"Agent {n}", role=Role.agent) for n in range(12)]
        groups = [TicketGroup(name=name) for name in ("First line", "Second line", "Metadata", "Accounts")]
        session.add_all(agents + groups)
        session.commit()
        agent_ids = [a.id for a in agents]
        group_ids = [g.id for g in groups]
        span = years * 365 * 86400
        # Tickets arrive in time order, so ids and creation times rise together (as in a real database).
        moments = sorted(NOW - timedelta(seconds=rng.random() * span) for _ in range(tickets))
        batch: list[dict[str, object]] = []
        for n, created in enumerate(moments):
            priority = rng.choice(PRIORITIES)
            respond_h, resolve_h = TARGETS[priority]
            responded = created + timedelta(minutes=rng.expovariate(1 / (respond_h * 40)))
            solved = created + timedelta(hours=rng.expovariate(1 / (resolve_h * 0.8)))
            open_now = solved > NOW or rng.random() < 0.02
            rated = not open_now and rng.random() < 0.25
            batch.append({
                "subject": f"Bench ticket {n}", "status": rng.choice(["new", "open", "waiting_member", "waiting_datacite"])
                if open_now else rng.choice(["resolved", "closed"]), "priority": priority,
                "category": "other", "channel": "proactive" if rng.random() < 0.03 else "member_portal",
                "created_at": created, "updated_at": created,
                "first_response_at": responded if responded < NOW else None,
                "resolved_at": None if open_now else solved,
                "first_response_due_at": created + timedelta(hours=respond_h),
                "resolution_due_at": created + timedelta(hours=resolve_h),
                "sla_due_at": created + timedelta(hours=resolve_h) if open_now else None,
                "assignee_id": rng.choice(agent_ids) if rng.random() < 0.8 else None,
                "group_id": rng.choice(group_ids),
                "csat_score": rng.choice([1, 2, 3, 4, 4, 5, 5, 5]) if rated else None,
                "csat_at": solved + timedelta(hours=2) if rated else None,
                "csat_comment": "Thanks, fixed" if rated and rng.random() < 0.3 else "",
            })
            if len(batch) == 5000:
                session.execute(insert(Ticket), batch)
                batch = []
        if batch:
            session.execute(insert(Ticket), batch)
        session.commit()
        return int(agent_ids[0])


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: object, context: object, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def explain(engine: Engine, action: Callable[[Session], object]) -> None:
    with captured(engine) as statements, Session(engine) as session:
        action(session)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    raw = engine.raw_connection()
    try:
        for statement, parameters in statements:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            plan = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
            print("    " + " ;; ".join(line.strip() for line in plan)[:400])
    finally:
        raw.close()


def timed(engine: Engine, label: str, action: Callable[[Session], object], runs: int = 5) -> None:
    samples = []
    for attempt in range(runs + 1):
        with Session(engine) as session:
            began = time.perf_counter()
            action(session)
            elapsed = time.perf_counter() - began
        if attempt:  # the first run warms caches
            samples.append(elapsed)
    print(f"  {label:<44} median {statistics.median(samples) * 1000:8.1f} ms   max {max(samples) * 1000:8.1f} ms")


def measure(engine: Engine, agent_id: int, show_plans: bool) -> None:
    scope = ReportScope()
    for days in (30, 90, 365):
        period = last_days(days, now=NOW, zone=ZONE)
        print(f" {days} days ({len(period.segments)} offset segments)")
        figures: dict[str, Callable[[Session], object]] = {
            "opened and solved per day": lambda s, p=period: opened_solved_per_day(s, p, scope=scope),
            "first responses (median, p90, buckets)": lambda s, p=period: first_responses(s, p, scope=scope),
            "SLA attainment (overall, priority, group)": lambda s, p=period: sla_attainment(s, p, now=NOW, scope=scope),
            "CSAT": lambda s, p=period: csat_summary(s, p, scope=scope),
            "whole report page (all figures)": lambda s, p=period: load_all(build_report(s, period=p, scope=scope,
                                                                                          now=NOW)),
            "whole report, one group and priority": lambda s, p=period: load_all(build_report(
                s, period=p, scope=ReportScope(group_id=1, priority="normal"), now=NOW)),
        }
        for label, action in figures.items():
            timed(engine, label, action)
            if show_plans and days == 90 and not label.startswith("whole"):
                explain(engine, action)
    print(" now")
    timed(engine, "backlog by status and age", lambda s: backlog(s, now=NOW, scope=scope))
    timed(engine, "workload per assignee", lambda s: workload(s, scope=scope))

    def home(session: Session) -> object:
        return desk_home(session, session.get(User, agent_id), now=NOW, zone=ZONE)

    timed(engine, "agent's start page (all figures)", home)
    if show_plans:
        explain(engine, lambda s: backlog(s, now=NOW, scope=scope))




def run(url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        began = time.perf_counter()
        agent_id = generate(engine, args.tickets, args.years)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE ticket")
        print(f"{engine.dialect.name}: {args.tickets:,} tickets over {args.years} years generated in "
              f"{time.perf_counter() - began:.1f} s")
        measure(engine, agent_id, args.explain)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--explain", action="store_true", help="print the query plans (90 days)")
    parser.add_argument("--postgresql", default="", help="also run on this PostgreSQL server (a database is created)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.db'}", args)
    if args.postgresql:
        url = create_pg(args.postgresql)
        try:
            run(url, args)
        finally:
            drop_pg(args.postgresql, url)


if __name__ == "__main__":
    main()
