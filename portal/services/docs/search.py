"""Full-text search over the pages, in memory: titles, error texts and headings weigh more than body text.

Tokens are lower-cased words with a light stemming (plurals, -ing, -ed), plus whole DOIs. Quoted
strings in a query must appear as written; a page whose DataCite error phrase appears in the query
(someone pasted the error) gets a large bonus, so the matching troubleshooting article comes first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import escape

from portal.services.docs.library import Page, Snapshot, can_read

FIELD_WEIGHTS = {"title": 8.0, "error_text": 6.0, "headings": 4.0, "keywords": 4.0, "summary": 3.0, "body": 1.0}
ERROR_PHRASE_BONUS = 60.0
PHRASE_FRAGMENT_BONUS = 40.0
MAX_QUERY_CHARS = 4000
SATURATION = 1.2
STOPWORDS = frozenset(
    "a an and are as at be been by for from has have i in into is it its me my of on or our so than that the "
    "their then there these this those to was we were what when which who will with you your".split()
)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+")
QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
JSON_LIKE = re.compile(r"[{\[]\s*\"|\"\s*:")
SNIPPET_CHARS = 220

Snippet = tuple[tuple[str, bool], ...]


def stem(word: str) -> str:
    """A light English stemmer: enough to match "credential" with "credentials" and "retrying" with "retry"."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement, minimum in (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5),
                                         ("es", "", 6), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= minimum and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)] + replacement
    return word


def tokenize(text: str) -> list[str]:
    """Search tokens of a text: stemmed words without stop words, and whole DOIs."""
    lowered = text.lower()
    words = [stem(w) for w in WORD.findall(lowered) if w not in STOPWORDS]
    return words + [d.rstrip(".,;:)]") for d in DOI.findall(lowered)]


def normalise(text: str) -> str:
    """Lower case with single spaces, for phrase comparisons."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Query:
    """A parsed query: stemmed terms, required phrases, and the whole text normalised."""

    terms: tuple[str, ...]
    phrases: tuple[str, ...]
    text: str

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases


def parse_query(raw: str, *, phrases: bool = True) -> Query:
    """Terms, quoted phrases and the whole normalised text of what someone typed or pasted.

    Quotes inside pasted JSON (``{"title":"..."}``) are not phrases; nor are any quotes when
    ``phrases`` is false (suggestions read error texts, not search syntax).
    """
    raw = raw[:MAX_QUERY_CHARS]
    quoted = QUOTED.findall(raw) if phrases and not JSON_LIKE.search(raw) else []
    required = tuple(normalise(a or b) for a, b in quoted if normalise(a or b))
    terms = tuple(dict.fromkeys(tokenize(raw)))
    return Query(terms=terms, phrases=required, text=normalise(raw.replace("\"", " ")).strip(" .,;:"))


@dataclass(frozen=True)
class SearchHit:
    """One search result; ``snippet`` is plain text split into (text, is_match) parts."""

    slug: str
    title: str
    summary: str
    section: str
    score: float
    snippet: Snippet
    error_match: bool = False


@dataclass(frozen=True)
class _Entry:
    page: Page
    counts: dict[str, Counter[str]]
    texts: dict[str, str]
    body: str
    error_phrases: tuple[str, ...]


class SearchIndex:
    """The pages of one snapshot, tokenised by field."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.entries: list[_Entry] = []
        for page in snapshot.ordered():
            rendered = snapshot.render(page)
            fields = {
                "title": page.title,
                "error_text": "\n".join(page.meta.error_text),
                "headings": "\n".join(rendered.headings),
                "keywords": ", ".join(page.meta.keywords),
                "summary": page.summary,
                "body": rendered.text,
            }
            self.entries.append(_Entry(
                page=page,
                counts={name: Counter(tokenize(value)) for name, value in fields.items()},
                texts={name: normalise(value) for name, value in fields.items()},
                body=rendered.text,
                error_phrases=tuple(normalise(p).strip(" .") for p in page.meta.error_text if p.strip(" .")),
            ))
        documents = Counter(t for e in self.entries for t in set().union(*(c.keys() for c in e.counts.values())))
        total = max(1, len(self.entries))
        self.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in documents.items()}

    def score(self, entry: _Entry, query: Query, *, coverage: bool = True) -> tuple[float, bool]:
        """The relevance of one page and whether one of its DataCite error phrases matched."""
        for phrase in query.phrases:
            if not any(phrase in text for text in entry.texts.values()):
                return 0.0, False
        total, matched = 0.0, 0
        for term in query.terms:
            term_score = 0.0
            for name, weight in FIELD_WEIGHTS.items():
                tf = entry.counts[name].get(term, 0)
                if tf:
                    term_score += weight * tf * (SATURATION + 1) / (tf + SATURATION)
            if term_score:
                matched += 1
                total += term_score * self.idf.get(term, 0.0)
        if coverage and query.terms:
            total *= 0.25 + 0.75 * (matched / len(query.terms)) ** 2
        for phrase in query.phrases:
            total += 5 * max(FIELD_WEIGHTS[n] for n, text in entry.texts.items() if phrase in text)
        if len(query.terms) >= 2:
            total += sum(3 * FIELD_WEIGHTS[n] for n, text in entry.texts.items() if query.text in text)
        error_match = False
        for phrase in entry.error_phrases:
            if phrase and phrase in query.text:
                total += ERROR_PHRASE_BONUS
                error_match = True
            elif len(query.terms) >= 3 and query.text in phrase:
                total += PHRASE_FRAGMENT_BONUS
                error_match = True
        return total, error_match

    def search(self, raw: str, *, role: str, limit: int = 20, coverage: bool = True) -> list[SearchHit]:
        """Pages the role may read, best first, each with a highlighted snippet."""
        query = parse_query(raw)
        if query.empty:
            return []
        hits: list[SearchHit] = []
        for entry in self.entries:
            if not can_read(entry.page.audience, role):
                continue
            score, error_match = self.score(entry, query, coverage=coverage)
            if score > 0:
                page = entry.page
                hits.append(SearchHit(page.slug, page.title, page.summary, page.meta.section, round(score, 3),
                                      make_snippet(entry.body, query, fallback=page.summary), error_match))
        hits.sort(key=lambda h: (-h.score, h.title))
        return hits[:limit]


def search_index(snapshot: Snapshot) -> SearchIndex:
    """The index of a snapshot, built once per snapshot."""
    index = snapshot.cache.get("search")
    if index is None:
        index = snapshot.cache["search"] = SearchIndex(snapshot)
    return index  # type: ignore[no-any-return]


def search_pages(snapshot: Snapshot, query: str, *, role: str, limit: int = 20) -> list[SearchHit]:
    """Full-text search over the pages ``role`` may read."""
    return search_index(snapshot).search(query, role=role, limit=limit)


def make_snippet(text: str, query: Query, *, fallback: str = "") -> Snippet:
    """A short passage around the best match, split into (text, is_match) segments."""
    terms = set(query.terms)
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if stem(m.group().lower()) in terms]
    lowered = text.lower()
    phrase_spans = []
    for phrase in (*query.phrases, *((query.text,) if len(query.terms) >= 2 else ())):
        position = lowered.find(phrase) if phrase else -1
        if position >= 0:
            phrase_spans.append((position, position + len(phrase)))
    spans += phrase_spans
    if not spans:
        return ((fallback or text[:SNIPPET_CHARS], False),)
    spans.sort()
    best, best_terms = spans[0][0], -1
    for start, _end in spans:
        inside = {lowered[s:e] for s, e in spans if start <= s < start + SNIPPET_CHARS}
        if len(inside) > best_terms:
            best, best_terms = start, len(inside)
    if phrase_spans:
        best = min(phrase_spans)[0]
    begin = max(0, text.rfind(" ", 0, max(0, best - 40)) + 1) if best > 40 else 0
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        end = max(text.rfind(" ", begin, end), best + 1)
    segments: list[tuple[str, bool]] = [("…", False)] if begin > 0 else []
    cursor = begin
    for start, stop in _merge(s for s in spans if s[0] >= begin and s[1] <= end):
        if start > cursor:
            segments.append((text[cursor:start], False))
        segments.append((text[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append((text[cursor:end], False))
    if end < len(text):
        segments.append(("…", False))
    return tuple((" ".join(part.split("\n")), hit) for part, hit in segments)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def snippet_html(snippet: Snippet) -> str:
    """A snippet as HTML text: every part escaped, matches wrapped in <mark>."""
    return "".join(f"<mark>{escape(part)}</mark>" if hit else str(escape(part)) for part, hit in snippet)
