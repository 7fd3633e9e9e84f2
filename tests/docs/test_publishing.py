"""Publishing: the file, the revision and the audit event together; diff, restore, rename, review, drafts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import AuditEvent, DocDraft, DocRedirect, DocRevision, Role
from portal.services.docs import check_library, renaming
from portal.services.docs import publishing as pub
from portal.services.docs.diffs import diff_revision, diff_texts
from portal.services.docs.library import DocLibrary, content_hash

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SLUG = "support/first-line-support"


@pytest.fixture
def library(docs_content: Path) -> DocLibrary:
    return DocLibrary(docs_content)


@pytest.fixture
def publisher(session, make):
    return make.user(session, Role.publisher, email="jonas@rsp.example")


def edited(library: DocLibrary, old: str, new: str, slug: str = SLUG) -> str:
    text = pub.current_text(library, slug)
    assert text is not None and old in text
    return text.replace(old, new, 1)


def actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_publish_writes_the_file_and_records_revisions(session, library, publisher) -> None:
    original = pub.current_text(library, SLUG)
    text = edited(library, "We are your first line of support", "We are your friendly first line of support")
    pub.save_draft(session, slug=SLUG, text=text, author=publisher, base_hash=content_hash(original), now=NOW)
    revision = pub.publish_page(session, library=library, slug=SLUG, text=text.replace("\n", "\r\n"),
                                author=publisher, now=NOW, message="Friendlier", base_hash=content_hash(original))
    assert pub.current_text(library, SLUG) == text  # line endings normalised to LF
    assert "friendly first line" in str(library.snapshot().render(library.snapshot().get(SLUG)).html)
    history = pub.list_revisions(session, slug=SLUG)
    assert [(r.number, r.action, r.author_label) for r in history] == [
        (2, "publish", "jonas@rsp.example"), (1, "import", "system")]
    assert history[1].text == original and history[0].message == "Friendlier" == revision.message
    assert pub.get_draft(session, SLUG) is None
    assert actions(session) == ["docs.publish"]
    assert not list(library.content_dir.glob("support/.*"))  # no temporary files left behind


def test_invalid_front_matter_is_refused_and_nothing_changes(session, library, publisher) -> None:
    original = pub.current_text(library, SLUG)
    bad = edited(library, "audience: public", "audience: everyone")
    with pytest.raises(ValidationFailed) as caught:
        pub.publish_page(session, library=library, slug=SLUG, text=bad, author=publisher, now=NOW)
    assert "support/first-line-support.md:6: audience: must be one of public, members, agents" in caught.value.errors["text"]
    assert pub.current_text(library, SLUG) == original
    assert pub.list_revisions(session, slug=SLUG) == [] and actions(session) == []


def test_a_page_changed_meanwhile_is_a_conflict(session, library, publisher) -> None:
    started_from = content_hash(pub.current_text(library, SLUG))
    pub.publish_page(session, library=library, slug=SLUG, text=edited(library, "solved that way in", "solved this way in"),
                     author=publisher, now=NOW)
    mine = edited(library, "solved this way in", "solved like this in")
    with pytest.raises(Conflict, match="changed by someone else"):
        pub.publish_page(session, library=library, slug=SLUG, text=mine, author=publisher, now=NOW,
                         base_hash=started_from)
    assert "solved this way in" in pub.current_text(library, SLUG)


def test_publishing_the_same_text_is_refused(session, library, publisher) -> None:
    with pytest.raises(ValidationFailed, match="already the published text"):
        pub.publish_page(session, library=library, slug=SLUG, text=pub.current_text(library, SLUG),
                         author=publisher, now=NOW)


def test_alias_and_failure_key_clashes_are_refused(session, library, publisher) -> None:
    with pytest.raises(ValidationFailed, match="is the address of a page"):
        pub.publish_page(session, library=library, slug=SLUG, author=publisher, now=NOW,
                         text=edited(library, "keywords:", "aliases: support/filing-a-ticket\nkeywords:"))
    with pytest.raises(ValidationFailed, match="already explains 'rate-limited'"):
        pub.publish_page(session, library=library, slug=SLUG, author=publisher, now=NOW,
                         text=edited(library, "keywords:", "failure_key: rate-limited\nkeywords:"))


def test_diff_shows_the_change_and_restore_brings_back_the_old_text(session, library, publisher) -> None:
    original = pub.current_text(library, SLUG)
    changed = edited(library, "## Response times", "## How fast we answer")
    second = pub.publish_page(session, library=library, slug=SLUG, text=changed, author=publisher, now=NOW)
    _revision, diff = diff_revision(session, library=library, slug=SLUG, revision_id=second.id)
    assert [(line.kind, line.text) for line in diff.lines if line.kind in ("added", "removed")] == [
        ("removed", "## Response times"), ("added", "## How fast we answer")]
    assert (diff.added, diff.removed, diff.old_label, diff.new_label) == (1, 1, "Revision 1", "Revision 2")

    first = pub.list_revisions(session, slug=SLUG)[-1]
    restored = pub.restore_revision(session, library=library, slug=SLUG, revision_id=first.id,
                                    author=publisher, now=NOW + timedelta(minutes=5))
    assert pub.current_text(library, SLUG) == original
    assert (restored.number, restored.action, restored.message) == (3, "restore", "Restored revision 1")
    _r, against_now = diff_revision(session, library=library, slug=SLUG, revision_id=first.id, against="current")
    assert against_now.unchanged
    assert actions(session) == ["docs.publish", "docs.restore"]


def test_diff_lines_are_numbered() -> None:
    diff = diff_texts("a\nb\nc\n", "a\nB\nc\nd\n", old_label="old", new_label="new")
    assert [(d.kind, d.text, d.old_number, d.new_number) for d in diff.lines] == [
        ("hunk", "@@ -1,3 +1,4 @@", None, None), ("context", "a", 1, 1), ("removed", "b", 2, None),
        ("added", "B", None, 2), ("context", "c", 3, 3), ("added", "d", None, 4)]


def test_revisions_of_another_page_are_not_found(session, library, publisher) -> None:
    revision = pub.publish_page(session, library=library, slug=SLUG, author=publisher, now=NOW,
                                text=edited(library, "solved that way in", "solved this way in"))
    with pytest.raises(NotFound):
        pub.get_revision(session, slug="support/filing-a-ticket", revision_id=revision.id)


def test_rename_moves_the_file_and_keeps_the_old_address(session, library, publisher) -> None:
    old_path = library.path_for(SLUG)
    pub.publish_page(session, library=library, slug=SLUG, author=publisher, now=NOW,
                     text=edited(library, "solved that way in", "solved this way in"))
    revision = renaming.rename_page(session, library=library, slug=SLUG, new_slug="support/contact",
                               author=publisher, now=NOW)
    snapshot = library.snapshot()
    assert not old_path.exists() and snapshot.get("support/contact") is not None
    assert snapshot.get("support/contact").meta.aliases == (SLUG,)
    assert snapshot.resolve_alias(SLUG) == "support/contact"
    assert renaming.redirect_target(session, SLUG) == "support/contact"
    assert [r.number for r in pub.list_revisions(session, slug="support/contact")] == [3, 2, 1]
    assert (revision.action, revision.message) == ("rename", f"Renamed from {SLUG}")
    # Links to the old address still pass the checks.
    assert check_library(snapshot) == []

    renaming.rename_page(session, library=library, slug="support/contact", new_slug="support/help", author=publisher,
                    now=NOW)
    rows = {r.old_slug: r.new_slug for r in session.exec(select(DocRedirect)).all()}
    assert rows == {SLUG: "support/help", "support/contact": "support/help"}  # chains are shortened
    assert library.snapshot().get("support/help").meta.aliases == (SLUG, "support/contact")
    assert actions(session) == ["docs.publish", "docs.rename", "docs.rename"]


def test_rename_refuses_taken_or_invalid_addresses(session, library, publisher) -> None:
    with pytest.raises(ValidationFailed, match="Another page"):
        renaming.rename_page(session, library=library, slug=SLUG, new_slug="support/filing-a-ticket",
                        author=publisher, now=NOW)
    with pytest.raises(ValidationFailed, match="lower-case words"):
        renaming.rename_page(session, library=library, slug=SLUG, new_slug="../etc/passwd", author=publisher, now=NOW)
    with pytest.raises(NotFound):
        renaming.rename_page(session, library=library, slug="support/nothing", new_slug="support/x",
                        author=publisher, now=NOW)


def test_mark_reviewed_sets_todays_date_once(session, library, publisher) -> None:
    revision = pub.mark_reviewed(session, library=library, slug=SLUG, author=publisher, now=NOW)
    assert revision is not None and revision.action == "review"
    assert library.snapshot().get(SLUG).meta.last_reviewed.isoformat() == "2026-11-25"
    assert pub.mark_reviewed(session, library=library, slug=SLUG, author=publisher, now=NOW) is None


def test_drafts_and_new_pages(session, library, publisher) -> None:
    draft = pub.create_page_draft(session, library=library, slug="support/holidays", title="Holiday cover",
                                  summary="Who answers during holidays.", section="support", audience="members",
                                  author=publisher, now=NOW)
    assert draft.base_hash == "" and "audience: members" in draft.text
    assert pub.current_text(library, "support/holidays") is None  # not published yet
    with pytest.raises(ValidationFailed, match="draft with this address exists"):
        pub.create_page_draft(session, library=library, slug="support/holidays", title="x", summary="y",
                              section="support", audience="public", author=publisher, now=NOW)
    with pytest.raises(ValidationFailed, match="already uses this address"):
        pub.create_page_draft(session, library=library, slug=SLUG, title="x", summary="y", section="support",
                              audience="public", author=publisher, now=NOW)
    revision = pub.publish_page(session, library=library, slug="support/holidays", text=draft.text,
                                author=publisher, now=NOW, base_hash="")
    assert revision.number == 1 and library.snapshot().get("support/holidays").audience == "members"
    assert session.exec(select(DocDraft)).all() == []

    pub.save_draft(session, slug=SLUG, text="draft text", author=publisher, base_hash="", now=NOW)
    assert pub.discard_draft(session, slug=SLUG, actor=publisher) is True
    assert pub.discard_draft(session, slug=SLUG, actor=publisher) is False


def test_a_failed_commit_puts_the_old_file_back(session, library, publisher, monkeypatch) -> None:
    original = pub.current_text(library, SLUG)

    def broken_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        pub.publish_page(session, library=library, slug=SLUG, author=publisher, now=NOW,
                         text=edited(library, "solved that way in", "solved this way in"))
    assert pub.current_text(library, SLUG) == original
    monkeypatch.undo()
    assert session.exec(select(DocRevision)).all() == []
