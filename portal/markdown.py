"""The one Markdown renderer and HTML sanitiser of the portal (C14).

Every piece of text a person wrote (ticket messages, documentation pages) becomes HTML here and
nowhere else: Python-Markdown first, then nh3 on the *output* with explicit allow-lists. This module
is the only place in the code base that wraps such HTML in ``Markup``; templates never use ``|safe``.

Two profiles:

- ``message`` (helpdesk messages): raw HTML in the source is shown as text, not passed through;
  no headings ids, no classes, no images. Images become plain links to their address, because an
  image from another host is a tracking pixel (it tells the sender when and from where the
  message was read) and an image on our own host is a GET request the reader did not choose.
  Attachments are shown by the helpdesk as attachments, not inline.
- ``docs`` (the integration documentation, written by publishers): tables, fenced code with
  Pygments highlighting, a table of contents with heading anchors, admonitions, and sanitised raw
  HTML. Images must be relative (served from our docs folder); the CSP would block others anyway.
"""

from __future__ import annotations

import functools
import re
import threading
import xml.etree.ElementTree as etree  # noqa: S405  (builds trees, never parses input)
from typing import Literal

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from pygments.token import STANDARD_TYPES

Profile = Literal["message", "docs"]
PROFILES: tuple[Profile, ...] = ("message", "docs")

URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Ids the page templates use themselves; a heading must not take one over. Templates that show
# rendered Markdown name their own ids with the reserved prefix.
RESERVED_IDS = frozenset({"main", "content", "nav", "toc", "search", "preview"})
RESERVED_ID_PREFIX = "portal-"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
NUMBER_PATTERN = re.compile(r"^\d{1,4}$")
ADMONITION_KINDS = frozenset(
    {"note", "tip", "hint", "important", "warning", "caution", "danger", "attention", "error", "seealso"}
)
PYGMENTS_CLASSES = frozenset(c for c in STANDARD_TYPES.values() if c)

MESSAGE_TAGS = frozenset({
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol",
    "p", "pre", "strong", "ul",
})
DOCS_TAGS = MESSAGE_TAGS | {
    "abbr", "caption", "dd", "del", "details", "div", "dl", "dt", "img", "ins", "kbd", "mark", "s", "span",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
}
MESSAGE_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
DOCS_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
DOCS_CLASSES: dict[str, set[str]] = {
    "div": {"codehilite", "admonition", "toc", *ADMONITION_KINDS},
    "p": {"admonition-title"},
    "span": set(PYGMENTS_CLASSES),
    "a": {"headerlink"},
}
# Tags removed together with everything inside them.
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "textarea",
                               "select", "svg", "math"})


def _has_scheme_or_host(url: str) -> bool:
    stripped = url.strip()
    return stripped.startswith(("//", "\\\\")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", stripped) is not None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second-level checks nh3's allow-lists cannot express; must never raise."""
    if attribute == "id":
        usable = ID_PATTERN.match(value) and value not in RESERVED_IDS and not value.startswith(RESERVED_ID_PREFIX)
        return value if usable else None
    if tag == "img" and attribute == "src":
        return None if _has_scheme_or_host(value) else value
    if attribute in ("width", "height", "colspan", "rowspan", "start"):
        return value if NUMBER_PATTERN.match(value) else None
    if attribute == "align":
        return value if value in ("left", "right", "center") else None
    return value


def _clean_once(html: str, profile: Profile) -> str:
    docs = profile == "docs"
    return nh3.clean(
        html,
        tags=set(DOCS_TAGS if docs else MESSAGE_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in (DOCS_ATTRIBUTES if docs else MESSAGE_ATTRIBUTES).items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        allowed_classes={k: set(v) for k, v in DOCS_CLASSES.items()} if docs else None,
        strip_comments=True,
    )


def sanitise_html(html: str, *, profile: Profile = "message") -> Markup:
    """Clean HTML with the profile's allow-lists; the result is safe to put in a page."""
    # One pass can leave markup that parses differently the next time (a heading nested in a heading, say);
    # clean until the output is a fixed point, so what we store is exactly what a browser will build.
    cleaned = _clean_once(html, profile)
    for _ in range(3):
        again = _clean_once(cleaned, profile)
        if again == cleaned:
            break
        cleaned = again
    return Markup(cleaned)  # noqa: S704  (the one place: nh3 output only)


class _ImagesToLinks(Treeprocessor):
    """Message profile: show an image as a link to its address instead of loading it."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                link = etree.Element("a", {"href": child.get("src", "")})
                link.text = child.get("alt") or child.get("src", "") or "image"
                link.tail = child.tail
                parent.remove(child)
                parent.insert(index, link)


class _RewriteMarkdownLinks(Treeprocessor):
    """Docs profile: `other-page.md#part` links (as on GitHub) point at the rendered page."""

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            if href and not _has_scheme_or_host(href):
                link.set("href", re.sub(r"\.md(?=$|#)", "", href, count=1))


class _PortalExtension(Extension):
    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802  (Python-Markdown's name)
        if self.profile == "message":
            # Raw HTML in a message is text, not markup.
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(_ImagesToLinks(md), "portal_images_to_links", 1)
        else:
            md.treeprocessors.register(_RewriteMarkdownLinks(md), "portal_md_links", 1)


def heading_slug(value: str, separator: str) -> str:
    """Heading anchors: readable, lower case, never one of the page's own ids."""
    slug = slugify_unicode(value, separator) or "section"
    if not slug[0].isalnum():
        slug = "s" + slug
    reserved = slug in RESERVED_IDS or slug.startswith(RESERVED_ID_PREFIX)
    return f"s-{slug}" if reserved else slug


_CONVERTERS = threading.local()


def _converter(profile: Profile) -> markdown.Markdown:
    """A converter for the profile, built once per thread and reset before each use (building one takes ms)."""
    cache: dict[str, markdown.Markdown] = _CONVERTERS.__dict__.setdefault("by_profile", {})
    converter = cache.get(profile)
    if converter is None:
        converter = cache[profile] = _build_converter(profile)
    converter.reset()
    return converter


def _build_converter(profile: Profile) -> markdown.Markdown:
    if profile == "docs":
        return markdown.Markdown(
            extensions=["tables", "fenced_code", "codehilite", "toc", "admonition", "sane_lists",
                        _PortalExtension("docs")],
            extension_configs={
                "codehilite": {"guess_lang": False, "css_class": "codehilite"},
                "toc": {"permalink": True, "permalink_title": "Link to this section", "slugify": heading_slug,
                        "toc_depth": "2-4"},
                "tables": {"use_align_attribute": True},
            },
            output_format="html",
        )
    return markdown.Markdown(extensions=["fenced_code", "sane_lists", "nl2br", _PortalExtension("message")],
                             output_format="html")


def render_markdown(text: str, *, profile: Profile = "message") -> Markup:
    """Markdown to sanitised HTML for the given profile (messages: remembered, as they are shown again and again)."""
    if profile == "message" and len(text or "") <= MESSAGE_CACHE_MAX_CHARS:
        return _message_html(text or "")
    return render_markdown_with_toc(text, profile=profile)[0]


MESSAGE_CACHE_MAX_CHARS = 20_000


@functools.lru_cache(maxsize=4096)
def _message_html(text: str) -> Markup:
    return render_markdown_with_toc(text, profile="message")[0]


def render_markdown_with_toc(text: str, *, profile: Profile = "docs") -> tuple[Markup, list[dict[str, object]]]:
    """Markdown to sanitised HTML, plus the heading tree (docs profile; empty for messages)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown Markdown profile {profile!r}; use one of {', '.join(PROFILES)}")
    converter = _converter(profile)
    html = converter.convert(text or "")
    tokens = list(getattr(converter, "toc_tokens", []))
    return sanitise_html(html, profile=profile), tokens
