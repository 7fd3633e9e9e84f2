"""The checks' pages: findings list, repository health with its chart, readiness and plan form, CSV, evidence."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.models import ReadinessReport, Role, SchemaPlan
from portal.services.checks.health import run_health_check
from portal.services.checks.readiness_report import run_readiness_check
from tests.checks.conftest import mint


def test_findings_page_filters_and_links(client, session, login_as, make, checks_world, clock):
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://elsewhere.example/x")
    mint(world, "ALPHA.TEST", "10.80002", url="https://data.alpha.example/t")
    run_health_check(session, env=world["env"], now=clock.now)
    login_as(make.user(session, Role.admin))
    page = client.get("/admin/findings").get_data(as_text=True)
    assert "landing page URL missing or outside" in page and "ALPHA.DATA" in page
    assert "/desk/tickets/" in page
    high = client.get("/admin/findings?severity=high").get_data(as_text=True)
    assert "ALPHA.DATA" in high and "test only" not in high.lower().split("<table")[1]
    assert "No findings match" in client.get("/admin/findings?status=closed").get_data(as_text=True)
    assert client.get("/admin/findings?severity=bogus&sort=<x>&page=abc").status_code == 200
    assert "Findings" in client.get("/admin/").get_data(as_text=True)


def test_repository_health_page_shows_a_chart_and_findings(client, session, login_as, make, checks_world, clock):
    world = checks_world
    repo = world["repos"]["ALPHA.DATA"]
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1")
    run_health_check(session, env=world["env"], now=clock.now)
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/2", event=None)
    clock.now += timedelta(days=1)
    run_health_check(session, env=world["env"], now=clock.now)
    login_as(world["agent"])
    page = client.get(f"/desk/repositories/{repo.id}/health").get_data(as_text=True)
    assert '<svg' in page and 'role="img"' in page and "Latest: 1 findable, 0 registered, 1 draft" in page
    assert "No open findings" in page
    assert f"/desk/repositories/{repo.id}/health" in client.get(f"/desk/members/{repo.organisation_id}").get_data(as_text=True)
    assert client.get("/desk/repositories/99999/health").status_code == 404


def test_readiness_pages_plan_form_and_csv(client, session, login_as, make, checks_world, clock):
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1", event=None,
         types={"resourceTypeGeneral": "Funder"})
    run_readiness_check(session, env=world["env"], now=clock.now)
    admin = make.user(session, Role.admin)
    login_as(admin)
    page = client.get("/admin/readiness").get_data(as_text=True)
    assert "ALPHA.DATA" in page and "Newest DataCite release" in page
    report = session.exec(select(ReadinessReport).where(
        ReadinessReport.repository_id == world["repos"]["ALPHA.DATA"].id)).one()
    detail = client.get(f"/admin/readiness/repositories/{report.repository_id}").get_data(as_text=True)
    assert "What would fail" in detail and "types" in detail
    csv_response = client.get("/admin/readiness.csv")
    assert csv_response.mimetype == "text/csv" and "ALPHA.DATA" in csv_response.get_data(as_text=True)
    form = client.get("/admin/readiness/plans/4.8")
    assert 'name="csrf_token"' in form.get_data(as_text=True)
    bad = client.post("/admin/readiness/plans/4.8", data={"version": "4.8", "owner": "", "status": "planned",
                                                          "target_date": "", "notes": ""})
    assert bad.status_code == 200 and "Name who is responsible" in bad.get_data(as_text=True)
    good = client.post("/admin/readiness/plans/4.8", data={"version": "4.8", "owner": "Integration team",
                                                           "status": "planned", "target_date": "2027-03-01",
                                                           "notes": "Waiting for the XSD."})
    assert good.status_code == 302
    assert session.exec(select(SchemaPlan).where(SchemaPlan.version == "4.8")).one().owner == "Integration team"


def test_evidence_page_lists_findable_production_dois(client, session, login_as, make, checks_world, clock):
    world = checks_world
    doi = mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1")
    run_health_check(session, env=world["env"], now=clock.now)
    login_as(make.user(session, Role.admin))
    page = client.get("/admin/evidence").get_data(as_text=True)
    assert doi.lower() in page and "Alpha University" in page
