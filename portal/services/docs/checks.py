"""`docs check`: broken internal links, missing images, unknown anchors, and everything the loader refused."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit

from portal.services.docs.frontmatter import RESERVED_SLUGS, Problem
from portal.services.docs.library import IMAGES_DIR, Page, Snapshot

DOCS_PREFIX = "/docs/"
AUDIENCE_RANK = {"public": 0, "members": 1, "agents": 2}


def page_url(slug: str) -> str:
    """The path a page is served at (the index page is the docs home)."""
    return DOCS_PREFIX if slug == "index" else f"{DOCS_PREFIX}{slug}"


def _target(base: str, reference: str) -> tuple[str | None, str]:
    """The docs path (without /docs/) and fragment a reference points at; None outside the docs site."""
    parts = urlsplit(urljoin(base, reference))
    if parts.scheme or parts.netloc:
        return None, ""
    path = unquote(parts.path)
    if path.rstrip("/") == DOCS_PREFIX.rstrip("/"):
        return "index", parts.fragment
    if not path.startswith(DOCS_PREFIX):
        return None, ""
    return path[len(DOCS_PREFIX):].rstrip("/"), parts.fragment


def _link_problem(snapshot: Snapshot, page: Page, href: str) -> str | None:
    target, fragment = _target(page_url(page.slug), href)
    if target is None:
        return None
    if target.startswith(f"{IMAGES_DIR}/"):
        return None if snapshot.image_exists(target[len(IMAGES_DIR) + 1:]) else f"links to a missing file {href!r}"
    if target in RESERVED_SLUGS and target != "index":
        return None
    linked = snapshot.get(target)
    if linked is None and snapshot.resolve_alias(target):
        linked = snapshot.get(snapshot.resolve_alias(target) or "")
    if linked is None:
        return f"links to {href!r}, but there is no page {target!r}"
    if AUDIENCE_RANK[linked.audience] > AUDIENCE_RANK[page.audience]:
        return f"links to {href!r}, which only {linked.audience} may read (this page is for {page.audience})"
    if fragment and fragment not in snapshot.render(linked).anchors:
        return f"links to {href!r}, but {linked.slug!r} has no heading or anchor {fragment!r}"
    return None


def _image_problem(snapshot: Snapshot, page: Page, src: str) -> str | None:
    if not src:
        return "has an image without an address"
    target, _fragment = _target(page_url(page.slug), src)
    if target is None or not target.startswith(f"{IMAGES_DIR}/"):
        return f"shows the image {src!r}, which is not in the {IMAGES_DIR}/ folder of the docs"
    if not snapshot.image_exists(target[len(IMAGES_DIR) + 1:]):
        return f"shows the image {src!r}, which does not exist"
    return None


def page_problems(snapshot: Snapshot, page: Page) -> list[Problem]:
    """Broken links, unknown anchors and missing images of one page."""
    rendered = snapshot.render(page)
    source = f"{page.slug}.md"
    found = [_link_problem(snapshot, page, href) for href in rendered.links]
    found += [_image_problem(snapshot, page, src) for src in rendered.images]
    return [Problem(source, message) for message in found if message]


def check_library(snapshot: Snapshot) -> list[Problem]:
    """Every problem of the content folder: unreadable pages, front matter, duplicates, links, images."""
    problems = list(snapshot.problems)
    for page in snapshot.ordered():
        problems += page_problems(snapshot, page)
    return problems
