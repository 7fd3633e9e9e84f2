"""Demo helpdesk: groups, the shipped canned answers, and a dozen realistic tickets in every state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from portal.models import AssignmentMode, Repository, Role, Status, User, Visibility
from portal.services.tickets import canned, escalation, groups
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket, rate
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status

# (subject, requester email, repository, environment, category, priority, error text, body,
#  then a list of (hours after opening, who, kind, text, status after)) where who is "member" or an agent's email.
DEMO_TICKETS: list[dict[str, Any]] = [
    {"subject": "Publishing fails: URL not allowed", "by": "tomas@unix.example", "repo": ("UNIX.DATA", "production"),
     "category": "landing_page_url", "priority": "high", "days_ago": 0.2,
     "error": "422 Unprocessable Entity\n{\"errors\":[{\"source\":\"url\",\"title\":\"URL https://data.unix.example/record/17 "
              "is not allowed by repository unix.data domain settings.\",\"uid\":\"10.80001/unix.2026-17\"}]}",
     "body": "Since this morning our Dataverse cannot publish 10.80001/unix.2026-17. The record moved to our new data "
             "portal at data.unix.example. What do we need to change?", "steps": []},
    {"subject": "401 Bad credentials after our password reset", "by": "anna@meeresdaten.example",
     "repo": ("IFMD.OCEAN", "production"), "category": "credentials", "priority": "high", "days_ago": 1.5,
     "error": "401 {\"errors\":[{\"status\":\"401\",\"title\":\"Bad credentials.\"}]}",
     "body": "We reset the repository password in Fabrica yesterday and now every registration fails with 401.",
     "steps": [(2, "priya@rsp.example", "public", "Hello Anna, thanks. The portal still holds the old password. I am "
                "sending you a secure link to enter the new one; nobody at our end will see it.", Status.waiting_member)]},
    {"subject": "This DOI has already been taken", "by": "li@unix.example", "repo": ("UNIX.DATA", "test"),
     "category": "registration_error", "priority": "normal", "days_ago": 3,
     "error": "{\"errors\":[{\"source\":\"doi\",\"title\":\"This DOI has already been taken\",\"uid\":\"10.80901/test-0042\"}]}",
     "body": "Our test import stopped at 10.80901/test-0042 with this message.",
     "steps": [(4, "ben@rsp.example", "note", "The DOI exists as a draft from a run that timed out on 14 Nov.", None),
               (5, "ben@rsp.example", "public", "Hello Li, the DOI already exists as a draft from an earlier run that "
                "timed out. Could you confirm we may update that draft instead of creating it again?",
                Status.waiting_member)]},
    {"subject": "Updating old DOIs: Schema 3 no longer supported", "by": "anna@meeresdaten.example",
     "repo": ("IFMD.OCEAN", "production"), "category": "metadata_schema", "priority": "normal", "days_ago": 6,
     "error": "422 DOI 10.80002/ocean.1998.3: Schema http://datacite.org/schema/kernel-3 is no longer supported",
     "body": "Metadata updates for our records from 1998 fail with this error. We did not change anything.",
     "steps": [(3, "priya@rsp.example", "public", "Hello Anna, these records were first registered with Schema 3. "
                "We are checking with DataCite whether they can be converted in bulk.", None),
               (4, "priya@rsp.example", "escalate", "Converted one record by hand; still refused on update.", None)]},
    {"subject": "How do we delete a registered DOI?", "by": "sami@nordicarchive.example",
     "repo": ("NDA.ARCHIVE", "test"), "category": "registration_error", "priority": "low", "days_ago": 9,
     "error": "405 {\"errors\":[{\"status\":\"405\",\"title\":\"Method not allowed\"}]}",
     "body": "We registered a DOI by mistake and DELETE answers 405.",
     "steps": [(1, "ben@rsp.example", "public", "Hello Sami, only drafts can be deleted. Registered DOIs are permanent: "
                "hide it and point it to a tombstone page. Steps: {{docs_url}}/troubleshooting/cannot-delete-registered",
                Status.resolved)],
     "rating": (5, "Clear and quick, thank you.")},
    {"subject": "Missing creator when publishing", "by": "tomas@unix.example", "repo": ("UNIX.DATA", "production"),
     "category": "metadata_schema", "priority": "normal", "days_ago": 2,
     "error": "422 DOI 10.80001/unix.2026-09: Missing child element(s). Expected is ( {http://datacite.org/schema/kernel-4}creator ). at line 4, column 0",
     "body": "A record without authors was submitted by a student assistant; how do we publish it?",
     "steps": [(1, "ben@rsp.example", "public", "Hello Tomás, every findable DOI needs at least one creator. Add the "
                "organisation as creator if there is no person.", None)], "assignee": "ben@rsp.example"},
    {"subject": "Poster not accepted as resource type", "by": "anna@meeresdaten.example",
     "repo": ("IFMD.OCEAN", "test"), "category": "metadata_schema", "priority": "normal", "days_ago": 0.5,
     "error": "[facet 'enumeration'] The value 'Poster' is not an element of the set {'Audiovisual', 'Book', 'Dataset'}.",
     "body": "We want to register conference posters, which Schema 4.7 allows. Our test fails.", "steps": []},
    {"subject": "Rate limited during a bulk update", "by": "li@unix.example", "repo": ("UNIX.DATA", "production"),
     "category": "registration_error", "priority": "normal", "days_ago": 12,
     "error": "429 Your request has been rate limited.",
     "body": "Updating 20,000 DOIs overnight stopped after a few thousand.",
     "steps": [(2, "priya@rsp.example", "public", "Hello Li, DataCite limits requests per five minutes. Our integration "
                "now spreads bulk updates out; the rest went through tonight.", Status.resolved),
               (30, "li@unix.example", "public", "Confirmed, all updated. Thanks!", None)], "close": True},
    {"subject": "DOI not found in production", "by": "sami@nordicarchive.example", "repo": ("NDA.ARCHIVE", "test"),
     "category": "registration_error", "priority": "normal", "days_ago": 5,
     "error": "404 {\"errors\":[{\"status\":\"404\",\"title\":\"The resource you are looking for doesn't exist.\"}]}",
     "body": "10.80903/nda.test.7 resolves in the test Fabrica but not at doi.org.",
     "steps": [(3, "ben@rsp.example", "public", "Hello Sami, test and production are separate systems: DOIs registered "
                "in test never resolve at doi.org.", Status.resolved)]},
    {"subject": "Prefix 10.80002 not authorized", "by": "anna@meeresdaten.example", "repo": ("IFMD.OCEAN", "production"),
     "category": "prefix_account", "priority": "urgent", "days_ago": 0.1,
     "error": "403 {\"errors\":[{\"status\":\"403\",\"title\":\"You are not authorized to access this resource.\"}]}",
     "body": "All registrations under 10.80002 fail since an hour ago.", "steps": [], "assignee": "priya@rsp.example"},
    {"subject": "XML error with an ampersand in a title", "by": "tomas@unix.example", "repo": ("UNIX.DATA", "production"),
     "category": "metadata_schema", "priority": "normal", "days_ago": 1,
     "error": "400 [xml] xml error: The entity name must immediately follow the '&' in the entity reference.",
     "body": "The title is “Salt & Pepper: soil samples 2025”.", "steps": []},
    {"subject": "Adding a second landing-page domain", "by": "sami@nordicarchive.example",
     "repo": ("NDA.ARCHIVE", "test"), "category": "landing_page_url", "priority": "low", "days_ago": 4, "error": "",
     "body": "We will serve landing pages from data.nordicarchive.example too. Is anything needed besides Fabrica?",
     "steps": [(6, "priya@rsp.example", "public", "Hello Sami, *.nordicarchive.example already covers it. Which exact "
                "host will you use?", Status.waiting_member)]},
]


def seed_helpdesk(session: Session, *, config: Mapping[str, Any], now: datetime) -> int:
    """Groups, canned answers and the demo tickets; returns the number of tickets made."""
    ctx = TicketContext.from_config(config)
    ctx = replace(ctx, mail=replace(ctx.mail, echo=False))
    agents = session.exec(select(User).where(User.role.in_([Role.agent, Role.admin]))).all()  # type: ignore[attr-defined]
    by_email = {u.email: u for u in session.exec(select(User)).all()}
    first = [u.id for u in agents if u.role == Role.agent]
    admin = next(u for u in agents if u.role == Role.admin)
    groups.save_group(session, None, name="First line", description="Members' DOI registration questions",
                      assignment=AssignmentMode.manual, is_default=True, active=True, member_ids=first,
                      available_ids=first, actor=admin)
    liaison = groups.save_group(session, None, name="DataCite liaison", description="Requests from DataCite staff",
                                assignment=AssignmentMode.manual, is_default=False, active=True,
                                member_ids=first, available_ids=first, actor=admin)
    seed_staff_channel(session, config=config, ctx=ctx, liaison=liaison, by_email=by_email, admin=admin, now=now)
    canned.seed_defaults(session)
    made = 0
    for spec in DEMO_TICKETS:
        opened = now - timedelta(days=spec["days_ago"])
        requester = by_email[spec["by"]]
        symbol, environment = spec["repo"]
        repo = session.exec(select(Repository).where(Repository.symbol == symbol,
                                                     Repository.environment == environment)).one()
        ticket = create_ticket(session, NewTicket(
            subject=spec["subject"], body=spec["body"], requester=requester, repository_id=repo.id,
            environment=environment, category=spec["category"], priority=spec["priority"], error_text=spec["error"],
            assignee_id=by_email[spec["assignee"]].id if spec.get("assignee") else None,
        ), ctx=ctx, actor=requester, now=opened)
        made += 1
        for hours, who, kind, text, after in spec["steps"]:
            moment = opened + timedelta(hours=hours)
            author = by_email[who]
            if kind == "escalate":
                package = escalation.build_package(session, ticket, steps_taken=text, now=moment)
                escalation.escalate(session, ticket, package=package, send=False, actor=author, ctx=ctx, now=moment)
                continue
            if author.role == Role.agent and ticket.assignee_id is None:
                from portal.services.tickets.assignment import assign

                assign(session, ticket, author, actor=author, now=moment)
            add_message(session, ticket, author=author, body=text.replace("{{docs_url}}", "/docs"), ctx=ctx,
                        now=moment, visibility=Visibility.internal if kind == "note" else Visibility.public,
                        set_status=after if author.role == Role.agent and kind == "public" else None)
        if spec.get("close"):
            set_status(session, ticket, Status.closed, actor=admin, ctx=ctx, now=now - timedelta(days=1),
                       reason="Confirmed by the member.")
        if spec.get("rating"):
            score, comment = spec["rating"]
            rate(session, ticket, member=requester, score=score, comment=comment, now=now - timedelta(days=2))
    return made


def seed_staff_channel(session: Session, *, config: Mapping[str, Any], ctx: TicketContext, liaison: Any,
                       by_email: dict[str, User], admin: User, now: datetime) -> None:
    """The designated contact, the service profile's texts and two requests from DataCite staff."""
    from portal.services.staff import contact, profile
    from portal.services.staff import requests as staff_requests

    contact.save_contact(session, contact.ContactInput(
        email=config.get("CONTACT_EMAIL") or "datacite-contact@rsp.example",
        primary_agent_id=by_email["priya@rsp.example"].id, backup_agent_id=by_email["ben@rsp.example"].id,
        group_id=liaison.id, ack_business_minutes=8 * 60, answer_business_minutes=16 * 60,
        backup_after_business_minutes=4 * 60), actor=admin, now=now - timedelta(days=30))
    profile.save_texts(session, description="Example RSP registers DOIs with DataCite for research repositories "
                       "(Dataverse and InvenioRDM instances) of the members below, through the DataCite REST API.",
                       hosting="Hosted in an EU data centre; PostgreSQL with nightly encrypted backups.",
                       support_policy="First-line support on business days, 09:00-17:00 Europe/Berlin; urgent "
                       "registration failures are answered within 4 business hours.", documentation_url="",
                       actor=admin, now=now - timedelta(days=30))
    maren = by_email["maren@datacite.example"]
    staff_requests.file_request(session, staff_requests.StaffRequestInput(
        subject="UNIX.DATA still sends kernel-3 XML", repository_symbol="UNIX.DATA", urgency="normal",
        observed="Our logs show updates from UNIX.DATA with kernel-3 metadata in the last week; they are refused. "
                 "Please help the member upgrade.", dois="10.80001/unix.1999-4"),
        staff=maren, ctx=ctx, now=now - timedelta(days=3))
    answered = staff_requests.file_request(session, staff_requests.StaffRequestInput(
        subject="Service information for the yearly review", urgency="low",
        observed="Could you send your current service profile for our records?"),
        staff=maren, ctx=ctx, now=now - timedelta(days=10))
    add_message(session, answered, author=by_email["priya@rsp.example"], ctx=ctx, now=now - timedelta(days=9, hours=20),
                body="Hello Maren, here it is: see the service profile page (also as Markdown).",
                set_status=Status.resolved)
