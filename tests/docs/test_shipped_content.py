"""The pages we ship: they render, pass `docs check`, and every DataCite failure has its findable article."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import create_app
from portal.db import engine_of
from portal.services.docs import check_library, search_pages, suggest_articles
from portal.services.docs.failure_modes import BY_KEY, FAILURE_MODES
from portal.services.docs.library import DocLibrary
from tests.conftest import ROOT, base_config

SHIPPED = ROOT / "docs_content"

# What a member would paste: DataCite's exact error texts (the symptom column of the failure table),
# with a real DOI, URL or repository where DataCite puts one.
ERROR_TEXTS = {
    "bad-credentials": '{"errors":[{"status":"401","title":"Bad credentials."}]}',
    "not-authorized": "You are not authorized to access this resource.",
    "doi-already-taken": "This DOI has already been taken",
    "url-domain-not-allowed": "URL https://data.alpha.example/rec/9 is not allowed by repository alpha.data domain settings.",
    "missing-mandatory-property": "DOI 10.80225/x1y2-z3w4: Missing child element(s). Expected is "
                                  "( {http://datacite.org/schema/kernel-4}creator ). at line 4, column 0",
    "empty-value": "DOI 10.80225/x1y2-z3w4: [facet 'minLength'] The value has a length of '0'; this underruns "
                   "the allowed minimum length of '1'. at line 14, column 0",
    "invalid-value": "[facet 'enumeration'] The value 'Blog' is not an element of the set {'Audiovisual', "
                     "'Collection', 'Dataset'}",
    "schema-3-not-supported": "DOI 10.14454/10703: Schema http://datacite.org/schema/kernel-3 is no longer supported",
    "xml-parse-error": "[xml] xml error: The entity name must immediately follow the '&' in the entity reference.",
    "json-shape": "Title 'Submitted chemical data' should be an object instead of a string.",
    "publisher-affiliation": "ROR URL in the publisher name instead of publisherIdentifier",
    "cannot-delete-registered": "405 Method not allowed",
    "mds-metadata-first": "412 Precondition failed",
    "rate-limited": "429 Your request has been rate limited",
    "datacite-unavailable": "502 Bad Gateway",
    "doi-not-found": "The resource you are looking for doesn't exist.",
}


@pytest.fixture(scope="module")
def shipped() -> DocLibrary:
    return DocLibrary(SHIPPED)


def test_every_failure_key_has_an_error_text_here() -> None:
    assert set(ERROR_TEXTS) == set(BY_KEY) and len(BY_KEY) == 16


def test_every_shipped_page_renders_and_docs_check_passes(shipped: DocLibrary) -> None:
    snapshot = shipped.snapshot()
    assert len(snapshot.pages) >= 25
    for page in snapshot.ordered():
        rendered = snapshot.render(page)
        assert rendered.text.strip(), page.slug
        assert "<h" in str(rendered.html) or page.slug == "index", page.slug
    assert [str(p) for p in check_library(snapshot)] == []


def test_the_audiences_are_mixed_sensibly(shipped: DocLibrary) -> None:
    pages = shipped.snapshot().pages
    assert {p.audience for p in pages.values()} == {"public", "members", "agents"}
    assert all(pages[f"troubleshooting/{key}"].audience == "public" for key in BY_KEY)


@pytest.mark.parametrize("mode", FAILURE_MODES, ids=lambda m: m.key)
def test_each_failure_has_an_article_with_its_error_in_a_code_block(shipped: DocLibrary, mode) -> None:
    snapshot = shipped.snapshot()
    page = snapshot.get(mode.slug)
    assert page is not None, f"missing article {mode.slug}"
    assert mode.article_path == f"/docs/troubleshooting/{mode.key}"
    assert (page.meta.failure_key, page.meta.error_class) == (mode.key, mode.error_class)
    html = str(snapshot.render(page).html)
    assert '<div class="codehilite">' in html
    headings = snapshot.render(page).headings
    assert any("fix" in h.lower() for h in headings), headings
    assert "first-line-support" in page.body  # how to escalate
    for phrase in page.meta.error_text:
        assert phrase.lower() in snapshot.render(page).text.lower(), phrase


@pytest.mark.parametrize("key", sorted(ERROR_TEXTS))
def test_search_finds_the_article_by_its_error_text(shipped: DocLibrary, key: str) -> None:
    hits = search_pages(shipped.snapshot(), ERROR_TEXTS[key], role="anonymous")
    assert hits and hits[0].slug == f"troubleshooting/{key}", [h.slug for h in hits[:3]]


@pytest.mark.parametrize("key", sorted(ERROR_TEXTS))
def test_suggestions_for_a_pasted_error_put_its_article_first(shipped: DocLibrary, key: str) -> None:
    found = suggest_articles("DOI registration fails", ERROR_TEXTS[key], audience_role="member", library=shipped)
    assert found[0].slug == f"troubleshooting/{key}", [s.slug for s in found]
    assert len(found) <= 3


@pytest.mark.parametrize("mode", FAILURE_MODES, ids=lambda m: m.key)
def test_a_known_failure_key_ranks_its_article_first(shipped: DocLibrary, mode) -> None:
    found = suggest_articles("Something about schema versions", "rate limited? credentials?",
                             audience_role="member", failure_key=mode.key, library=shipped)
    assert found[0].slug == mode.slug
    assert mode.key in found[0].reason


def test_a_known_error_class_ranks_its_articles_first(shipped: DocLibrary) -> None:
    found = suggest_articles("Publishing fails", "", "url_domain", audience_role="member", library=shipped)
    assert found[0].slug == "troubleshooting/url-domain-not-allowed"
    several = suggest_articles("", "The value has a length of '0'", "validation", audience_role="member",
                               library=shipped, limit=5)
    assert several[0].slug == "troubleshooting/empty-value"
    validation = {f"troubleshooting/{m.key}" for m in FAILURE_MODES if m.error_class == "validation"}
    assert {s.slug for s in several} <= validation


def test_suggestions_respect_the_audience_and_the_limit(shipped: DocLibrary) -> None:
    agent_only = suggest_articles("escalate to DataCite triage canned answer", "", audience_role="agent",
                                  library=shipped, limit=5)
    assert "support/agent-playbook" in [s.slug for s in agent_only]
    member = suggest_articles("escalate to DataCite triage canned answer", "", audience_role="member",
                              library=shipped, limit=5)
    assert "support/agent-playbook" not in [s.slug for s in member]
    assert suggest_articles("", "", audience_role="member", library=shipped) == []
    assert suggest_articles("x", "Bad credentials", audience_role="member", library=shipped, limit=0) == []


def _cli(content: Path, tmp_path: Path, *args: str):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path, DOCS_CONTENT_DIR=str(content)))
    try:
        return app.test_cli_runner().invoke(args=["docs", "check", *args])
    finally:
        engine_of(app).dispose()


def test_docs_check_command_passes_on_the_shipped_pages(tmp_path: Path) -> None:
    result = _cli(SHIPPED, tmp_path)
    assert result.exit_code == 0, result.output
    count = len(DocLibrary(SHIPPED).snapshot().pages)
    assert result.output.strip() == f"{count} pages OK."


def test_docs_check_command_lists_problems_and_fails(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "guide").mkdir(parents=True)
    (content / "guide/a.md").write_text("---\ntitle: A\nsummary: s\nsection: guide\naudience: public\n"
                                        "last_reviewed: 2026-01-01\n---\n[gone](b.md) ![x](../images/x.png)\n")
    (content / "guide/bad.md").write_text("---\ntitle: Bad\n---\n")
    result = _cli(content, tmp_path)
    assert result.exit_code == 1
    assert "guide/a.md: links to 'b', but there is no page 'guide/b'" in result.output
    assert "guide/a.md: shows the image '../images/x.png', which does not exist" in result.output
    assert "guide/bad.md: summary: is missing" in result.output
    assert "Error: 6 problems in" in result.output
