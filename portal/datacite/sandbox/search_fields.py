"""How ``query=`` fields and terms become SQL over the sandbox's dois table (and its full-text index)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal.datacite.sandbox.metadata import METADATA_KEYS
from portal.datacite.sandbox.resource_types import from_facet_id

DATE_FORMATS = "strict_date_optional_time||epoch_millis"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                   r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
# Ranges are one item: their bounds may hold colons (times), as in updated:[2026-01-01T00:00:00Z TO *].
TEXT_FIELDS = {
    "titles.title": "title_text", "title": "title_text", "creators.name": "creator_text", "creator_names": "creator_text",
    "creators.familyName": "creator_text", "creators.givenName": "creator_text", "publisher": "publisher",
    "publisher.name": "publisher", "types.resourceType": "resource_type", "subjects.subject": "subject",
}
EXACT_FIELDS = {
    "doi": ("doi", str.lower), "uid": ("doi", str.lower), "id": ("doi", str.lower), "prefix": ("prefix", str.lower),
    "client_id": ("client_id", str.upper), "client.uid": ("client_id", str.upper), "provider_id": ("provider_id", str.upper),
    "state": ("state", str.lower), "aasm_state": ("state", str.lower), "schemaVersion": ("schema_version", str),
    "schema_version": ("schema_version", str), "url": ("url", str), "source": ("source", str),
    "rightsList.rightsIdentifier": ("license", str.lower), "license": ("license", str.lower),
}
_CASED_COLUMNS = ("doi", "prefix", "client_id", "provider_id", "state", "license")
NUMBER_FIELDS = {"publicationYear": "publication_year", "publication_year": "publication_year",
                 "citationCount": "citation_count", "viewCount": "view_count", "downloadCount": "download_count"}
DATE_FIELDS = {"created": "created_ms", "updated": "updated_ms", "registered": "registered_ms"}
# Seeded DOIs keep shared metadata in templates; nested-field queries look there too.
_TEMPLATE_MATCH = "template_id IN (SELECT id FROM templates WHERE lower(body) LIKE ? ESCAPE '\\')"
TYPE_FIELDS = ("types.resourceTypeGeneral", "resourceTypeGeneral", "resource_type_id")


class SearchError(ValueError):
    """A query the search backend rejects; DataCite answers 400 with ``{"errors": {"title": ...}}``."""


@dataclass
class Clause:
    """A SQL condition and its bound parameters."""

    sql: str
    params: list[Any]


def _like(value: str, *, contains: bool) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%").replace("?", "_")
    return f"%{escaped}%" if contains else escaped


def _fts_phrase(value: str) -> str | None:
    """An FTS5 phrase for a term (a trailing * makes it a prefix query); None when FTS cannot express it."""
    text = value.lower().strip()
    star = text.endswith("*")
    text = text.rstrip("*")
    if not re.search(r"\w", text) or "*" in text or "?" in text:
        return None
    return '"' + text.replace('"', '""') + '"' + (" *" if star else "")


def _words(column: str | None, value: str) -> Clause | None:
    """Word matching through the dois_text full-text index (like the search backend's analysed fields)."""
    phrase = _fts_phrase(value)
    if phrase is None:
        return None
    target = f"{column} : {phrase}" if column else phrase
    return Clause("id IN (SELECT rowid FROM dois_text WHERE dois_text MATCH ?)", [target])


def free_text(text: str) -> Clause:
    """A term without a field: words in titles and creator names, or the DOI itself."""
    if text in ("*", ""):
        return Clause("1", [])
    found = _words(None, text)
    if found is not None:
        return Clause(f"{found.sql} OR doi = ?", [*found.params, text.lower()])
    pattern = _like(text.lower(), contains=True)
    return Clause("title_text LIKE ? ESCAPE '\\' OR creator_text LIKE ? ESCAPE '\\' OR doi LIKE ? ESCAPE '\\'",
                   [pattern, pattern, pattern])


def field_match(field: str, value: str) -> Clause:
    """``field:value`` for the fields the sandbox knows; unknown fields match nothing, as in the index."""
    if value == "*":
        return _exists(field)
    wildcard = "*" in value or "?" in value
    if field in EXACT_FIELDS:
        column, transform = EXACT_FIELDS[field]
        if wildcard and column in _CASED_COLUMNS:
            # Stored in one case: a trailing * becomes an index range, other wildcards a case-sensitive GLOB.
            stem = transform(value)[:-1]
            if value.endswith("*") and "*" not in stem and "?" not in stem:
                return Clause(f"{column} >= ? AND {column} < ?", [stem, stem + "\U0010ffff"])
            return Clause(f"{column} GLOB ?", [transform(value).replace("[", "[[]")])
        if wildcard:
            return Clause(f"lower({column}) LIKE ? ESCAPE '\\'", [_like(value.lower(), contains=False)])
        return Clause(f"{column} = ?", [transform(value)])
    if field in TEXT_FIELDS:
        column = TEXT_FIELDS[field]
        found = _words(column, value) if column in ("title_text", "creator_text") else None
        return found or Clause(f"lower({column}) LIKE ? ESCAPE '\\'", [_like(value.lower(), contains=True)])
    if field in TYPE_FIELDS:
        general = from_facet_id(value) if "-" in value or value.islower() else value
        return Clause("lower(resource_type_general) = ?", [general.lower()])
    if field in NUMBER_FIELDS:
        return field_range(field, value, value, True, True)
    if field in DATE_FIELDS:
        return field_range(field, value, value, True, True)
    if field.split(".", 1)[0] in METADATA_KEYS:
        pattern = _like(value.lower(), contains=True)
        return Clause(f"lower(metadata) LIKE ? ESCAPE '\\' OR {_TEMPLATE_MATCH}", [pattern, pattern])
    return Clause("0", [])


def _exists(field: str) -> Clause:
    column = (EXACT_FIELDS.get(field, (None,))[0] or TEXT_FIELDS.get(field) or NUMBER_FIELDS.get(field)
              or DATE_FIELDS.get(field))
    if column:
        return Clause(f"{column} IS NOT NULL AND {column} != ''", [])
    if field.split(".", 1)[0] in METADATA_KEYS:
        pattern = f'%"{field.rsplit(".", 1)[-1]}"%'
        return Clause(f"metadata LIKE ? OR {_TEMPLATE_MATCH}", [pattern, pattern])
    return Clause("0", [])


def field_range(field: str, low: str, high: str, low_inclusive: bool, high_inclusive: bool) -> Clause:
    """A range on a date or number field (``*`` leaves a side open)."""
    if field in DATE_FIELDS:
        column = DATE_FIELDS[field]
        bounds = (parse_date_bound(low), parse_date_bound(high))
        # A date given to the day (or month, year) covers the whole period: upper bounds round up.
        low_value = None if bounds[0] is None else bounds[0][0 if low_inclusive else 1]
        high_value = None if bounds[1] is None else bounds[1][1 if high_inclusive else 0]
        parts, params = [], []
        if low_value is not None:
            parts.append(f"{column} >= ?")
            params.append(low_value)
        if high_value is not None:
            parts.append(f"{column} < ?")
            params.append(high_value)
        return Clause(" AND ".join(parts) or f"{column} IS NOT NULL", params)
    column = NUMBER_FIELDS.get(field)
    if column is None:
        column, _ = EXACT_FIELDS.get(field, (None, None))
    if column is None:
        return Clause("0", [])
    parts, params = [], []
    for value, operator in ((low, ">=" if low_inclusive else ">"), (high, "<=" if high_inclusive else "<")):
        if value != "*":
            parts.append(f"{column} {operator} ?")
            params.append(_number(value, field) if field in NUMBER_FIELDS else value)
    return Clause(" AND ".join(parts) or "1", params)


def _number(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SearchError(f"number_format_exception: For input string: \"{value}\" (field [{field}])") from None


def parse_date_bound(value: str) -> tuple[int, int] | None:
    """(start, end) epoch ms of the period a date names (``2020`` is the whole year); None for ``*``."""
    if value == "*":
        return None
    if value.lower() == "now":
        now = int(datetime.now(UTC).timestamp() * 1000)
        return now, now + 1
    if re.fullmatch(r"\d{9,}", value):
        return int(value), int(value) + 1
    match = _DATE.match(value)
    if not match:
        raise SearchError(f"parse_exception: failed to parse date field [{value}] with format [{DATE_FORMATS}]: "
                          f"[failed to parse date field [{value}] with format [{DATE_FORMATS}]]")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        start = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0),
                         tzinfo=UTC)
    except ValueError:
        raise SearchError(f"parse_exception: failed to parse date field [{value}] with format [{DATE_FORMATS}]") from None
    start_ms = calendar.timegm(start.timetuple()) * 1000 + int((fraction or "0")[:3].ljust(3, "0"))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        start_ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    if month is None:
        end = datetime(int(year) + 1, 1, 1, tzinfo=UTC)
        return start_ms, calendar.timegm(end.timetuple()) * 1000
    if day is None:
        end = datetime(int(year) + (int(month) == 12), int(month) % 12 + 1, 1, tzinfo=UTC)
        return start_ms, calendar.timegm(end.timetuple()) * 1000
    if hour is None:
        return start_ms, start_ms + 86_400_000
    return start_ms, start_ms + (1 if second else 60_000)
