"""Rendering text that is not published yet: the editor's preview, with its front matter problems."""

from __future__ import annotations

from dataclasses import dataclass

from portal.services.docs.frontmatter import FrontMatter, FrontMatterError, parse_document
from portal.services.docs.rendering import Rendered, render_page


@dataclass(frozen=True)
class Preview:
    """Rendered unpublished text, with what is wrong with its front matter."""

    rendered: Rendered
    meta: FrontMatter | None
    problems: tuple[str, ...]


def preview_text(text: str, *, slug: str = "preview") -> Preview:
    """Render a page's text as it would be published; front matter problems are listed, not raised."""
    text = text.replace("\r\n", "\n")
    try:
        meta, body = parse_document(text, source=f"{slug}.md")
        problems: tuple[str, ...] = ()
    except FrontMatterError as exc:
        meta, problems = None, tuple(str(p) for p in exc.problems)
        lines = text.split("\n")
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        body = "\n".join(lines[closing + 1:]) if lines and lines[0].strip() == "---" and closing else text
    return Preview(render_page(body), meta, problems)
