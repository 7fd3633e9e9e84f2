"""Loading the content folder: pages, sections, audiences, caching, aliases, neighbours, staleness, checks."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.services.docs import check_library, is_stale
from portal.services.docs.library import DocLibrary, add_months, can_read
from tests.docs.content import content_dir, write_page

ROLES = ["anonymous", "member", "datacite_staff", "agent", "publisher", "admin"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return content_dir(tmp_path)


def test_pages_sections_and_order(root: Path) -> None:
    write_page(root, "guide/b", "Beta", order="20")
    write_page(root, "guide/a", "Alpha", order="20")
    write_page(root, "guide/first", "Zulu", order="1")
    write_page(root, "troubleshooting/x", "X error", section="troubleshooting")
    snapshot = DocLibrary(root).snapshot()
    assert [p.slug for p in snapshot.ordered()] == ["guide/first", "guide/a", "guide/b", "troubleshooting/x"]
    assert [(s.key, s.title) for s in snapshot.sections_for("anonymous")] == [
        ("guide", "Guide"), ("troubleshooting", "Troubleshooting")]
    assert snapshot.problems == []


@pytest.mark.parametrize(("audience", "readers"), [
    ("public", set(ROLES)),
    ("members", set(ROLES) - {"anonymous"}),
    ("agents", {"agent", "publisher", "admin"}),
])
def test_audiences(audience: str, readers: set[str]) -> None:
    assert {role for role in ROLES if can_read(audience, role)} == readers


def test_visible_pages_follow_the_audience(root: Path) -> None:
    write_page(root, "guide/public", "Public")
    write_page(root, "guide/members", "Members", audience="members")
    write_page(root, "guide/agents", "Agents", audience="agents")
    snapshot = DocLibrary(root).snapshot()
    assert [p.slug for p in snapshot.visible("anonymous")] == ["guide/public"]
    assert {p.slug for p in snapshot.visible("member")} == {"guide/public", "guide/members"}
    assert {p.slug for p in snapshot.visible("agent")} == {"guide/public", "guide/members", "guide/agents"}


def test_bad_files_are_reported_and_left_out(root: Path) -> None:
    write_page(root, "guide/good", "Good")
    (root / "guide/broken.md").write_text("---\ntitle: Broken\n---\n", encoding="utf-8")
    write_page(root, "guide/Bad_Name", "Bad name")
    write_page(root, "guide/lost", "Lost", section="nowhere")
    (root / "guide/.hidden.md.tmp").write_text("ignored", encoding="utf-8")
    snapshot = DocLibrary(root).snapshot()
    assert set(snapshot.pages) == {"guide/good", "guide/lost"}
    messages = [str(p) for p in snapshot.problems]
    assert any(m.startswith("guide/broken.md: summary: is missing") for m in messages)
    assert any("guide/Bad_Name.md: the file name gives the slug 'guide/Bad_Name'" in m for m in messages)
    assert any("guide/lost.md: section: is not a section listed in sections.txt" in m for m in messages)


def test_rendered_html_is_cached_until_the_file_changes(root: Path) -> None:
    path = write_page(root, "guide/page", "Page", body="First text.\n")
    library = DocLibrary(root)
    first = library.snapshot()
    rendered = first.render(first.pages["guide/page"])
    assert library.snapshot() is first
    assert first.render(first.pages["guide/page"]) is rendered
    path.write_text(path.read_text().replace("First text.", "Second, longer text."), encoding="utf-8")
    second = library.snapshot()
    assert second is not first
    assert "Second, longer text." in str(second.render(second.pages["guide/page"]).html)


def test_a_same_size_rewrite_is_noticed(root: Path) -> None:
    path = write_page(root, "guide/page", "Page", body="AAAA\n")
    library = DocLibrary(root)
    before = library.snapshot()
    stat = path.stat()
    replacement = root / "guide/replacement"
    replacement.write_text(path.read_text().replace("AAAA", "BBBB"), encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time: only the inode differs
    os.replace(replacement, path)
    after = library.snapshot()
    assert after is not before
    assert "BBBB" in str(after.render(after.pages["guide/page"]).html)


def test_aliases_and_their_conflicts(root: Path) -> None:
    write_page(root, "guide/new", "New", aliases="guide/old, guide/older")
    write_page(root, "guide/other", "Other", aliases="guide/new, guide/old")
    snapshot = DocLibrary(root).snapshot()
    assert snapshot.resolve_alias("guide/older") == "guide/new"
    assert snapshot.resolve_alias("guide/old") == "guide/new"
    messages = [p.message for p in snapshot.problems]
    assert "'guide/new' is the slug of an existing page" in messages
    assert "'guide/old' is already an alias of guide/new" in messages


def test_duplicate_failure_keys_are_reported(root: Path) -> None:
    write_page(root, "troubleshooting/a", "A", section="troubleshooting", failure_key="rate-limited")
    write_page(root, "troubleshooting/b", "B", section="troubleshooting", failure_key="rate-limited")
    snapshot = DocLibrary(root).snapshot()
    assert [p.message for p in snapshot.problems] == ["'rate-limited' is already the failure key of troubleshooting/a"]
    assert snapshot.article_for("rate-limited").slug == "troubleshooting/a"


def test_previous_and_next_stay_in_the_section_and_skip_unreadable_pages(root: Path) -> None:
    write_page(root, "guide/one", "One", order="1")
    write_page(root, "guide/two", "Two", order="2", audience="agents")
    write_page(root, "guide/three", "Three", order="3")
    write_page(root, "troubleshooting/x", "X", section="troubleshooting")
    snapshot = DocLibrary(root).snapshot()
    one, three = snapshot.pages["guide/one"], snapshot.pages["guide/three"]
    assert snapshot.neighbours(one, "anonymous") == (None, three)
    assert snapshot.neighbours(three, "anonymous") == (one, None)
    assert snapshot.neighbours(one, "agent")[1].slug == "guide/two"


@pytest.mark.parametrize(("reviewed", "now", "stale"), [
    (date(2025, 11, 25), datetime(2026, 11, 25, 12, tzinfo=UTC), False),  # exactly twelve months: not yet
    (date(2025, 11, 24), datetime(2026, 11, 25, 0, 1, tzinfo=UTC), True),
    (date(2026, 6, 1), datetime(2026, 11, 25, tzinfo=UTC), False),
])
def test_stale_flag(reviewed: date, now: datetime, stale: bool) -> None:
    assert is_stale(reviewed, now=now, months=12) is stale


def test_add_months_keeps_to_the_end_of_short_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_checks_find_broken_links_anchors_images_and_audience_leaks(root: Path) -> None:
    (root / "images").mkdir()
    (root / "images/diagram.png").write_bytes(b"\x89PNG\r\n")
    write_page(root, "guide/target", "Target", body="## Known anchor\n\nText.\n", aliases="guide/former")
    write_page(root, "guide/secret", "Secret", audience="agents")
    write_page(root, "guide/source", "Source", body=(
        "[ok](target.md) [ok anchor](target.md#known-anchor) [alias](former) [home](../index)\n"
        "[absolute](/docs/guide/target) [outside](/login) [external](https://example.org/x) [mail](mailto:a@b.c)\n"
        "[own anchor](#heading) ![diagram](../images/diagram.png)\n\n## Heading\n\n"
        "[missing](nothing.md) [bad anchor](target.md#no-such-part) [leak](secret.md) [self bad](#nowhere)\n"
        "![gone](../images/gone.png) ![elsewhere](pictures/p.png)\n"
    ))
    write_page(root, "index", "Home", section="guide")
    problems = [str(p) for p in check_library(DocLibrary(root).snapshot())]
    assert problems == [
        "guide/source.md: links to 'nothing', but there is no page 'guide/nothing'",
        "guide/source.md: links to 'target#no-such-part', but 'guide/target' has no heading or anchor 'no-such-part'",
        "guide/source.md: links to 'secret', which only agents may read (this page is for public)",
        "guide/source.md: links to '#nowhere', but 'guide/source' has no heading or anchor 'nowhere'",
        "guide/source.md: shows the image '../images/gone.png', which does not exist",
        "guide/source.md: shows the image 'pictures/p.png', which is not in the images/ folder of the docs",
    ]


def test_a_missing_folder_is_empty_not_an_error(tmp_path: Path) -> None:
    snapshot = DocLibrary(tmp_path / "absent").snapshot()
    assert snapshot.pages == {} and check_library(snapshot) == []
