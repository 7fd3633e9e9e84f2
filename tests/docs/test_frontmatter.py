"""Front matter: the strict key: value format, and errors that name the file, line and field."""

from __future__ import annotations

from datetime import date

import pytest

from portal.services.docs.frontmatter import (
    FrontMatterError,
    parse_document,
    parse_sections,
    parse_versions,
    set_field,
    versions_label,
)
from tests.docs.content import page_text


def test_a_complete_page_parses() -> None:
    text = page_text(
        "Bad credentials", order="10", schema_versions="4.0-4.2, 4.7", aliases="old/one, old/two",
        keywords="401, password", failure_key="bad-credentials", body="Body *here*.\n",
    ).replace("---\n\nBody", "error_text: Bad credentials\nerror_text: Access is denied, really\n---\n\nBody")
    meta, body = parse_document(text, source="t.md")
    assert meta.title == "Bad credentials"
    assert meta.order == 10
    assert meta.last_reviewed == date(2026, 1, 15)
    assert meta.schema_versions == ("4.0", "4.1", "4.2", "4.7")
    assert meta.schema_label == "4.0–4.2, 4.7"
    assert meta.aliases == ("old/one", "old/two")
    assert meta.keywords == ("401", "password")
    assert meta.error_text == ("Bad credentials", "Access is denied, really")  # commas stay inside a phrase
    assert meta.error_class == "auth"  # taken from the failure key
    assert body.strip() == "Body *here*."


def test_defaults_and_quoted_values() -> None:
    meta, _ = parse_document('---\ntitle: "422 [facet] quoted"\nsummary: s\nsection: guide\naudience: members\n'
                             "last_reviewed: 2026-02-01\n# a comment\n\n---\nbody")
    assert meta.title == "422 [facet] quoted"
    assert (meta.order, meta.schema_versions, meta.aliases, meta.error_class) == (100, (), (), "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: x\n---\n", "t.md:1: must start with a front matter block"),
        ("---\ntitle: x\n", "t.md:1: the front matter block is never closed"),
        ("---\ncolour: blue\n---\n", "t.md:2: colour: unknown field"),
        ("---\njust words\n---\n", "t.md:2: expected 'key: value', found 'just words'"),
        ("---\ntitle: a\ntitle: b\n---\n", "t.md:3: title: is given twice"),
        ("---\ntitle:\n---\n", "t.md:2: title: is empty"),
        ("---\nlast_reviewed: 15/01/2026\n---\n", "t.md:2: last_reviewed: must be a date written YYYY-MM-DD, not '15/01/2026'"),
        ("---\nlast_reviewed: 2026-02-30\n---\n", "last_reviewed: must be a date written YYYY-MM-DD"),
        ("---\naudience: everyone\n---\n", "t.md:2: audience: must be one of public, members, agents, not 'everyone'"),
        ("---\norder: first\n---\n", "t.md:2: order: must be a whole number, not 'first'"),
        ("---\nsection: Trouble Shooting\n---\n", "t.md:2: section: must be a section key"),
        ("---\nschema_versions: 5.0\n---\n", "t.md:2: schema_versions: '5.0' is not a schema version"),
        ("---\nschema_versions: 4.7-4.0\n---\n", "the range '4.7-4.0' runs backwards"),
        ("---\naliases: Old Page\n---\n", "t.md:2: aliases: alias 'Old Page' must be lower-case words"),
        ("---\naliases: search/x\n---\n", "alias 'search/x' must not start with 'search'"),
        ("---\nfailure_key: no-such-error\n---\n", "t.md:2: failure_key: is not a known failure key: 'no-such-error'"),
        ("---\nerror_class: teapot\n---\n", "t.md:2: error_class: must be one of"),
        ("---\n---\n", "t.md: title: is missing"),
    ],
)
def test_errors_name_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_document(text, source="t.md")
    assert expected in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_document("---\naudience: all\norder: x\n---\n", source="p.md")
    fields = {p.field for p in caught.value.problems}
    assert {"audience", "order", "title", "summary", "section", "last_reviewed"} <= fields


def test_versions() -> None:
    assert parse_versions("all") == ()
    assert parse_versions("3.1, 4.6–4.7") == ("3.1", "4.6", "4.7")
    assert versions_label(("3.0", "3.1", "4.0", "4.1", "4.3")) == "3.0–4.1, 4.3"


def test_set_field_replaces_or_adds() -> None:
    text = page_text("T")
    replaced = set_field(text, "last_reviewed", "2026-11-25")
    assert "last_reviewed: 2026-11-25" in replaced and "2026-01-15" not in replaced
    added = set_field(text, "aliases", "old/page")
    meta, body = parse_document(added)
    assert meta.aliases == ("old/page",) and "## Heading" in body
    with pytest.raises(ValueError, match="unknown front matter field"):
        set_field(text, "colour", "blue")


def test_sections_file() -> None:
    sections, problems = parse_sections("# comment\nguide: Guide\nbad line\nguide: Again\nfaq: Questions\n")
    assert list(sections.items()) == [("guide", "Guide"), ("faq", "Questions")]
    assert [p.line for p in problems] == [3, 4]
