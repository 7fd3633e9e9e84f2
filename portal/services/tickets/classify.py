"""Recognising DataCite's own error messages in what members paste."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recognised:
    key: str
    title: str
    explanation: str
    fix: str
    article: str


def recognise(text: str) -> Recognised | None:
    """The DataCite failure a pasted error text shows, if the error catalogue knows it."""
    if not text.strip():
        return None
    try:
        from portal.datacite.errors import classify_text
    except ImportError:  # the error catalogue is not installed in this build
        return None
    mode = classify_text(text)
    if mode is None:
        return None
    return Recognised(key=mode.key, title=getattr(mode, "title", "") or mode.key,
                      explanation=mode.explanation, fix=mode.fix, article=mode.article)
