"""The programme's admin pages: board, notes and documents, steps, call pack, renewal."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from portal.models import CheckedDoi, Role
from portal.models.types import utcnow


def test_board_evaluate_notes_and_documents(client, session, make, login_as):
    admin = make.user(session, Role.admin)
    login_as(admin)
    page = client.get("/admin/programme/")
    assert page.status_code == 200 and b"not evaluated" in page.data and b"Findable production DOIs" in page.data
    response = client.post("/admin/programme/evaluate", follow_redirects=True)
    assert b"Evaluated 18 rows" in response.data
    assert b'data-status="not_met"' in response.data

    response = client.post("/admin/programme/requirements/bp.fabrica",
                           data={"notes": "Advice sent in the onboarding mail.", "attest": "y"})
    assert response.status_code == 302
    response = client.post("/admin/programme/documents", data={
        "requirement_key": "bp.fabrica", "document": (io.BytesIO(b"%PDF-1.4 onboarding"), "advice.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert b"Document attached." in response.data and b"advice.pdf" in response.data
    bad = client.post("/admin/programme/documents", data={
        "requirement_key": "bp.fabrica", "document": (io.BytesIO(b"MZ..."), "tool.exe")},
        content_type="multipart/form-data", follow_redirects=True)
    assert b"not accepted" in bad.data
    link = bad.data.split(b'href="/admin/programme/documents/')[1].split(b'"')[0].decode()
    download = client.get(f"/admin/programme/documents/{link}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 onboarding"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    client.post("/admin/programme/evaluate")
    detail = client.get("/admin/programme/requirements/bp.fabrica").data
    assert b"Confirmed by an admin" in detail and b"Advice sent in the onboarding mail." in detail
    assert client.get("/admin/programme/requirements/nope").status_code == 404


def test_steps_pack_and_renewal_pages(client, session, make, login_as):
    admin = make.user(session, Role.admin)
    login_as(admin)
    org = make.organisation(session, "Beta Institute")
    repo = make.repository(session, org, "BETA.DATA", environment="production")
    session.add(CheckedDoi(doi="10.5555/beta-1", repository_id=repo.id, organisation_id=org.id,
                           environment="production", state="findable", url="https://beta.example/1",
                           registered=datetime(2026, 10, 1, tzinfo=UTC)))
    session.commit()
    assert b"Verification call scheduled" in client.get("/admin/programme/steps").data
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    response = client.post("/admin/programme/steps/call_scheduled",
                           data={"happened_on": tomorrow, "people": "Ada; DataCite support",
                                 "notes": "Demo: deposit a dataset and show it findable."})
    assert response.status_code == 302
    bad = client.post("/admin/programme/steps/form_signed", data={"happened_on": tomorrow})
    assert bad.status_code == 200 and b"cannot be in the future" in bad.data
    assert client.get("/admin/programme/steps/nope").status_code == 404

    pack = client.get("/admin/programme/call-pack")
    assert pack.status_code == 200
    for text in (b"https://doi.org/10.5555/beta-1", b"Beta Institute", b"Demo: deposit a dataset",
                 b"Integration documentation", b"Contact details", b"data-print"):
        assert text in pack.data, text

    renewals = client.get("/admin/programme/renewal")
    assert renewals.status_code == 200
    year = int(renewals.data.split(b"/admin/programme/renewal/")[1][:4])
    form = client.get(f"/admin/programme/renewal/{year}")
    assert form.status_code == 200 and b'name="comment-req.api"' in form.data
    client.post(f"/admin/programme/renewal/{year}", data={"comment-req.api": "REST since 2024", "remarks": "ok",
                                                         "action": "submit"})
    done = client.get(f"/admin/programme/renewal/{year}").data
    assert b"Submitted" in done and b"REST since 2024" in done and b"<textarea" not in done
    assert client.get(f"/admin/programme/renewal/{year - 5}").status_code == 404


def test_programme_pages_are_for_admins_only(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    assert client.get("/admin/programme/").status_code == 403
    assert client.get("/admin/programme/call-pack").status_code == 403
