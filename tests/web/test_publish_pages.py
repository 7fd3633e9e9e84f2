"""Publisher pages: the list with its flags, editing with preview, publishing, history, restore, rename."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import AuditEvent, DocRevision, Role
from portal.models.types import utcnow
from portal.services.docs import publishing as pub
from portal.services.docs.library import DocLibrary, content_hash
from tests.conftest import base_config

SLUG = "integration/member-setup"
EDIT = f"/publish/pages/{SLUG}/edit"


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


@pytest.fixture
def publisher(session, make, client, login_as):
    person = make.user(session, Role.publisher, email="jonas@rsp.example")
    login_as(person)
    return person


def file_text(docs_content: Path, slug: str = SLUG) -> str:
    return (docs_content / f"{slug}.md").read_text()


def test_list_flags_stale_pages_broken_links_and_drafts(client, publisher, session, docs_content) -> None:
    stale = docs_content / "support/first-line-support.md"
    stale.write_text(stale.read_text().replace("last_reviewed: 2026-11-20", "last_reviewed: 2024-01-10"))
    broken = docs_content / "schema/versions.md"
    broken.write_text(broken.read_text() + "\nSee [the old page](upgrading.md).\n")
    (docs_content / "support/bad.md").write_text("---\ntitle: Bad\n---\n")
    pub.save_draft(session, slug="support/new-idea", text="---\ntitle: x\n---\n", author=publisher, base_hash="",
                   now=utcnow())
    html = body(client.get("/publish/"))
    row = html[html.index("<code class=\"muted\">support/first-line-support</code>"):]
    assert "Not reviewed for 12 months" in row[:row.index("</tr>")]
    row = html[html.index("<code class=\"muted\">schema/versions</code>"):]
    assert "1 broken link" in row[:row.index("</tr>")] and "no page &#39;schema/upgrading&#39;" in row
    assert "support/bad.md: summary: is missing" in html
    assert "Draft (new page)" in html
    assert "<strong>1</strong> not reviewed for 12 months" in html
    attention = html[html.index("Needs attention"):html.index("</section>", html.index("Needs attention"))]
    assert "First-line support</a>:" in attention and "not reviewed since 2024-01-10" in attention
    assert "1 broken link" in attention and "unpublished draft" in attention
    assert "How the integration works" not in attention


def test_preview_without_javascript_then_publish(client, publisher, session, docs_content) -> None:
    form = body(client.get(EDIT))
    assert "Save draft" in form and "data-preview-url=\"/publish/preview\"" in form
    text = file_text(docs_content).replace("## Your prefix", "## Your prefix and <script>alert(1)</script>")
    html = body(client.post(EDIT, data={"text": text, "action": "preview",
                                        "base_hash": content_hash(file_text(docs_content))}))
    preview = html[html.index('id="portal-preview"'):]
    assert "Your prefix and" in preview and "<script>alert" not in preview
    assert file_text(docs_content) != text  # a preview changes nothing

    text = file_text(docs_content).replace("## Your prefix", "## Your prefix and its twin")
    response = client.post(EDIT, data={"text": text, "action": "publish", "message": "Twins",
                                       "base_hash": content_hash(file_text(docs_content))})
    assert response.status_code == 302 and response.headers["Location"] == f"/docs/{SLUG}"
    assert "Published as revision 2." in body(client.get(response.headers["Location"]))
    assert file_text(docs_content) == text
    assert [e.action for e in session.exec(select(AuditEvent)).all()] == ["docs.publish"]


def test_bad_front_matter_is_shown_next_to_the_text(client, publisher, docs_content) -> None:
    text = file_text(docs_content).replace("audience: public", "audience: nobody")
    response = client.post(EDIT, data={"text": text, "action": "publish",
                                       "base_hash": content_hash(file_text(docs_content))})
    html = body(response)
    assert response.status_code == 422
    assert "audience: must be one of public, members, agents, not &#39;nobody&#39;" in html
    assert 'id="text-error"' in html and 'aria-invalid="true"' in html
    assert "audience: nobody" not in file_text(docs_content)


def test_save_draft_then_discard(client, publisher, session, docs_content) -> None:
    original = file_text(docs_content)
    text = original.replace("## Your prefix", "## Draft heading")
    response = client.post(EDIT, data={"text": text, "action": "save", "base_hash": content_hash(original)})
    assert response.status_code == 302
    html = body(client.get(EDIT))
    assert "You are editing the saved draft" in html and "## Draft heading" in html
    assert file_text(docs_content) == original
    response = client.post(EDIT, data={"text": text, "action": "discard"})
    assert response.status_code == 302 and pub.get_draft(session, SLUG) is None


def test_someone_elses_publish_is_not_overwritten(client, publisher, session, docs_content) -> None:
    started = content_hash(file_text(docs_content))
    pub.publish_page(session, library=DocLibrary(docs_content), slug=SLUG, author=publisher, now=utcnow(),
                     text=file_text(docs_content).replace("## Your prefix", "## Their heading"))
    mine = file_text(docs_content).replace("## Their heading", "## My heading")
    response = client.post(EDIT, data={"text": mine, "action": "publish", "base_hash": started})
    assert response.status_code == 302 and response.headers["Location"] == EDIT
    assert "changed by someone else" in body(client.get(EDIT))
    assert "## Their heading" in file_text(docs_content)
    assert pub.get_draft(session, SLUG).text.startswith("---")


def test_live_preview_endpoint_returns_a_sanitised_fragment(client, publisher) -> None:
    html = body(client.post("/publish/preview", data={"text": "---\ntitle: T\n---\n## Hi\n\n<img src=x onerror=alert(1)>"}))
    assert "<h2 id=\"hi\">Hi" in html and "onerror" not in html
    assert "summary: is missing" in html  # front matter problems are listed, not raised


def test_preview_needs_the_csrf_token(database_url, tmp_path, docs_content, session, make, login_as) -> None:
    from portal import create_app
    from portal.db import engine_of

    app = create_app(base_config(database_url, tmp_path, DOCS_CONTENT_DIR=str(docs_content),
                                 WTF_CSRF_ENABLED=True))
    client = app.test_client()
    login_as(make.user(session, Role.publisher), client)
    refused = client.post("/publish/preview", data={"text": "## x"})
    assert refused.status_code == 403
    refused.close()
    page = body(client.get(EDIT))
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post("/publish/preview", data={"text": "## x", "csrf_token": token})
    assert accepted.status_code == 200
    accepted.close()
    engine_of(app).dispose()


def test_history_diff_and_restore(client, publisher, session, docs_content) -> None:
    original = file_text(docs_content)
    client.post(EDIT, data={"text": original.replace("## Your prefix", "## <b>Prefix</b> & more"),
                            "action": "publish", "base_hash": content_hash(original)}).close()
    history = body(client.get(f"/publish/pages/{SLUG}/revisions"))
    revisions = session.exec(select(DocRevision).order_by(DocRevision.number)).all()
    session.commit()  # end the read (SQLite: let the app write)
    assert [r.number for r in revisions] == [1, 2]
    assert "published now" in history and f"/revisions/{revisions[0].id}/restore" in history

    diff = body(client.get(f"/publish/pages/{SLUG}/revisions/{revisions[1].id}"))
    assert '<tr class="diff-removed">' in diff and "<code>## Your prefix</code>" in diff
    assert "<code>## &lt;b&gt;Prefix&lt;/b&gt; &amp; more</code>" in diff  # escaped, never raw

    confirm = body(client.get(f"/publish/pages/{SLUG}/revisions/{revisions[0].id}/restore"))
    assert "Restore revision 1?" in confirm and file_text(docs_content) != original
    response = client.post(f"/publish/pages/{SLUG}/revisions/{revisions[0].id}/restore")
    assert response.status_code == 302
    assert file_text(docs_content) == original
    assert "Revision 1 is published again, as revision 3." in body(client.get(response.headers["Location"]))


def test_rename_and_review_from_the_list(client, publisher, docs_content) -> None:
    response = client.post(f"/publish/pages/{SLUG}/rename", data={"new_slug": "integration/setup"})
    assert response.status_code == 302 and response.headers["Location"] == "/docs/integration/setup"
    old = client.get(f"/docs/{SLUG}")
    assert old.status_code == 301 and old.headers["Location"] == "/docs/integration/setup"
    old.close()
    taken = body(client.post("/publish/pages/integration/setup/rename", data={"new_slug": "integration/doi-states"}))
    assert "Another page (or an old address of one) uses this address." in taken

    response = client.post("/publish/pages/integration/setup/review")
    assert response.status_code == 302
    assert "integration/setup is marked as reviewed today." in body(client.get("/publish/"))


def test_new_page_flow(client, publisher, docs_content) -> None:
    form = body(client.get("/publish/new"))
    assert '<option value="troubleshooting">Troubleshooting DataCite errors</option>' in form
    invalid = body(client.post("/publish/new", data={"slug": "Bad Slug", "title": "T", "summary": "S",
                                                     "section": "support", "audience": "public"}))
    assert "must be lower-case words" in invalid
    response = client.post("/publish/new", data={"slug": "support/holidays", "title": "Holiday cover",
                                                  "summary": "Who answers in August.", "section": "support",
                                                  "audience": "members"})
    assert response.status_code == 302 and response.headers["Location"] == "/publish/pages/support/holidays/edit"
    draft = body(client.get(response.headers["Location"]))
    assert "Not published yet" in draft and "title: Holiday cover" in draft
    text = html.unescape(draft.split('name="text"')[1].split(">", 1)[1].split("</textarea>")[0])
    response = client.post("/publish/pages/support/holidays/edit",
                           data={"text": text, "action": "publish", "base_hash": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/docs/support/holidays"
    assert (docs_content / "support/holidays.md").exists()


def test_unknown_pages_and_bad_addresses_are_404(client, publisher) -> None:
    for url in ("/publish/pages/support/nothing/edit", "/publish/pages/Bad%20Slug/edit",
                "/publish/pages/support/nothing/rename"):
        response = client.get(url)
        response.close()
        assert response.status_code == 404, url
