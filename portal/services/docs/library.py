"""The documentation pages in a content folder: loaded, validated, cached until a file changes.

The folder is the source of truth. Each call to ``DocLibrary.snapshot()`` looks at the files' sizes
and modification times; unchanged files are not read again and their rendered HTML is reused.
"""

from __future__ import annotations

import calendar
import hashlib
import os
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from portal.services.docs.frontmatter import (
    FrontMatter,
    FrontMatterError,
    Problem,
    parse_document,
    parse_sections,
    slug_problem,
)
from portal.services.docs.rendering import Rendered, render_page

SECTIONS_FILE = "sections.txt"
IMAGES_DIR = "images"
ANONYMOUS = "anonymous"
AGENT_ROLES = frozenset({"agent", "admin", "publisher"})

Stamp = tuple[int, int, int]  # mtime in ns, size, inode (an atomic replace changes the inode)


def can_read(audience: str, role: str) -> bool:
    """Public pages for everyone, member pages for anyone signed in, agent pages for agents, admins, publishers."""
    if audience == "public":
        return True
    if audience == "members":
        return role != ANONYMOUS
    return role in AGENT_ROLES


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(last_reviewed: date, *, now: datetime, months: int) -> bool:
    """True when the page was last reviewed more than ``months`` months before ``now``."""
    return add_months(last_reviewed, months) < now.date()


@dataclass(frozen=True)
class Page:
    """One Markdown file with valid front matter."""

    slug: str
    path: Path
    meta: FrontMatter
    body: str
    source: str
    stamp: Stamp

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def summary(self) -> str:
        return self.meta.summary

    @property
    def audience(self) -> str:
        return self.meta.audience

    @property
    def content_hash(self) -> str:
        return content_hash(self.source)


def content_hash(text: str) -> str:
    """A short fingerprint of a page's text (detects edits made meanwhile)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Section:
    """A section with the pages one reader may see."""

    key: str
    title: str
    pages: tuple[Page, ...]


@dataclass
class Snapshot:
    """Every valid page at one moment, plus what was wrong with the others."""

    content_dir: Path
    pages: dict[str, Page]
    sections: dict[str, str]
    aliases: dict[str, str]
    problems: list[Problem]
    renderer: DocLibrary = field(repr=False)
    cache: dict[str, object] = field(default_factory=dict, repr=False)  # derived data, e.g. the search index

    def get(self, slug: str) -> Page | None:
        """The page with this slug (not following aliases)."""
        return self.pages.get(slug)

    def resolve_alias(self, slug: str) -> str | None:
        """The current slug of a page that used to be called ``slug`` (front matter aliases)."""
        return self.aliases.get(slug)

    def render(self, page: Page) -> Rendered:
        """The page's rendered body (cached by the library)."""
        return self.renderer.render(page)

    def visible(self, role: str) -> list[Page]:
        """The pages the role may read, in reading order."""
        return [p for p in self.ordered() if can_read(p.audience, role)]

    def ordered(self) -> list[Page]:
        """Pages by section (in the sections file's order), then order, then title."""
        rank = {key: i for i, key in enumerate(self.sections)}
        return sorted(self.pages.values(),
                      key=lambda p: (rank.get(p.meta.section, len(rank)), p.meta.section, p.meta.order, p.title))

    def section_title(self, key: str) -> str:
        """The section's title from the sections file, or one made from its key."""
        return self.sections.get(key) or key.replace("-", " ").capitalize()

    def sections_for(self, role: str) -> list[Section]:
        """The sections with at least one page the role may read, pages in order."""
        grouped: dict[str, list[Page]] = {}
        for page in self.visible(role):
            grouped.setdefault(page.meta.section, []).append(page)
        return [Section(key, self.section_title(key), tuple(pages)) for key, pages in grouped.items()]

    def neighbours(self, page: Page, role: str) -> tuple[Page | None, Page | None]:
        """The previous and next readable pages in the same section."""
        siblings = [p for p in self.visible(role) if p.meta.section == page.meta.section]
        index = next((i for i, p in enumerate(siblings) if p.slug == page.slug), None)
        if index is None:
            return None, None
        return (siblings[index - 1] if index > 0 else None,
                siblings[index + 1] if index + 1 < len(siblings) else None)

    def article_for(self, failure_key: str) -> Page | None:
        """The troubleshooting article for a failure key, by front matter or by its slug."""
        for page in self.pages.values():
            if page.meta.failure_key == failure_key:
                return page
        return self.pages.get(f"troubleshooting/{failure_key}")

    def image_exists(self, relative: str) -> bool:
        """Whether a file exists under the images folder (never outside it)."""
        root = (self.content_dir / IMAGES_DIR).resolve()
        target = (root / relative).resolve()
        return target.is_relative_to(root) and target.is_file()


class DocLibrary:
    """Loads a content folder and caches parsed pages and rendered HTML per file version."""

    def __init__(self, content_dir: Path) -> None:
        self.content_dir = Path(content_dir)
        self._lock = threading.Lock()
        self._parsed: dict[Path, tuple[Stamp, Page | list[Problem]]] = {}
        self._rendered: dict[Path, tuple[Stamp, Rendered]] = {}
        self._signature: tuple[tuple[str, Stamp], ...] | None = None
        self._snapshot: Snapshot | None = None

    def path_for(self, slug: str) -> Path:
        """The Markdown file of a slug (which must already be a valid slug)."""
        return self.content_dir / f"{slug}.md"

    def _files(self) -> list[tuple[Path, Stamp]]:
        found: list[tuple[Path, Stamp]] = []
        if not self.content_dir.is_dir():
            return found
        for folder, dirs, files in os.walk(self.content_dir):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d != IMAGES_DIR)
            for name in sorted(files):
                if name.endswith(".md") and not name.startswith((".", "_")) or name == SECTIONS_FILE:
                    path = Path(folder) / name
                    stat = path.stat()
                    found.append((path, (stat.st_mtime_ns, stat.st_size, stat.st_ino)))
        return found

    def snapshot(self) -> Snapshot:
        """The pages as they are on disk now (reusing everything that did not change)."""
        with self._lock:
            files = self._files()
            signature = tuple((str(p), s) for p, s in files)
            if self._snapshot is not None and signature == self._signature:
                return self._snapshot
            self._snapshot = self._build(files)
            self._signature = signature
            return self._snapshot

    def invalidate(self) -> None:
        """Forget everything cached (after this process changed a file)."""
        with self._lock:
            self._signature = None
            self._snapshot = None
            self._parsed.clear()
            self._rendered.clear()

    def _parse(self, path: Path, stamp: Stamp) -> Page | list[Problem]:
        cached = self._parsed.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        relative = path.relative_to(self.content_dir).as_posix()
        slug = relative[:-3]
        result: Page | list[Problem]
        problem = slug_problem(slug)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result = [Problem(relative, f"cannot be read as UTF-8 text ({exc.__class__.__name__})")]
        else:
            if problem:
                result = [Problem(relative, f"the file name gives the slug {slug!r}, which {problem}")]
            else:
                try:
                    meta, body = parse_document(source, source=relative)
                except FrontMatterError as exc:
                    result = exc.problems
                else:
                    result = Page(slug=slug, path=path, meta=meta, body=body, source=source, stamp=stamp)
        self._parsed[path] = (stamp, result)
        return result

    def _build(self, files: list[tuple[Path, Stamp]]) -> Snapshot:
        pages: dict[str, Page] = {}
        problems: list[Problem] = []
        sections: dict[str, str] = {}
        for path, stamp in files:
            if path.name == SECTIONS_FILE and path.parent == self.content_dir:
                sections, section_problems = parse_sections(path.read_text(encoding="utf-8"))
                problems += section_problems
                continue
            if path.name == SECTIONS_FILE:
                continue
            parsed = self._parse(path, stamp)
            if isinstance(parsed, Page):
                pages[parsed.slug] = parsed
            else:
                problems += parsed
        aliases = self._aliases(pages, problems)
        if sections:
            for page in pages.values():
                if page.meta.section not in sections:
                    problems.append(Problem(f"{page.slug}.md", f"is not a section listed in {SECTIONS_FILE}",
                                            field="section"))
        seen_keys: dict[str, str] = {}
        for page in sorted(pages.values(), key=lambda p: p.slug):
            key = page.meta.failure_key
            if key and key in seen_keys:
                problems.append(Problem(f"{page.slug}.md", f"{key!r} is already the failure key of "
                                                           f"{seen_keys[key]}", field="failure_key"))
            elif key:
                seen_keys[key] = page.slug
        return Snapshot(self.content_dir, pages, sections, aliases, problems, self)

    @staticmethod
    def _aliases(pages: dict[str, Page], problems: list[Problem]) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for page in sorted(pages.values(), key=lambda p: p.slug):
            for alias in page.meta.aliases:
                if alias in pages:
                    problems.append(Problem(f"{page.slug}.md", f"{alias!r} is the slug of an existing page",
                                            field="aliases"))
                elif alias in aliases and aliases[alias] != page.slug:
                    problems.append(Problem(f"{page.slug}.md", f"{alias!r} is already an alias of "
                                                               f"{aliases[alias]}", field="aliases"))
                else:
                    aliases[alias] = page.slug
        return aliases

    def render(self, page: Page) -> Rendered:
        """The page's rendered body, from the cache while the file is unchanged."""
        cached = self._rendered.get(page.path)
        if cached and cached[0] == page.stamp:
            return cached[1]
        rendered = render_page(page.body)
        self._rendered[page.path] = (page.stamp, rendered)
        return rendered
