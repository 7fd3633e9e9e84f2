"""Search: tokens, weights, phrases, DOIs, audiences and highlighted snippets that never inject raw text."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.services.docs import search_pages, snippet_html
from portal.services.docs.library import DocLibrary
from portal.services.docs.search import make_snippet, parse_query, stem, tokenize
from tests.docs.content import content_dir, write_page


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return content_dir(tmp_path)


def slugs(root: Path, query: str, role: str = "anonymous") -> list[str]:
    return [hit.slug for hit in search_pages(DocLibrary(root).snapshot(), query, role=role)]


def test_tokens_are_stemmed_lightly_and_keep_dois() -> None:
    assert [stem(w) for w in ("credentials", "retrying", "updated", "policies", "status", "classes")] == [
        "credential", "retry", "updat", "policy", "status", "class"]
    assert tokenize("The DOI 10.5438/ABC-123. was taken") == ["doi", "10", "5438", "abc", "123", "taken",
                                                              "10.5438/abc-123"]


def test_quoted_strings_are_phrases() -> None:
    query = parse_query('retry "already been taken" now')
    assert query.phrases == ("already been taken",)
    assert "retry" in query.terms


def test_title_and_headings_weigh_more_than_body(root: Path) -> None:
    write_page(root, "guide/body", "Other", body="## Something\n\n" + "prefix prefix prefix prefix.\n")
    write_page(root, "guide/heading", "Unrelated", body="## Prefix rules\n\nText.\n")
    write_page(root, "guide/title", "Prefixes explained", body="Text.\n")
    assert slugs(root, "prefix") == ["guide/title", "guide/heading", "guide/body"]


def test_all_words_beat_some_words(root: Path) -> None:
    write_page(root, "guide/both", "Repository settings", body="The domain list lives here.\n")
    write_page(root, "guide/one", "Repository", body="Repository repository repository.\n")
    assert slugs(root, "repository domain")[0] == "guide/both"


def test_a_quoted_phrase_must_appear(root: Path) -> None:
    write_page(root, "guide/exact", "E", body="The value has a length of zero.\n")
    write_page(root, "guide/words", "W", body="Length zero, the value has it.\n")
    assert slugs(root, '"has a length of"') == ["guide/exact"]


def test_dois_are_findable(root: Path) -> None:
    write_page(root, "guide/doi", "Example", body="See https://doi.org/10.80001/abcd-1234 for the record.\n")
    write_page(root, "guide/other", "Other", body="Prefix 10.80001 only.\n")
    assert slugs(root, "10.80001/abcd-1234")[0] == "guide/doi"


def test_a_pasted_error_finds_its_article_first(root: Path) -> None:
    write_page(root, "troubleshooting/taken", "Duplicates", section="troubleshooting",
               body="## Fix\n\nRead the record first.\n").write_text(
        (root / "troubleshooting/taken.md").read_text().replace(
            "---\n\n", "error_text: This DOI has already been taken\n---\n\n", 1))
    write_page(root, "guide/doi", "DOI basics", body="A DOI that has been taken already by a record.\n" * 3)
    hits = search_pages(DocLibrary(root).snapshot(), 'Error: {"title":"This DOI has already been taken"}',
                        role="anonymous")
    assert hits[0].slug == "troubleshooting/taken" and hits[0].error_match


def test_search_respects_audience(root: Path) -> None:
    write_page(root, "guide/secret", "Escalation secrets", audience="agents")
    assert slugs(root, "escalation") == []
    assert slugs(root, "escalation", role="member") == []
    assert slugs(root, "escalation", role="agent") == ["guide/secret"]


def test_empty_queries_find_nothing(root: Path) -> None:
    write_page(root, "guide/a", "A")
    assert slugs(root, "") == [] and slugs(root, "  the of  ") == []


def test_snippets_highlight_matches_and_escape_everything() -> None:
    text = "Intro. A <script>alert(1)</script> & credentials were wrong; the credential failed."
    snippet = make_snippet(text, parse_query("credentials"))
    assert [part for part, hit in snippet if hit] == ["credentials", "credential"]
    html = snippet_html(snippet)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>credentials</mark>" in html
    assert "<script>" not in html


def test_snippet_of_a_long_text_is_a_window_around_the_match() -> None:
    text = ("filler " * 100) + "the rate limit was hit " + ("more " * 100)
    snippet = make_snippet(text, parse_query("rate limit"))
    joined = "".join(part for part, _ in snippet)
    assert joined.startswith("…") and joined.endswith("…") and len(joined) < 260
    assert ("rate limit", True) in snippet  # the whole query is highlighted as one phrase


def test_snippet_without_body_match_falls_back_to_summary() -> None:
    assert make_snippet("nothing here", parse_query("zebra"), fallback="The summary.") == (("The summary.", False),)
