"""Search queries made safe: a DOI, a prefix, a ticket number or plain words (never the engine's own syntax)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from portal.identifiers import normalise_doi

MAX_QUERY = 200
MAX_TERMS = 8
MAX_TERM = 60
WORD = re.compile(r"[^\W_]+")
PREFIX = re.compile(r"10\.\d{4,9}")


@dataclass(frozen=True)
class Query:
    """What a raw query means: kind is 'empty', 'number', 'doi', 'prefix' or 'words'."""

    kind: str
    number: int = 0
    doi: str = ""
    prefix: str = ""
    terms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def needles(self) -> tuple[str, ...]:
        """Literal strings the highlighter marks (DOI queries)."""
        if self.kind == "doi":
            return (self.doi,)
        if self.kind == "prefix":
            return (self.prefix + "/",)
        return ()


def fold(word: str) -> str:
    """Lower case without diacritics, as both engines' tokenizers compare words."""
    if word.isascii():  # the common case, and the highlighter folds every word of every excerpt
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_query(raw: str) -> Query:
    """Understand a query typed by anyone: bounded, and reduced to words when it is not a DOI or a number."""
    text = (raw or "")[:MAX_QUERY].replace("\x00", " ").strip()
    bare = text.lstrip("#")
    if bare.isdigit() and len(bare) < 10:
        return Query("number", number=int(bare))
    lowered = text.lower()
    for resolver in ("doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/"):
        if lowered.startswith(resolver):
            lowered = lowered[len(resolver):].strip()
            break
    doi = normalise_doi(lowered)
    if doi is not None:
        return Query("doi", doi=doi)
    if PREFIX.fullmatch(lowered.rstrip("/")):
        return Query("prefix", prefix=lowered.rstrip("/"))
    terms: list[str] = []
    for word in WORD.findall(text):
        term = fold(word)[:MAX_TERM]
        if term and term not in terms:
            terms.append(term)
    if not terms:
        return Query("empty")
    return Query("words", terms=tuple(terms[:MAX_TERMS]))


def fts5_expression(query: Query, *, columns: tuple[str, ...] | None = None) -> str:
    """An FTS5 MATCH expression: every term as a quoted phrase (terms hold only letters and digits)."""
    body = " AND ".join(f'"{term}"' for term in query.terms)
    if columns:
        return "{" + " ".join(columns) + "} : (" + body + ")"
    return body
