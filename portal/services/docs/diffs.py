"""Differences between two texts of a page, as lines a template shows (it escapes them)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from portal.models import DocRevision
from portal.services.docs.library import DocLibrary
from portal.services.docs.publishing import current_text, get_revision, previous_revision

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
LineKind = Literal["hunk", "context", "added", "removed"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: a hunk header, or a context, added or removed line with its numbers."""

    kind: LineKind
    text: str
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True)
class Diff:
    """What changed between two texts."""

    old_label: str
    new_label: str
    lines: tuple[DiffLine, ...]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed


def diff_texts(old: str, new: str, *, old_label: str, new_label: str, context: int = 3) -> Diff:
    """A unified diff of two texts, line by line with line numbers."""
    lines: list[DiffLine] = []
    old_no = new_no = 0
    raw = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    for item in raw:
        if item.startswith(("---", "+++")) and not lines:
            continue
        match = HUNK.match(item)
        if match:
            old_no, new_no = int(match.group(1)), int(match.group(2))
            lines.append(DiffLine("hunk", item))
        elif item.startswith("+"):
            lines.append(DiffLine("added", item[1:], None, new_no))
            new_no += 1
        elif item.startswith("-"):
            lines.append(DiffLine("removed", item[1:], old_no, None))
            old_no += 1
        else:
            lines.append(DiffLine("context", item[1:], old_no, new_no))
            old_no, new_no = old_no + 1, new_no + 1
    return Diff(old_label, new_label, tuple(lines))


def diff_revision(session: Session, *, library: DocLibrary, slug: str, revision_id: int,
                  against: Literal["previous", "current"] = "previous") -> tuple[DocRevision, Diff]:
    """What a revision changed (against the one before), or how the page differs from it now."""
    revision = get_revision(session, slug=slug, revision_id=revision_id)
    if against == "current":
        now_text = current_text(library, slug) or ""
        return revision, diff_texts(revision.text, now_text, old_label=f"Revision {revision.number}",
                                    new_label="Published now")
    before = previous_revision(session, revision)
    return revision, diff_texts(before.text if before else "", revision.text,
                                old_label=f"Revision {before.number}" if before else "Nothing (new page)",
                                new_label=f"Revision {revision.number}")
