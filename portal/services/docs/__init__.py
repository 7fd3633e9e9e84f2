"""The integration documentation: pages from the content folder, search, suggestions, publishing.

Flask-free. Web views reach the library of the configured folder through ``library_for`` (or
``default_library`` once the app factory has set the folder).
"""

from portal.services.docs.checks import check_library, page_problems, page_url
from portal.services.docs.deflection import (
    DeflectionStats,
    deflection_stats,
    new_interaction,
    record_suggestion_event,
)
from portal.services.docs.frontmatter import FrontMatter, FrontMatterError, Problem, parse_document
from portal.services.docs.library import DocLibrary, Page, Snapshot, can_read, is_stale
from portal.services.docs.registry import default_library, library_for, set_default_content_dir
from portal.services.docs.search import SearchHit, search_pages, snippet_html
from portal.services.docs.suggest import Suggestion, suggest_articles

__all__ = [
    "DeflectionStats",
    "DocLibrary",
    "FrontMatter",
    "FrontMatterError",
    "Page",
    "Problem",
    "SearchHit",
    "Snapshot",
    "Suggestion",
    "can_read",
    "check_library",
    "default_library",
    "deflection_stats",
    "is_stale",
    "library_for",
    "new_interaction",
    "page_problems",
    "page_url",
    "parse_document",
    "record_suggestion_event",
    "search_pages",
    "set_default_content_dir",
    "snippet_html",
    "suggest_articles",
]
