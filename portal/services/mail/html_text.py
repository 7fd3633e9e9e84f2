"""HTML mail reduced to safe plain text: no tags, scripts or styles survive; quotes keep their '>'."""

from __future__ import annotations

from html.parser import HTMLParser

BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr"}
SKIP = {"script", "style", "head", "title", "template", "noscript"}


class _Reducer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0
        self.quote = 0

    def _newline(self) -> None:
        if self.lines[-1].strip() or len(self.lines) == 1 or self.lines[-2].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skipping += 1
        elif tag == "blockquote" or (tag == "div" and "gmail_quote" in (dict(attrs).get("class") or "")):
            self._newline()
            self.quote += 1
        elif tag in BLOCK:
            self._newline()
        elif tag == "li":
            self.lines[-1] += "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag in BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = " ".join(data.split())
        if not text:
            return
        if not self.lines[-1] and self.quote:
            self.lines[-1] = "> " * self.quote
        sep = "" if not self.lines[-1] or self.lines[-1].endswith((" ", "> ")) else " "
        self.lines[-1] += sep + text


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: block elements become lines, blockquotes become '>' lines."""
    reducer = _Reducer()
    try:
        reducer.feed(html)
        reducer.close()
    except (AssertionError, ValueError):  # badly broken markup: keep what was read
        pass
    text = "\n".join(line.rstrip() for line in reducer.lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()
