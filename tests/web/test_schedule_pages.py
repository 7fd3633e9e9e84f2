"""Admin pages for the scheduler: the schedule, pause/resume/run now, run history, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from portal.models import AuditEvent, JobRun, JobState, OutboxMessage, ProcessHeartbeat, Role, SchedulerLease
from portal.models.types import utcnow


def admin(session, make, login_as):
    person = make.user(session, Role.admin, timezone="UTC")
    login_as(person)
    return person


def audit_actions(session):
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_schedule_shows_jobs_leader_heartbeat_last_and_next_run(client, session, make, login_as):
    admin(session, make, login_as)
    now = utcnow()
    session.add(SchedulerLease(name="scheduler", holder="host-a:4242:abcdef", acquired_at=now - timedelta(hours=1),
                               renewed_at=now, expires_at=now + timedelta(seconds=30)))
    session.add(ProcessHeartbeat(name="scheduler", holder="host-a:4242:abcdef", started_at=now, beat_at=now))
    session.add(JobRun(job="outbox.deliver", slot="2026-11-25T16:52Z", status="failed", duration_ms=1234,
                       started_at=datetime(2026, 11, 25, 16, 52, 0, 300000, tzinfo=UTC)))
    session.commit()
    body = client.get("/admin/schedule").get_data(as_text=True)
    assert "<code>outbox.deliver</code>" in body and "every minute" in body and "Send queued mail" in body
    assert "host-a:4242:abcdef" in body and "alive" in body
    assert ">failed</a>" in body and "2026-11-25 16:52 UTC" in body and "(1234 ms)" in body
    next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    assert next_minute.strftime("%Y-%m-%d %H:%M UTC") in body
    assert "Run now" in body and 'href="/admin/schedule/outbox.deliver/pause"' in body


def test_schedule_says_when_no_scheduler_leads(client, session, make, login_as):
    admin(session, make, login_as)
    body = client.get("/admin/schedule").get_data(as_text=True)
    assert "none yet" in body and "flask --app wsgi scheduler" in body and "never" in body


def test_run_now_is_requested_once_and_audited(client, session, make, login_as):
    admin(session, make, login_as)
    response = client.post("/admin/schedule/outbox.deliver/run")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/schedule")
    client.post("/admin/schedule/outbox.deliver/run")  # a second click keeps the first request
    state = session.get(JobState, "outbox.deliver")
    assert state.run_now_requested_at is not None and state.run_now_requested_by.startswith("admin")
    assert audit_actions(session) == ["job.run_now"]
    assert "run requested" in client.get("/admin/schedule").get_data(as_text=True)


def test_pause_asks_for_confirmation_then_pauses_and_resume_undoes_it(client, session, make, login_as):
    admin(session, make, login_as)
    page = client.get("/admin/schedule/outbox.deliver/pause").get_data(as_text=True)
    assert "Pause outbox.deliver?" in page and "are not made up later" in page and 'type="submit"' in page
    assert session.get(JobState, "outbox.deliver") is None
    client.post("/admin/schedule/outbox.deliver/pause")
    state = session.get(JobState, "outbox.deliver")
    assert state.paused and state.paused_by.startswith("admin") and state.paused_at is not None
    body = client.get("/admin/schedule").get_data(as_text=True)
    assert ">paused</span>" in body and 'action="/admin/schedule/outbox.deliver/resume"' in body
    client.post("/admin/schedule/outbox.deliver/resume")
    session.refresh(state)
    assert not state.paused
    assert audit_actions(session) == ["job.pause", "job.resume"]


def test_unknown_jobs_are_a_clear_404(client, session, make, login_as):
    admin(session, make, login_as)
    response = client.post("/admin/schedule/no.such.job/run")
    assert response.status_code == 404 and "There is no job named" in response.get_data(as_text=True)
    assert client.get("/admin/schedule/no.such.job/pause").status_code == 404
    assert session.exec(select(JobState)).all() == []


def test_other_roles_cannot_run_or_pause_jobs(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    assert client.post("/admin/schedule/outbox.deliver/run").status_code == 403
    assert client.post("/admin/schedule/outbox.deliver/pause").status_code == 403
    assert session.exec(select(JobState)).all() == []


def add_runs(session):
    base = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    for n in range(30):
        session.add(JobRun(job="outbox.deliver", slot=f"2026-11-20T12:{n:02d}Z", started_at=base + timedelta(minutes=n),
                           status="succeeded", duration_ms=100 + n, counts={"sent": n}))
    session.add(JobRun(job="doi.health", slot="2026-11-24T03:15Z", started_at=base + timedelta(days=4), status="failed",
                       duration_ms=5, error="ConnectError: <script>alert(1)</script> unreachable",
                       counts={"checked": 7, "broken": 2}, note="stopped early"))
    session.add(JobRun(job="outbox.deliver", slot="manual:2026-11-25T10:00:00.000000Z", trigger="manual",
                       started_at=base + timedelta(days=5), status="running"))
    session.commit()


def test_runs_filter_sort_and_page(client, session, make, login_as):
    admin(session, make, login_as)
    add_runs(session)
    newest = client.get("/admin/runs").get_data(as_text=True)
    last = client.get("/admin/runs?job=outbox.deliver&sort=duration&dir=desc&per_page=10&page=4").get_data(as_text=True)
    assert "31–31 of 31" in last and "manual:2026-11-25" in last  # no duration yet: last in both directions
    assert "1–32 of 32" in newest and newest.index("manual:2026-11-25") < newest.index("2026-11-24T03:15Z")
    failed = client.get("/admin/runs?status=failed").get_data(as_text=True)
    assert "2026-11-24T03:15Z" in failed and "2026-11-20T12:05Z" not in failed and "checked 7" in failed
    manual = client.get("/admin/runs?trigger=manual").get_data(as_text=True)
    assert "1–1 of 1" in manual
    by_job = client.get("/admin/runs?job=doi.health").get_data(as_text=True)
    assert "1–1 of 1" in by_job and '<option value="doi.health" selected>' in by_job
    days = client.get("/admin/runs?since=2026-11-24&until=2026-11-24").get_data(as_text=True)
    assert "1–1 of 1" in days and "2026-11-24T03:15Z" in days
    fastest = client.get("/admin/runs?job=outbox.deliver&sort=duration&dir=asc&per_page=10").get_data(as_text=True)
    assert "1–10 of 31" in fastest and "2026-11-20T12:00Z" in fastest and "2026-11-20T12:29Z" not in fastest
    second = client.get("/admin/runs?job=outbox.deliver&sort=duration&dir=asc&per_page=10&page=2").get_data(as_text=True)
    assert "11–20 of 31" in second and "2026-11-20T12:10Z" in second and "2026-11-20T12:00Z" not in second
    junk = client.get("/admin/runs?status=exploded&since=yesterday&sort=;drop&page=zzz").get_data(as_text=True)
    assert "Not understood, so ignored: yesterday, exploded" in junk and "1–32 of 32" in junk


def test_a_runs_detail_shows_counts_note_and_escaped_error(client, session, make, login_as):
    admin(session, make, login_as)
    add_runs(session)
    run = session.exec(select(JobRun).where(JobRun.job == "doi.health")).one()
    body = client.get(f"/admin/runs/{run.id}").get_data(as_text=True)
    assert "<code>2026-11-24T03:15Z</code>" in body and "stopped early" in body and "5 ms" in body
    assert '<th scope="row">broken</th><td>2</td>' in body and '<th scope="row">checked</th><td>7</td>' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert client.get("/admin/runs/999999").status_code == 404


def test_outbox_lists_mail_not_yet_sent_and_retries_it(client, session, make, login_as):
    admin(session, make, login_as)
    failed = OutboxMessage(to_addr="gone@member.example", subject="Bounced", body_text="x", status="failed", attempts=8,
                           last_error="recipient refused: 550 5.1.1 No such user")
    waiting = OutboxMessage(to_addr="later@member.example", subject="Waiting", body_text="x", attempts=2,
                            next_attempt_at=utcnow() + timedelta(minutes=4), last_error="server refused: 451 later")
    sent = OutboxMessage(to_addr="done@member.example", subject="Delivered", body_text="x", status="sent")
    session.add_all([failed, waiting, sent])
    session.commit()
    body = client.get("/admin/mail").get_data(as_text=True)
    assert "Bounced" in body and "Waiting" in body and "Delivered" not in body
    assert body.index("Bounced") < body.index("Waiting")  # failures first
    assert "550 5.1.1 No such user" in body and "1 failed" in body and "1 sent" in body
    assert "No SMTP server is configured" in body
    assert "Delivered" in client.get("/admin/mail?status=sent").get_data(as_text=True)

    assert client.post(f"/admin/mail/{failed.id}/retry").status_code == 302
    session.refresh(failed)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("pending", 0, None)
    client.post(f"/admin/mail/{waiting.id}/retry")
    session.refresh(waiting)
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 2, None)
    refused = client.post(f"/admin/mail/{sent.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "already sent" in refused
    session.refresh(sent)
    assert sent.status == "sent"
    assert audit_actions(session) == ["mail.retry", "mail.retry"]
    assert client.post("/admin/mail/999999/retry").status_code == 404


def test_admin_home_links_to_the_scheduler_pages(client, session, make, login_as):
    admin(session, make, login_as)
    body = client.get("/admin/").get_data(as_text=True)
    for href in ("/admin/schedule", "/admin/runs", "/admin/mail"):
        assert f'href="{href}"' in body


def test_the_smtp_password_is_masked_on_the_system_page_and_in_config_show(app, client, session, make, login_as):
    app.config.update(SMTP_HOST="smtp.rsp.example", SMTP_PASSWORD="Sm7p-pa55word-xyz")
    admin(session, make, login_as)
    body = client.get("/admin/system").get_data(as_text=True)
    assert "PORTAL_SMTP_PASSWORD" in body and "smtp.rsp.example" in body and "Sm7p-pa55word-xyz" not in body
    shown = app.test_cli_runner().invoke(args=["config", "show"]).output
    assert "PORTAL_SMTP_PASSWORD" in shown and "Sm7p-pa55word-xyz" not in shown
