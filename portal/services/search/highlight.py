"""A safe highlighter: the text is HTML-escaped and only our own <mark> elements are added."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.services.search.query import WORD, Query, fold

SNIPPET = 180
LEAD = 60


def _spans(text: str, query: Query) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if query.terms:
        wanted = set(query.terms)
        spans = [(m.start(), m.end()) for m in WORD.finditer(text) if fold(m.group()) in wanted]
    lowered = text.lower()
    for needle in query.needles:
        at = lowered.find(needle)
        while at >= 0:
            spans.append((at, at + len(needle)))
            at = lowered.find(needle, at + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _first_span(text: str, query: Query) -> tuple[int, int] | None:
    """The earliest match, found without scanning the rest of a long text."""
    first: tuple[int, int] | None = None
    if query.terms:
        wanted = set(query.terms)
        first = next(((m.start(), m.end()) for m in WORD.finditer(text) if fold(m.group()) in wanted), None)
    if query.needles:
        lowered = text.lower()
        for needle in query.needles:
            at = lowered.find(needle)
            if at >= 0 and (first is None or at < first[0]):
                first = (at, at + len(needle))
    return first


def mark(text: str, query: Query, spans: list[tuple[int, int]] | None = None) -> Markup:
    """The whole text, escaped, with each match in <mark>."""
    out, at = [], 0
    for start, end in spans if spans is not None else _spans(text, query):
        out.append(str(escape(text[at:start])) + "<mark>" + str(escape(text[start:end])) + "</mark>")
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))  # noqa: S704  (every piece of text above is escaped)


def snippet(text: str, query: Query) -> Markup | None:
    """An escaped excerpt around the first match, with matches marked; None when nothing matches."""
    first = _first_span(text, query)
    if first is None:
        return None
    start = max(0, first[0] - LEAD)
    if start:
        space = text.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET)
    if end < len(text):
        space = text.rfind(" ", first[1], end)
        end = space if space > 0 else end
    window = " ".join(text[start:end].split())
    body = mark(window, query)
    return Markup(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S704  (escaped by mark)
