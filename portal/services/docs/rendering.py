"""A page's Markdown rendered once: sanitised HTML, table of contents, plain text, links and anchors."""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

from portal.markdown import render_markdown_with_toc

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCKS = HEADINGS | {"p", "li", "pre", "td", "th", "div", "blockquote", "dd", "dt", "br", "tr"}


@dataclass(frozen=True)
class TocEntry:
    """One heading in the per-page table of contents."""

    anchor: str
    title: str
    level: int
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Rendered:
    """What rendering a page's body produced, for pages, search and link checks."""

    html: Markup
    toc: tuple[TocEntry, ...]
    headings: tuple[str, ...]
    text: str
    links: tuple[str, ...]
    images: tuple[str, ...]
    anchors: frozenset[str]


class _Extractor(HTMLParser):
    """Reads sanitised HTML back: visible text, heading texts, link targets, image sources, ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.anchors: set[str] = set()
        self._heading: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.anchors.add(values["id"])
        if tag == "a":
            if "headerlink" in values.get("class", "").split():
                self._skip += 1
            elif values.get("href"):
                self.links.append(values["href"])
        elif tag == "img":
            self.images.append(values.get("src", ""))
            if values.get("alt"):
                self.text.append(f" {values['alt']} ")
        if tag in HEADINGS:
            self._heading = []
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        if tag in HEADINGS and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _toc(tokens: list[dict[str, Any]]) -> tuple[TocEntry, ...]:
    return tuple(
        TocEntry(anchor=str(t["id"]), title=html.unescape(str(t["name"])), level=int(t["level"]),
                 children=_toc(list(t.get("children", []))))
        for t in tokens
    )


def render_page(body: str) -> Rendered:
    """Render a page body with the docs profile and read back what pages, search and checks need."""
    markup, tokens = render_markdown_with_toc(body, profile="docs")
    extractor = _Extractor()
    extractor.feed(str(markup))
    extractor.close()
    lines = ("".join(extractor.text)).splitlines()
    text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return Rendered(
        html=markup,
        toc=_toc(tokens),
        headings=tuple(extractor.headings),
        text=text,
        links=tuple(extractor.links),
        images=tuple(extractor.images),
        anchors=frozenset(extractor.anchors),
    )
