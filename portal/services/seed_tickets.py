"""Generated helpdesk data at scale: realistic tickets about DOI registration and their messages, bulk-inserted.

The search index's triggers are suspended during the load and the index is rebuilt for the new tickets at the
end (one set-based statement instead of a million row triggers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, text
from sqlmodel import Session, select

from portal.models import (
    Message,
    Organisation,
    Repository,
    RepositoryPrefix,
    Role,
    Ticket,
    TicketDoi,
    TicketGroup,
    User,
)
from portal.services.search.index import rebuild_index, resume_triggers, suspend_triggers

SPAN = timedelta(days=730)
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]
CATEGORIES = ["registration_error", "registration_error", "metadata_schema", "landing_page_url", "credentials",
              "prefix_account", "other"]
SUBJECTS = [
    "DOI {doi} not found after registration",
    "422 Unprocessable Entity when updating {doi}",
    "URL not allowed by repository domain settings for {doi}",
    "This DOI has already been taken: {doi}",
    "Landing page for {doi} returns 404",
    "Schema {version} validation fails: missing resourceTypeGeneral",
    "Cannot log in to Fabrica with repository {symbol}",
    "Password reset needed for {symbol}",
    "Prefix {prefix} missing from repository {symbol}",
    "Affiliation identifiers rejected by the metadata schema",
    "Draft DOI {doi} cannot be published",
    "Related identifiers lost after update of {doi}",
    "Test environment credentials for {symbol}",
    "Bulk upload of XML metadata times out",
    "Funder reference not accepted for {doi}",
]
SENTENCES = [
    "We tried to register {doi} through the REST API and received an error.",
    "DataCite answered: {{\"errors\":[{{\"status\":\"422\",\"title\":\"Can't be blank\",\"source\":\"titles\"}}]}}",
    "The metadata validates locally against kernel {version} but the API rejects it.",
    "Our landing page is https://data.example.org/record/{n} and it loads in the browser.",
    "The repository {symbol} uses the prefix {prefix} in production.",
    "Could you check whether the DOI state is draft, registered or findable?",
    "The error appeared after we upgraded our Dataverse installation.",
    "Please see the attached log; the request times out after thirty seconds.",
    "Thank you for the quick answer, the record is findable now.",
    "The creators list contains an ORCID with a trailing space.",
    "We changed the URL of {doi} but the resolver still shows the old address.",
    "Is the test environment down? Minting fails with 500 Internal Server Error.",
    "The publicationYear field is outside the allowed range.",
    "Our harvester reports duplicate identifiers for the collection.",
    "The rights URI is not a valid URL according to the schema.",
]
NOTES = [
    "Checked the DataCite API log: the request never reached the server.",
    "Likely the domain list of {symbol}; asked the member to confirm the landing page host.",
    "Escalation candidate if the member confirms the payload.",
    "Same failure as last week for this repository; see the linked ticket.",
]


@dataclass
class TicketScale:
    tickets: int = 0
    messages: int = 0
    dois: int = 0


def _people(session: Session, now: datetime) -> tuple[list[int], list[int]]:
    """Agents and groups to assign the generated tickets to (created once, reused)."""
    agents = list(session.exec(select(User.id).where(User.role == Role.agent)).all())
    if not agents:
        made = [User(email=f"agent{n}@scale.example", name=f"Scale Agent {n}", role=Role.agent, created_at=now)
                for n in range(12)]
        session.add_all(made)
        session.flush()
        agents = [u.id for u in made]
    groups = list(session.exec(select(TicketGroup.id)).all())
    if not groups:
        made_groups = [TicketGroup(name=f"Scale {name}") for name in ("First line", "Second line", "Metadata")]
        session.add_all(made_groups)
        session.flush()
        groups = [g.id for g in made_groups]
    session.commit()
    return [a for a in agents if a is not None], [g for g in groups if g is not None]


def _repositories(session: Session) -> list[tuple[int, int, str, str]]:
    """(organisation, repository, symbol, prefix) for every repository with a prefix."""
    rows = session.execute(
        select(Repository.organisation_id, Repository.id, Repository.symbol, RepositoryPrefix.prefix)
        .join(RepositoryPrefix, RepositoryPrefix.repository_id == Repository.id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Repository.organisation_id)  # type: ignore[arg-type]
        .order_by(Repository.id)
    ).all()
    return [(int(o), int(r), s, p) for o, r, s, p in rows]


def _next_id(session: Session, model: Any) -> int:
    return int(session.exec(select(func.coalesce(func.max(model.id), 0))).one()) + 1


def seed_tickets(
    session: Session,
    *,
    tickets: int,
    messages: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
    seed: int = 7,
) -> TicketScale:
    """Bulk-add ``tickets`` tickets over two years with ``messages`` messages in all (at least one each)."""
    if tickets <= 0:
        return TicketScale()
    repos = _repositories(session)
    if not repos:
        raise ValueError("Add organisations with repositories first (seed-scale --orgs N).")
    agents, groups = _people(session, now)
    rng = random.Random(seed)
    first_ticket, message_id = _next_id(session, Ticket), _next_id(session, Message)
    made = TicketScale()
    conn = session.connection()
    suspend_triggers(conn)
    session.commit()
    try:
        extra = max(0, messages - tickets)
        for start in range(0, tickets, batch):
            count = min(batch, tickets - start)
            ticket_rows, message_rows, doi_rows = [], [], []
            for i in range(start, start + count):
                number = first_ticket + i
                org_id, repo_id, symbol, prefix = repos[rng.randrange(len(repos))]
                doi = f"{prefix}/{symbol.lower()}.{number}"
                words = {"doi": doi, "symbol": symbol, "prefix": prefix, "n": number,
                         "version": rng.choice(["4.4", "4.5", "4.6"])}
                created = now - SPAN * (1 - (i + 1) / tickets) - timedelta(minutes=rng.random() * 30)
                n_messages = 1 + (extra * (i + 1) // tickets) - (extra * i // tickets)
                at = created
                public_at = created
                for m in range(n_messages):
                    internal = m > 0 and rng.random() < 0.15
                    pattern = rng.choice(NOTES) if internal else " ".join(rng.sample(SENTENCES, 2))
                    message_rows.append({
                        "id": message_id, "ticket_id": number, "author_role": "agent" if m % 2 or internal else "member",
                        "author_name": "Scale Agent" if m % 2 or internal else "Scale Member",
                        "visibility": "internal" if internal else "public", "body": pattern.format(**words),
                        "source": "web", "created_at": at})
                    public_at = at if not internal else public_at
                    message_id += 1
                    at += timedelta(minutes=rng.expovariate(1 / 240))
                active = created > now - timedelta(days=30) and rng.random() < 0.7
                status = rng.choice(["new", "open", "open", "waiting_member", "waiting_datacite"]) if active \
                    else rng.choice(["resolved", "closed", "closed"])
                ticket_rows.append({
                    "id": number, "subject": rng.choice(SUBJECTS).format(**words), "status": status,
                    "priority": rng.choice(PRIORITIES), "category": rng.choice(CATEGORIES), "channel": "member_portal",
                    "requester_email": f"member@org{org_id}.example", "organisation_id": org_id,
                    "repository_id": repo_id, "environment": "production",
                    "assignee_id": rng.choice(agents) if rng.random() < 0.8 else None,
                    "group_id": rng.choice(groups), "created_at": created, "updated_at": min(at, now),
                    "first_response_at": created + timedelta(hours=2) if n_messages > 1 else None,
                    "resolved_at": None if active else min(at, now), "last_message_id": message_id - 1,
                    "last_public_message_at": public_at, "message_count": n_messages,
                    "sla_due_at": created + timedelta(days=3) if active else None,
                })
                if rng.random() < 0.8:
                    doi_rows.append({"ticket_id": number, "doi": doi, "prefix": prefix})
            session.execute(insert(Ticket), ticket_rows)
            session.execute(insert(Message), message_rows)
            if doi_rows:
                session.execute(insert(TicketDoi), doi_rows)
            session.commit()
            made.tickets += count
            made.messages += len(message_rows)
            made.dois += len(doi_rows)
            if progress:
                progress(count)
    finally:
        conn = session.connection()
        resume_triggers(conn)
        rebuild_index(conn, from_ticket=first_ticket)
        if conn.dialect.name == "postgresql":
            for table in ("ticket", "ticket_message"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  (constant)
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        # Fresh statistics after a bulk load, so both planners pick the selective index for combined filters.
        conn.exec_driver_sql("ANALYZE")
        session.commit()
        if conn.dialect.name == "postgresql":
            # The steady state autovacuum would reach later: without a visibility map, index-only scans (the queue
            # counts, the search windows) visit the heap for every row, and the planner prices them accordingly.
            with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.exec_driver_sql("VACUUM (ANALYZE) ticket, ticket_message, ticket_doi, ticket_search")
    return made
