"""The agent's start page and the reports page: what agents and admins see, errors, CSV downloads, time zones."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from portal.models import Channel, Role, Status, TicketGroup
from portal.models.types import utcnow
from portal.services.tickets import escalation
from tests.helpdesk import ctx_for_tests
from tests.services.reports_data import add_ticket


@pytest.fixture
def world(session, make):
    agent = make.user(session, Role.agent, name="Priya Raman")
    other = make.user(session, Role.agent, name="Bo Other")
    admin = make.user(session, Role.admin, name="Ada Admin")
    group = TicketGroup(name="First line", is_default=True)
    session.add(group)
    session.commit()
    now = utcnow()
    add_ticket(session, now - timedelta(hours=3), subject="Publishing fails: URL not allowed", assignee_id=agent.id,
               group_id=group.id, priority="urgent", sla_due_at=now + timedelta(minutes=30),
               first_response_due_at=now + timedelta(minutes=30))
    add_ticket(session, now - timedelta(hours=5), subject="Overdue <b>bold</b> ticket", group_id=group.id,
               sla_due_at=now - timedelta(minutes=5), first_response_due_at=now - timedelta(minutes=5))
    for n in range(4):
        add_ticket(session, now - timedelta(days=n), subject=f"Unassigned {n}", group_id=group.id,
                   first_response_at=now - timedelta(days=n) + timedelta(minutes=20 + n),
                   first_response_due_at=now - timedelta(days=n) + timedelta(hours=1))
    add_ticket(session, now - timedelta(days=2), subject="Someone else's", assignee_id=other.id)
    back = make.ticket(session, subject="Kernel-3 XML for UNIX.DATA", assignee_id=agent.id)
    esc = escalation.escalate(session, back, package="package", send=False, actor=agent, ctx=ctx_for_tests(), now=now)
    escalation.record_answer(session, back, esc.id, answer="Upgraded.", reference="DC-42", actor=agent, now=now)
    waiting = make.ticket(session, subject="Prefix transfer", assignee_id=agent.id)
    escalation.escalate(session, waiting, package="package", send=False, actor=agent, ctx=ctx_for_tests(), now=now)
    add_ticket(session, now - timedelta(days=2), subject="Schema 3 still in use", channel=Channel.proactive)
    add_ticket(session, now - timedelta(days=3), subject="Solved", status=Status.resolved,
               resolved_at=now - timedelta(days=1), csat_score=5, csat_comment="@SUM(1) thanks",
               csat_at=now - timedelta(hours=20))
    return {"agent": agent, "admin": admin, "group": group}


def no_inline_style_or_script(html):
    assert " style=" not in html
    assert re.findall(r"<script[^>]*>", html) == [re.search(r'<script src="[^"]+app.js" defer>', html).group(0)]


def svgs(html):
    found = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    return [etree.fromstring(s.encode()) for s in found]


def test_agent_home_shows_what_needs_attention(client, login_as, world):
    login_as(world["agent"])
    response = client.get("/desk/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Breaching soon", "Publishing fails: URL not allowed", "Overdue &lt;b&gt;bold&lt;/b&gt; ticket",
                 "in “First line”", "Kernel-3 XML for UNIX.DATA", "(DC-42)", "Prefix transfer",
                 "Schema 3 still in use", "SLA attainment, the last 7 days", "Opened and solved, the last 14 days",
                 "First-response times, the last 14 days"):
        assert text in html, text
    breaching = html[html.index('id="breaching-heading"'):html.index('id="mine-heading"')]
    assert breaching.index("Overdue") < breaching.index("Publishing fails")  # most urgent first
    assert re.search(r"<strong>2</strong> breaching within 2 hours", html)
    assert re.search(r"<strong>1</strong> back from DataCite</a>", html)
    assert re.search(r"<strong>1</strong> proactive finding this week", html)
    charts = svgs(html)
    assert {c.get("id") for c in charts} == {"home-sla", "home-opened-solved", "home-first-response"}
    assert all(c.get("role") == "img" for c in charts)
    assert html.count("<caption>") == 3 and html.count("as CSV</a>") == 3
    no_inline_style_or_script(html)


def test_admin_home_and_empty_states(client, login_as, make, session):
    admin = make.user(session, Role.admin)
    login_as(admin)
    html = client.get("/desk/").get_data(as_text=True)
    assert "Nothing is close to an SLA target" in html
    assert "Every open ticket has someone looking after it." in html
    assert "No ticket opened in the last 7 days has an SLA target yet." in html
    assert "No tickets were opened or solved in this period." in html


def test_reports_page_has_every_figure_with_tables_and_csv_links(client, login_as, world):
    login_as(world["admin"])
    response = client.get("/desk/reports?range=7")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    ids = {c.get("id") for c in svgs(html)}
    assert ids == {"opened-solved", "first-response", "first-response-spread", "sla", "backlog", "csat"}
    for name in ("opened-solved", "first-response", "first-response-spread", "sla", "sla-priority", "sla-group",
                 "backlog", "workload", "csat", "csat-comments"):
        assert f"table={name}&amp;range=7" in html, name
    assert "@SUM(1) thanks" in html and "Priya Raman" in html and "First line" in html
    no_inline_style_or_script(html)


def test_reports_filters_narrow_the_figures(client, login_as, world):
    login_as(world["agent"])
    html = client.get(f"/desk/reports?range=30&group={world['group'].id}&priority=urgent").get_data(as_text=True)
    assert "only group “First line” priority urgent" in html
    rows = csv_rows(client, f"/desk/reports.csv?table=workload&range=30&group={world['group'].id}&priority=urgent")
    assert rows[1:] == [["Priya Raman", "0", "1", "0", "0", "1"]]


def test_bad_report_input_gets_clear_errors(client, login_as, world):
    login_as(world["agent"])
    response = client.get("/desk/reports?range=custom&start=2024-05-10&end=2024-05-01&group=999&priority=asap")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="end-error"' in html and "on or after the start date" in html
    assert 'id="group-error"' in html and 'id="priority-error"' in html
    assert 'aria-describedby="end-error"' in html
    bad_csv = client.get("/desk/reports.csv?table=opened-solved&range=custom&start=nonsense&end=")
    assert bad_csv.status_code == 400 and "is not a date" in bad_csv.get_data(as_text=True)
    unknown = client.get("/desk/reports.csv?table=secrets&range=7")
    assert unknown.status_code == 404 and "opened-solved" in unknown.get_data(as_text=True)


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_download_headers_and_injection_safety(client, login_as, world):
    login_as(world["agent"])
    response = client.get("/desk/reports.csv?table=csat-comments&range=7")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="csat-comments-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"', disposition)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Ticket", "Subject", "Organisation", "Score", "Comment", "Rated"]
    assert rows[1][1:5] == ["Solved", "", "5", "'@SUM(1) thanks"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rows[1][5])
    opened = csv_rows(client, "/desk/reports.csv?table=opened-solved&range=7")
    assert opened[0] == ["Day", "Opened", "Solved"] and len(opened) == 8
    assert sum(int(r[1]) for r in opened[1:]) >= 8 and sum(int(r[2]) for r in opened[1:]) == 1


def test_days_follow_the_viewers_time_zone(client, login_as, session, make):
    zone = ZoneInfo("America/New_York")
    viewer = make.user(session, Role.agent, timezone="America/New_York")
    midnight = datetime.combine(utcnow().astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    add_ticket(session, midnight - timedelta(seconds=1))  # yesterday, in New York
    add_ticket(session, midnight)  # today, in New York
    login_as(viewer)
    rows = csv_rows(client, "/desk/reports.csv?table=opened-solved&range=7")
    today, yesterday = midnight.date(), (midnight - timedelta(days=1)).date()
    assert rows[-1] == [today.isoformat(), "1", "0"]
    assert rows[-2] == [yesterday.isoformat(), "1", "0"]


def test_reports_show_the_self_help_deflection_rate(client, login_as, make, session):
    from portal.services.docs.deflection import new_interaction, record_suggestion_event

    member = make.user(session, Role.member, org=make.organisation(session, "Deflected Org"))
    login_as(make.user(session, Role.agent))
    assert "No member was shown article suggestions in this period." in client.get("/desk/reports?range=7").get_data(
        as_text=True)
    now = utcnow()
    for outcomes in (("shown", "opened", "solved"), ("shown", "filed"), ("shown",), ("shown", "solved")):
        interaction = new_interaction()
        for outcome in outcomes:
            record_suggestion_event(session, interaction=interaction, outcome=outcome, user_id=member.id, now=now,
                                    slugs=["troubleshooting/wrong-credentials"])
    html = client.get("/desk/reports?range=7").get_data(as_text=True)
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html.split('id="selfhelp-heading"')[1]))
    assert figures["Problems with suggestions shown"] == "4"
    assert figures["Solved without filing"] == "2" and figures["Filed anyway"] == "1"
    assert figures["Deflection rate"] == "50 %"
