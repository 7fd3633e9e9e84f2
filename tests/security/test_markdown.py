"""C14: Markdown is rendered then sanitised; hostile input is neutralised, whatever the profile."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup

from portal.markdown import (
    DOCS_ATTRIBUTES,
    DOCS_CLASSES,
    DOCS_TAGS,
    LINK_REL,
    MESSAGE_ATTRIBUTES,
    MESSAGE_TAGS,
    PROFILES,
    render_markdown,
    render_markdown_with_toc,
    sanitise_html,
)

ROOT = Path(__file__).resolve().parents[2]
SAFE_SCHEMES = {"http", "https", "mailto"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def elements(output: str) -> list[tuple[str, dict[str, str]]]:
    collector = Collector()
    collector.feed(output)
    collector.close()
    return collector.elements


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, then the WHATWG URL parser's clean-up
    (leading and trailing controls and spaces dropped, tabs and newlines removed anywhere)."""
    cleaned = re.sub(r"[\t\n\r]", "", html.unescape(url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b"
                                                             "\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
                                                             "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \t\n\r"))
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def assert_safe(output: str, profile: str) -> None:
    """Only allow-listed tags, attributes, classes and URL schemes; every link carries the rel."""
    tags = DOCS_TAGS if profile == "docs" else MESSAGE_TAGS
    attributes = DOCS_ATTRIBUTES if profile == "docs" else MESSAGE_ATTRIBUTES
    for tag, attrs in elements(output):
        assert tag in tags, (tag, output)
        for name, value in attrs.items():
            if name == "rel":
                assert tag == "a" and value == LINK_REL, output
            elif name == "class":
                assert profile == "docs", output
                assert set(value.split()) <= DOCS_CLASSES.get(tag, set()), (tag, value)
            else:
                assert name in attributes.get(tag, set()), (tag, name, output)
            if name in ("href", "src"):
                scheme = scheme_of(value)
                assert scheme is None or scheme in SAFE_SCHEMES, (value, output)
            if name == "src":
                assert scheme_of(value) is None and not value.startswith("//"), "images must be relative"
        if tag == "a":
            assert attrs.get("rel") == LINK_REL, output


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "Hello <script>document.cookie</script> world",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "attribute-breakout": '<a href="/x" onclick="alert(1)">x</a>',
    "javascript-link": "[click](javascript:alert(1))",
    "mixed-case-scheme": "[click](JaVaScRiPt:alert(1))",
    "whitespace-scheme": "[click]( javascript:alert(1))",
    "tab-in-scheme": "[click](java\tscript:alert(1))",
    "entity-scheme": "[click](&#106;avascript:alert(1))",
    "hex-entity-scheme": "[click](&#x6A;&#x61;vascript:alert(1))",
    "entity-in-raw-html": '<a href="&#x6a;avascript:alert(1)">x</a>',
    "entity-tab-in-raw-html": '<a href="java&#9;script:alert(1)">x</a>',
    "newline-in-raw-html": '<a href="java\nscript:alert(1)">x</a>',
    "leading-control-char": '<a href="&#1;javascript:alert(1)">x</a>',
    "named-entity-colon": "[click](javascript&colon;alert(1))",
    "autolink-javascript": "<javascript:alert(1)>",
    "autolink-data": "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "data-url-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-url-image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "vbscript": "[x](vbscript:msgbox(1))",
    "svg-onload": "<svg onload=alert(1)><circle r=1></circle></svg>",
    "svg-in-markdown-image": '![x](https://evil.example/x.svg "t")',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object-embed": '<object data="x.swf"></object><embed src="x.swf">',
    "style-tag": "<style>body { background: url(javascript:alert(1)) }</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "form": '<form action="https://evil.example"><input name=a><button>go</button></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-tag": '<base href="https://evil.example/">',
    "reference-link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "reference-link-title": '[x][evil]\n\n[evil]: https://ok.example "a\\" onmouseover=\\"alert(1)"',
    "reference-image": "![x][evil]\n\n[evil]: javascript:alert(1)",
    "nested-tricks": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "unclosed-attribute": '<a href="https://ok.example" title="x><img src=x onerror=alert(1)>">y</a>',
    "comment": "<!-- <script>alert(1)</script> -->text",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "link-in-link": "[<a href='javascript:alert(1)'>x</a>](https://ok.example)",
    "heading-id-clobber": '<h2 id="main">x</h2>\n\n## main',
    "id-attribute": '<div id="location" name="x">x</div>',
    "code-fence": "```html\n<script>alert(1)</script>\n```",
    "inline-code": "`<img src=x onerror=alert(1)>`",
    "math-mathml": "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "admonition-html": '!!! note "<img src=x onerror=alert(1)>"\n    body',
    "table-html": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "protocol-relative-image": "![x](//evil.example/pixel.png)",
    "remote-image": "![tracker](https://evil.example/pixel.png)",
}

SCRIPT_CONTENT = re.compile(r"<\s*script", re.I)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_neutralised(name: str, profile: str) -> None:
    output = str(render_markdown(PAYLOADS[name], profile=profile))
    assert_safe(output, profile)
    assert not SCRIPT_CONTENT.search(output)
    for tag, attrs in elements(output):
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert tag not in ("script", "style", "iframe", "object", "embed", "svg", "form", "input", "meta", "base")
    assert str(sanitise_html(output, profile=profile)) == output  # sanitising twice changes nothing


def test_docs_profile_drops_dangerous_elements_with_their_content() -> None:
    output = str(render_markdown("<script>alert(1)</script><style>p{}</style><iframe>x</iframe>ok",
                                 profile="docs"))
    assert "alert" not in output and "p{}" not in output
    assert "ok" in output


def test_message_profile_shows_raw_html_as_text() -> None:
    output = str(render_markdown("Hi <b>there</b> <script>alert(1)</script>"))
    assert "&lt;b&gt;there&lt;/b&gt;" in output
    assert "&lt;script&gt;" in output
    assert "<b>" not in output


def test_message_profile_turns_images_into_links() -> None:
    output = str(render_markdown("![a chart](https://files.example/chart.png)"))
    assert "<img" not in output
    assert '<a href="https://files.example/chart.png" rel="noopener noreferrer nofollow">a chart</a>' in output


def test_docs_profile_keeps_relative_images_only() -> None:
    output = str(render_markdown("![a](../images/a.png) ![b](https://cdn.example/b.png)", profile="docs"))
    assert '<img alt="a" src="../images/a.png">' in output
    assert "cdn.example" not in output


def test_links_keep_safe_schemes_and_carry_rel() -> None:
    output = str(render_markdown("[a](https://a.example) [b](mailto:b@example.org) [c](/docs/x) [d](ftp://x.example)"))
    hrefs = [attrs.get("href") for tag, attrs in elements(output) if tag == "a"]
    assert hrefs == ["https://a.example", "mailto:b@example.org", "/docs/x", None]
    assert output.count(f'rel="{LINK_REL}"') == 4


def test_docs_features_survive_sanitising() -> None:
    source = ("## Errors & fixes\n\n!!! warning \"Careful\"\n    Text\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
              "```json\n{\"a\": 1}\n```\n\n[other](other.md#part)\n")
    output, toc = render_markdown_with_toc(source, profile="docs")
    text = str(output)
    assert '<h2 id="errors-fixes">' in text and 'class="headerlink"' in text
    assert '<div class="admonition warning">' in text and '<p class="admonition-title">Careful</p>' in text
    assert '<th align="left">' in text and '<td align="right">' in text
    assert '<div class="codehilite">' in text and '<span class="nt">' in text
    assert 'href="other#part"' in text  # .md links point at the rendered page
    assert toc[0]["id"] == "errors-fixes"


def test_heading_ids_never_take_over_the_page_ids() -> None:
    output = str(render_markdown("## Main\n\n## Portal doc title\n\n<h3 id=\"portal-x\">x</h3>", profile="docs"))
    ids = [attrs["id"] for _tag, attrs in elements(output) if "id" in attrs]
    assert ids == ["s-main", "s-portal-doc-title"]


def test_render_returns_markup_and_rejects_unknown_profiles() -> None:
    assert isinstance(render_markdown("x"), Markup)
    with pytest.raises(ValueError, match="unknown Markdown profile"):
        render_markdown("x", profile="email")  # type: ignore[arg-type]


FRAGMENTS = list(PAYLOADS.values()) + [
    "*", "_", "`", "[", "]", "(", ")", "<", ">", "&", "#", "!", "|", "\n", "\n\n", "    ", "```", "---", "> ",
    "- ", "1. ", "http://x.example", "javascript:", "&#0000106", "&colon;", "\"", "'", "=", "<a href=", "<img ",
    "onerror=", "## heading", "!!! note", "[TOC]", "\x00", "\u2028", "é",
]
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=30).map("".join)


@pytest.mark.parametrize("profile", PROFILES)
@given(text=st.one_of(st.text(), markdownish))
@example(text="#<A><H1>")  # a heading nested in a heading: one nh3 pass was not a fixed point
def test_arbitrary_text_is_always_safe(profile: str, text: str) -> None:
    output = str(render_markdown(text, profile=profile))
    assert_safe(output, profile)
    assert str(sanitise_html(output, profile=profile)) == output


def _source_files() -> list[Path]:
    files = sorted((ROOT / "portal").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.html"))
    return files + [ROOT / "wsgi.py"]


UNSAFE_MARKERS = re.compile(r"\|\s*safe\b|\bMarkup\s*\(|autoescape\s+false|\.unescape\(\)\s*\||\|\s*unescape")


# The only places allowed to mark HTML as safe, each for a reason a reviewer can check:
SANCTIONED_SINKS = {
    ROOT / "portal" / "markdown.py": "the Markdown sanitiser (nh3 on the output)",
    ROOT / "portal" / "web" / "charts" / "svg.py": "SVG serialised by ElementTree, which escapes every text and attribute",
    ROOT / "portal" / "services" / "search" / "highlight.py": "the search highlighter: every piece of text escaped, "
                                                              "only <mark> added",
    ROOT / "portal" / "web" / "fields.py": "select options: value and label escaped (tests/web/test_fields.py)",
    ROOT / "portal" / "web" / "snippets.py": "list pieces: every value escaped, same HTML as the macros they replace "
                                             "(tests/web/test_snippets.py)",
}


def test_no_markup_outside_the_sanitiser() -> None:
    """Only the sanctioned sinks may mark text as safe HTML; templates never use |safe."""
    found = []
    for path in _source_files():
        if path in SANCTIONED_SINKS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if UNSAFE_MARKERS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "HTML marked safe outside the sanctioned sinks:\n" + "\n".join(found)


def test_the_grep_would_catch_a_violation(tmp_path: Path) -> None:
    samples = ["{{ body|safe }}", "{{ body | safe }}", "Markup(text)", "markupsafe.Markup (x)",
               "{% autoescape false %}"]
    assert all(UNSAFE_MARKERS.search(s) for s in samples)
    assert not UNSAFE_MARKERS.search("{{ page.html }}")


def test_message_html_is_remembered_and_the_same():
    from portal.markdown import _message_html, render_markdown, render_markdown_with_toc

    text = "Hello **there** <script>alert(1)</script> 10.5438/abc"
    before = _message_html.cache_info().hits
    first, second = render_markdown(text), render_markdown(text)
    assert first == second == render_markdown_with_toc(text, profile="message")[0]
    assert "<script" not in first and "<strong>there</strong>" in first
    assert _message_html.cache_info().hits == before + 1
    docs_hits = _message_html.cache_info().hits
    render_markdown("# Docs page", profile="docs")  # documentation pages are not kept here
    assert _message_html.cache_info().hits == docs_hits
