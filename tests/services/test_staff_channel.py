"""The DataCite staff channel: designated contact, requests with response-time targets, alerts, service profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.errors import ValidationFailed
from portal.models import Channel, OutboxMessage, Role, StaffRequest, Status, TicketGroup
from portal.models.types import utcnow
from portal.services.staff import contact as contact_service
from portal.services.staff import profile
from portal.services.staff import requests as staff_requests
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests


@pytest.fixture
def channel(session, make):
    admin = make.user(session, Role.admin)
    primary = make.user(session, Role.agent, name="Priya", email="priya@rsp.example")
    backup = make.user(session, Role.agent, name="Ben", email="ben@rsp.example")
    group = TicketGroup(name="DataCite liaison")
    session.add(group)
    session.commit()
    contact = contact_service.save_contact(session, contact_service.ContactInput(
        email="DataCite-Contact@rsp.example", primary_agent_id=primary.id, backup_agent_id=backup.id,
        group_id=group.id, ack_business_minutes=60, answer_business_minutes=120, backup_after_business_minutes=30),
        actor=admin, now=utcnow())
    staff = make.user(session, Role.datacite_staff, name="Maren", email="maren@datacite.example")
    return {"admin": admin, "primary": primary, "backup": backup, "group": group, "contact": contact, "staff": staff}


def file(session, channel, now, **kw):
    data = staff_requests.StaffRequestInput(subject=kw.pop("subject", "Kernel-3 XML from UNIX.DATA"),
                                            observed="We see schema 3 uploads.", **kw)
    return staff_requests.file_request(session, data, staff=channel["staff"], ctx=ctx_for_tests(), now=now)


def mails(session, kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return session.exec(stmt).all()


def test_request_is_routed_acknowledged_and_announced(session, channel):
    now = utcnow()
    ticket = file(session, channel, now, reply_to="support-team@datacite.example", urgency="high")
    assert (ticket.channel, ticket.priority) == (Channel.datacite_staff, "high")
    assert ticket.group_id == channel["group"].id and ticket.assignee_id == channel["primary"].id
    record = session.get(StaffRequest, ticket.id)
    assert record.ack_due_at == now + timedelta(minutes=60) and record.answer_due_at == now + timedelta(minutes=120)
    ack = mails(session, "ticket-ack")
    assert [m.to_addr for m in ack] == ["support-team@datacite.example"]
    assert f"#{ticket.id}" in ack[0].body_text
    assert sorted(m.to_addr for m in mails(session, "staff-new")) == ["ben@rsp.example", "priya@rsp.example"]


def test_first_reply_acknowledges_and_resolution_answers(session, channel):
    now = utcnow()
    ticket = file(session, channel, now)
    add_message(session, ticket, author=channel["primary"], body="Looking into it", ctx=ctx_for_tests(),
                now=now + timedelta(minutes=20))
    record = session.get(StaffRequest, ticket.id)
    assert record.acknowledged_at == now + timedelta(minutes=20) and record.answered_at is None
    set_status(session, ticket, Status.resolved, actor=channel["primary"], ctx=ctx_for_tests(),
               now=now + timedelta(minutes=90))
    assert session.get(StaffRequest, ticket.id).answered_at == now + timedelta(minutes=90)


def test_overdue_alerts_primary_then_backup_then_both_once(session, channel):
    start = utcnow()
    ticket = file(session, channel, start)
    session.exec(select(OutboxMessage)).all()
    ctx = ctx_for_tests()
    assert staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=59)).primary == 0
    first = staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=61))
    assert (first.primary, first.backup, first.answer) == (1, 0, 0)
    assert [m.to_addr for m in mails(session, "staff-overdue")] == ["priya@rsp.example"]
    again = staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=70))
    assert (again.primary, again.backup) == (0, 0)  # the backup's turn comes 30 minutes after the due time
    later = staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=91))
    assert later.backup == 1
    answer = staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=121))
    assert answer.answer == 1
    assert staff_requests.alert_overdue(session, ctx=ctx, now=start + timedelta(minutes=500)) == \
        staff_requests.OverdueCounts()
    assert [m.to_addr for m in mails(session, "staff-overdue")] == [
        "priya@rsp.example", "ben@rsp.example", "priya@rsp.example", "ben@rsp.example"]
    assert [t.id for _r, t in staff_requests.overdue_requests(session, now=start + timedelta(minutes=121))] == [ticket.id]


def test_acknowledged_requests_do_not_alert(session, channel):
    start = utcnow()
    ticket = file(session, channel, start)
    add_message(session, ticket, author=channel["backup"], body="On it", ctx=ctx_for_tests(), now=start)
    counts = staff_requests.alert_overdue(session, ctx=ctx_for_tests(), now=start + timedelta(minutes=100))
    assert (counts.primary, counts.backup, counts.answer) == (0, 0, 0)


def test_contact_validation_and_warnings(session, channel, make):
    with pytest.raises(ValidationFailed) as info:
        contact_service.save_contact(session, contact_service.ContactInput(
            email="not-an-email", primary_agent_id=None, backup_agent_id=None, group_id=None,
            ack_business_minutes=0, answer_business_minutes=60, backup_after_business_minutes=60),
            actor=channel["admin"], now=utcnow())
    assert {"email", "primary_agent_id", "ack_business_minutes"} <= set(info.value.errors)
    session.rollback()
    assert contact_service.warnings(session) == []
    for person in (channel["primary"], channel["backup"]):
        person.active = False
        session.add(person)
    session.commit()
    assert any("No active agent stands behind datacite-contact@rsp.example" in w for w in contact_service.warnings(session))
    contact_service.record_bounce(session, address="DATACITE-contact@rsp.example", reason="550 mailbox unknown",
                                  now=utcnow())
    assert any("bounced: 550 mailbox unknown" in w for w in contact_service.warnings(session))


def test_service_profile_follows_the_data(app, session, channel, make):
    before = profile.build_profile(session, config=app.config, now=utcnow())
    org = make.organisation(session, "New Member")
    make.repository(session, org, environment="production")
    profile.save_texts(session, description="We run the Example RSP.", hosting="EU data centre",
                       support_policy="Office hours", documentation_url="", actor=channel["admin"], now=utcnow())
    after = profile.build_profile(session, config=app.config, now=utcnow())
    assert after.organisations == before.organisations + 1
    assert after.repositories == before.repositories + 1
    assert after.environments_in_use.get("production", 0) == before.environments_in_use.get("production", 0) + 1
    assert after.description == "We run the Example RSP." and after.designated_contact == "datacite-contact@rsp.example"
    assert after.newest_schema == "4.7" and "4.7" in after.schema_versions
    markdown = profile.to_markdown(after)
    assert "We run the Example RSP." in markdown and "datacite-contact@rsp.example" in markdown
    assert "Member organisations: " + str(after.organisations) in markdown
    assert len(profile.text_history(session)) == 1


def test_monthly_response_report(session, channel):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from portal.services.staff.report import staff_report

    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for n, (ack, answer) in enumerate(((30, 100), (50, 130), (90, None))):
        ticket = file(session, channel, base + timedelta(days=n), subject=f"R{n}")
        add_message(session, ticket, author=channel["primary"], body="ok", ctx=ctx_for_tests(),
                    now=base + timedelta(days=n, minutes=ack))
        if answer:
            set_status(session, ticket, Status.resolved, actor=channel["primary"], ctx=ctx_for_tests(),
                       now=base + timedelta(days=n, minutes=answer))
    report = staff_report(session, now=base + timedelta(days=30), zone=ZoneInfo("Europe/Berlin"))
    (march,) = report.months
    assert (march.month, march.requests) == ("2026-03", 3)
    assert march.ack_median_hours == round(50 / 60, 2) and march.ack_p90_hours == round(90 / 60, 2)
    assert march.answer_median_hours == round(115 / 60, 2)
    assert (march.ack_within_target, march.answered_within_target) == (2, 1)
    assert (report.open, report.overdue) == (1, 1)
    assert report.ack_target_hours == 1


def test_monthly_response_chart_draws_median_and_p90_per_month(session, channel):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from portal.services.staff.report import staff_report
    from portal.web.desk.report_charts import staff_response_chart

    empty = staff_response_chart(staff_report(session, now=datetime(2026, 3, 1, tzinfo=UTC), zone=ZoneInfo("UTC")))
    assert "No request from DataCite staff has been answered yet." in empty
    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for n, answer in enumerate((60, 180)):
        ticket = file(session, channel, base + timedelta(days=n), subject=f"R{n}")
        set_status(session, ticket, Status.resolved, actor=channel["primary"], ctx=ctx_for_tests(),
                   now=base + timedelta(days=n, minutes=answer))
    chart = str(staff_response_chart(staff_report(session, now=base + timedelta(days=30), zone=ZoneInfo("UTC"))))
    assert chart.startswith("<svg") and 'role="img"' in chart
    assert "2026-03" in chart and "The target is 2 business hours." in chart
    assert "No request from DataCite staff" not in chart
    assert chart.count('class="chart-bar ') == 2  # one month, a median bar and a 90th-percentile bar
