"""The public docs site: navigation, audiences, redirects, search, suggestions and feedback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import DocSuggestionEvent, Role
from portal.models.types import utcnow
from portal.services.docs import renaming
from portal.services.docs.library import DocLibrary
from tests.docs.content import write_page

AGENTS_PAGE = "/docs/support/agent-playbook"
MEMBERS_PAGE = "/docs/support/filing-a-ticket"


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


@pytest.fixture
def people(session, make) -> dict:
    org = make.organisation(session, "Alpha University")
    return {role: make.user(session, role, org=org if role == Role.member else None) for role in Role}


def test_docs_home_lists_sections_and_the_start_page(client) -> None:
    html = body(client.get("/docs/"))
    assert "<h1>Integration documentation</h1>" in html
    for title in ("How the integration works", "Troubleshooting DataCite errors", "Metadata schema", "Support"):
        assert title in html
    assert 'href="/docs/troubleshooting/bad-credentials"' in html
    assert "agent-playbook" not in html and "filing-a-ticket" not in html


def test_a_page_has_breadcrumbs_toc_review_date_and_neighbours(client) -> None:
    response = client.get("/docs/troubleshooting/not-authorized")
    html = body(response)
    assert response.status_code == 200
    crumbs = html[html.index('aria-label="Breadcrumb"'):html.index("</nav>", html.index('aria-label="Breadcrumb"'))]
    assert 'href="/docs/">Docs' in crumbs and "Troubleshooting DataCite errors" in crumbs
    assert "On this page" in html and 'href="#how-to-fix-it"' in html
    assert '<time datetime="2026-11-20">20 November 2026</time>' in html
    assert 'rel="prev" href="/docs/troubleshooting/bad-credentials"' in html
    assert 'rel="next" href="/docs/troubleshooting/doi-already-taken"' in html
    assert 'aria-current="page">403 You are not authorized' in html


@pytest.mark.parametrize(("role", "agents_status", "members_status"), [
    (None, 404, 404),
    (Role.member, 404, 200),
    (Role.datacite_staff, 404, 200),
    (Role.agent, 200, 200),
    (Role.publisher, 200, 200),
    (Role.admin, 200, 200),
])
def test_audience_decides_who_sees_a_page(client, login_as, people, role, agents_status, members_status) -> None:
    if role is not None:
        login_as(people[role])
    agents, members = client.get(AGENTS_PAGE), client.get(MEMBERS_PAGE)
    agents.close()
    members.close()
    assert (agents.status_code, members.status_code) == (agents_status, members_status)


def test_hidden_pages_are_left_out_of_navigation_and_search(client, login_as, people) -> None:
    login_as(people[Role.member])
    assert "agent-playbook" not in body(client.get("/docs/search?q=escalation+package"))
    assert "filing-a-ticket" in body(client.get("/docs/"))


def test_index_and_aliases_redirect(client, docs_content: Path) -> None:
    response = client.get("/docs/index")
    assert response.status_code == 301 and response.headers["Location"] == "/docs/"
    path = docs_content / "integration/test-and-production.md"
    path.write_text(path.read_text().replace("last_reviewed:", "aliases: integration/sandbox\nlast_reviewed:"))
    response = client.get("/docs/integration/sandbox?via=abcdefghijklmnopqrstuv&x=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "/docs/integration/test-and-production?via=abcdefghijklmnopqrstuv"
    assert client.get("/docs/integration/nothing").status_code == 404
    response = client.get("/docs/integration/doi-states.md")
    assert response.status_code == 301 and response.headers["Location"] == "/docs/integration/doi-states"


def test_a_renamed_page_redirects_from_its_old_address(app, client, session, make, docs_content: Path) -> None:
    publisher = make.user(session, Role.publisher)
    renaming.rename_page(session, library=DocLibrary(docs_content), slug="integration/doi-states",
                    new_slug="integration/states", author=publisher, now=utcnow())
    response = client.get("/docs/integration/doi-states")
    assert response.status_code == 301 and response.headers["Location"] == "/docs/integration/states"
    # The DB redirect still works when the alias was edited out of the front matter.
    path = docs_content / "integration/states.md"
    path.write_text(path.read_text().replace("aliases: integration/doi-states\n", ""))
    response = client.get("/docs/integration/doi-states")
    assert response.status_code == 301 and response.headers["Location"] == "/docs/integration/states"


def test_search_highlights_and_escapes(client) -> None:
    html = body(client.get("/docs/search", query_string={"q": "This DOI has already been taken"}))
    first = html.index("<ol class=\"search-results\">")
    assert html.index("/docs/troubleshooting/doi-already-taken", first) < html.index("</li>", first)
    assert "<mark>This DOI has already been taken</mark>" in html
    assert "matches this error" in html
    hostile = body(client.get("/docs/search", query_string={"q": '<script>alert("x")</script> credentials'}))
    assert "<script>alert" not in hostile and "&lt;script&gt;" in hostile


def test_search_without_a_query_and_with_the_help_form(client) -> None:
    assert "Type an error message" in body(client.get("/docs/search"))
    html = body(client.get("/docs/search", query_string={"subject": "publish fails", "error": "Method not allowed"}))
    assert "/docs/troubleshooting/cannot-delete-registered" in html


def test_hostile_front_matter_is_escaped(client, docs_content: Path) -> None:
    write_page(docs_content, "support/hostile", '<img src=x onerror=alert(1)>', section="support",
               summary='"><script>alert(2)</script>', body="<script>alert(3)</script>\n\n## Fine\n")
    html = body(client.get("/docs/support/hostile"))
    assert "<script>" not in html and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_suggest_returns_json_and_records_shown_for_signed_in_posts(client, login_as, people, session) -> None:
    response = client.get("/docs/suggest", query_string={"subject": "upload", "error": "Bad credentials."})
    data = response.get_json()
    assert data["suggestions"][0]["slug"] == "troubleshooting/bad-credentials"
    assert data["suggestions"][0]["url"] == f"/docs/troubleshooting/bad-credentials?via={data['interaction']}"
    assert session.exec(select(DocSuggestionEvent)).all() == []  # a GET records nothing
    session.commit()  # end the read without expiring objects (SQLite: let the app write)

    login_as(people[Role.member])
    data = client.post("/docs/suggest", data={"subject": "upload", "error": "This DOI has already been taken",
                                              "error_class": "duplicate"}).get_json()
    again = client.post("/docs/suggest", data={"subject": "upload", "error": "This DOI has already been taken",
                                               "interaction": data["interaction"]}).get_json()
    assert again["interaction"] == data["interaction"]
    events = session.exec(select(DocSuggestionEvent)).all()
    assert [(e.outcome, e.user_id, e.error_class) for e in events] == [
        ("shown", people[Role.member].id, "duplicate"), ("shown", people[Role.member].id, "")]
    assert events[0].slugs.startswith("troubleshooting/doi-already-taken")


def test_suggest_with_a_failure_key_and_nothing_typed(client) -> None:
    data = client.get("/docs/suggest", query_string={"subject": "help", "failure_key": "rate-limited"}).get_json()
    assert data["suggestions"][0]["slug"] == "troubleshooting/rate-limited"
    assert client.get("/docs/suggest").get_json()["suggestions"] == []


def test_feedback_solved_without_javascript(client, login_as, people, session) -> None:
    login_as(people[Role.member])
    interaction = client.post("/docs/suggest", data={"error": "Bad credentials."}).get_json()["interaction"]
    page = body(client.get(f"/docs/troubleshooting/bad-credentials?via={interaction}"))
    assert "This solved my problem" in page and f'value="{interaction}"' in page
    response = client.post("/docs/feedback", data={"interaction": interaction, "outcome": "solved",
                                                   "slug": "troubleshooting/bad-credentials",
                                                   "next": "/docs/troubleshooting/bad-credentials"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/docs/troubleshooting/bad-credentials"
    assert "Glad it helped" in body(client.get(response.headers["Location"]))
    outcomes = [e.outcome for e in session.exec(select(DocSuggestionEvent)).all()]
    assert outcomes == ["shown", "solved"]


def test_feedback_as_json_and_refusals(client, login_as, people, session, make) -> None:
    login_as(people[Role.member])
    interaction = client.post("/docs/suggest", data={"error": "Bad credentials."}).get_json()["interaction"]
    ok = client.post("/docs/feedback", data={"interaction": interaction, "outcome": "opened", "slug": "x"},
                     headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.get_json() == {"recorded": "opened"}
    bad = client.post("/docs/feedback", data={"interaction": interaction, "outcome": "filed"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400  # filing is recorded by the helpdesk, not by the reader
    other = make.user(session, Role.member, org=make.organisation(session, "Beta"))
    login_as(other)
    stolen = client.post("/docs/feedback", data={"interaction": interaction, "outcome": "solved"},
                         headers={"Accept": "application/json"})
    assert stolen.status_code == 400 and "No such suggestion" in stolen.get_json()["error"]["detail"]
    assert client.post("/docs/feedback", data={"outcome": "solved", "next": "https://evil.example/"}
                       ).headers["Location"] == "/docs/"


def test_via_is_ignored_for_anonymous_readers(client) -> None:
    assert "This solved my problem" not in body(client.get("/docs/troubleshooting/bad-credentials?via=" + "a" * 22))


def test_images_are_served_from_the_images_folder_only(client, docs_content: Path) -> None:
    (docs_content / "images").mkdir()
    (docs_content / "images/states.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (docs_content / "secret.txt").write_text("not served")
    response = client.get("/docs/images/states.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    response.close()
    for url in ("/docs/images/../secret.txt", "/docs/images/%2e%2e/secret.txt", "/docs/images/states.txt"):
        response = client.get(url)
        response.close()
        assert response.status_code == 404, url


def test_print_stylesheet_hides_navigation() -> None:
    css = (Path(__file__).resolve().parents[2] / "portal/static/style.css").read_text()
    print_rules = css[css.index("@media print"):]
    assert re.search(r"\.docs-nav, \.doc-toc, \.doc-pager[^{]*\{ display: none", print_rules)
    assert 'a[href^="http"]::after' in print_rules
