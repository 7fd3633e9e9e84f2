"""The command line: stable names, clear errors, progress on long commands."""

from __future__ import annotations

import os

from sqlmodel import select

from portal.models import Organisation, Repository, User
from portal.passwords import verify_password
from portal.services.seed import DEMO_PASSWORD


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_reads_the_password_from_stdin(app, session):
    result = run(app, "users", "create", "Ops@Example.org", "--role", "agent", input="a long typed passphrase\n")
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "ops@example.org")).one()
    assert verify_password(user.password_hash, "a long typed passphrase", "fast")[0]
    assert "a long typed passphrase" not in result.output


def test_users_create_generates_and_prints_a_password(app, session):
    result = run(app, "users", "create", "gen@example.org", "--role", "admin", input="")
    assert result.exit_code == 0
    password = result.output.split("Password: ")[1].strip()
    user = session.exec(select(User).where(User.email == "gen@example.org")).one()
    assert verify_password(user.password_hash, password, "fast")[0]


def test_users_create_member_needs_an_existing_org(app, session, make):
    missing = run(app, "users", "create", "m@example.org", "--role", "member", "--org", "NOPE", input="")
    assert missing.exit_code == 1 and "No organisation matches 'NOPE'" in missing.output
    make.organisation(session, "Unix", datacite_member_id="UNIX")
    ok = run(app, "users", "create", "m@example.org", "--role", "member", "--org", "unix", input="")
    assert ok.exit_code == 0
    bad = run(app, "users", "create", "not-an-email", "--role", "agent", input="")
    assert bad.exit_code == 1 and "email" in bad.output


def test_seed_demo_is_idempotent_with_if_empty(app, session):
    first = run(app, "seed-demo", "--if-empty")
    assert first.exit_code == 0 and DEMO_PASSWORD in first.output
    second = run(app, "seed-demo", "--if-empty")
    assert "left as it is" in second.output
    assert len(session.exec(select(Organisation)).all()) == 3
    assert session.exec(select(User).where(User.email == "priya@rsp.example")).one().role == "agent"


def test_seed_scale_reports_progress(app, session):
    result = run(app, "seed-scale", "--orgs", "450", "--repos-per-org", "2", "--users-per-org", "1")
    assert result.exit_code == 0, result.output
    assert "Added 450 organisations, 900 repositories, 450 users." in result.output
    assert "Organisations" in result.output  # the progress bar's label
    assert len(session.exec(select(Repository)).all()) == 900


def test_config_show_masks_secrets(app):
    app.config["DATABASE_URL_SHOWN"] = None
    result = run(app, "config", "show")
    assert result.exit_code == 0
    assert app.config["SECRET_KEY"] not in result.output
    assert "PORTAL_SECRET_KEY" in result.output and "***" in result.output
    assert "PORTAL_DEFAULT_TIMEZONE" in result.output


def test_keys_init_creates_private_files_once(app, tmp_path):
    app.config["SECRET_KEY_FILE"] = str(tmp_path / "k" / "secret_key")
    app.config["ENCRYPTION_KEYS"] = ""
    app.config["ENCRYPTION_KEY_FILE"] = str(tmp_path / "k" / "ring.json")
    made = run(app, "keys", "init")
    assert "Created" in made.output
    for name in ("secret_key", "ring.json"):
        assert os.stat(tmp_path / "k" / name).st_mode & 0o777 == 0o600
    before = (tmp_path / "k" / "secret_key").read_text()
    assert "nothing changed" in run(app, "keys", "init").output
    assert (tmp_path / "k" / "secret_key").read_text() == before


def test_db_check_agrees_with_models(app):
    result = run(app, "db", "check")
    assert result.exit_code == 0 and "agree" in result.output


def test_scheduler_once_runs_one_job_and_records_it(app, session):
    from portal.models import JobRun

    result = run(app, "scheduler", "--once", "outbox.deliver")
    assert result.exit_code == 0, result.output
    assert "outbox.deliver succeeded" in result.output and "waiting=0" in result.output
    recorded = session.exec(select(JobRun)).one()
    assert recorded.trigger == "manual" and recorded.slot.startswith("manual:") and recorded.holder.startswith("cli:")


def test_scheduler_once_names_the_jobs_when_one_is_unknown(app, session):
    result = run(app, "scheduler", "--once", "no.such.job")
    assert result.exit_code == 1
    assert "There is no job named 'no.such.job'" in result.output and "outbox.deliver" in result.output
