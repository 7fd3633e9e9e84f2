"""Articles to suggest while someone describes a problem (the self-help half of filing a ticket)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from portal.services.docs.failure_modes import BY_KEY, keys_for_class
from portal.services.docs.library import DocLibrary, can_read
from portal.services.docs.registry import default_library
from portal.services.docs.search import MAX_QUERY_CHARS, parse_query, search_index

KNOWN_KEY_BONUS = 10_000.0
KNOWN_CLASS_BONUS = 1_000.0
MIN_TEXT_SCORE = 2.0


@dataclass(frozen=True)
class Suggestion:
    """An article to suggest, with why it was chosen (shown to the person)."""

    slug: str
    title: str
    summary: str
    score: float
    reason: str


def suggest_articles(
    subject: str,
    error_text: str,
    error_class: str | None = None,
    *,
    audience_role: str,
    limit: int = 3,
    failure_key: str | None = None,
    library: DocLibrary | None = None,
) -> list[Suggestion]:
    """The best articles for a problem; a known failure key's (or error class's) article comes first."""
    snapshot = (library or default_library()).snapshot()
    index = search_index(snapshot)
    query = parse_query(f"{subject}\n{error_text}"[:MAX_QUERY_CHARS], phrases=False)
    key_articles: dict[str, str] = {}
    if failure_key and failure_key in BY_KEY:
        key_articles[failure_key] = f"The article for the DataCite error {failure_key!r}."
    if error_class:
        for key in keys_for_class(error_class):
            key_articles.setdefault(key, f"Explains DataCite errors of the kind {error_class!r}.")
    slug_reason: dict[str, tuple[float, str]] = {}
    for key, reason in key_articles.items():
        page = snapshot.article_for(key)
        if page is not None:
            bonus = KNOWN_KEY_BONUS if key == failure_key else KNOWN_CLASS_BONUS
            slug_reason[page.slug] = (bonus, reason)
    suggestions: list[Suggestion] = []
    for entry in index.entries:
        page = entry.page
        if not can_read(page.audience, audience_role):
            continue
        text_score, error_match = index.score(entry, query, coverage=False) if not query.empty else (0.0, False)
        bonus, reason = slug_reason.get(page.slug, (0.0, ""))
        if not bonus and text_score < MIN_TEXT_SCORE:
            continue
        if not reason:
            reason = ("Your error text matches the error this article explains." if error_match
                      else _words_reason(entry.counts, query.terms))
        suggestions.append(Suggestion(page.slug, page.title, page.summary, round(bonus + text_score, 3), reason))
    suggestions.sort(key=lambda s: (-s.score, s.title))
    return suggestions[: max(0, limit)]


def _words_reason(counts: dict[str, Counter[str]], terms: tuple[str, ...]) -> str:
    found = [t for t in terms if any(t in c for c in counts.values())][:4]
    return "Mentions " + ", ".join(f"“{t}”" for t in found) + "." if found else "Related to what you wrote."
