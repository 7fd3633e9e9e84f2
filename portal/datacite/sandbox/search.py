"""A subset of the Elasticsearch ``query_string`` syntax DataCite's ``query=`` accepts, translated to SQL.

Supported: field:value, "phrases", wildcards (* ?), ranges [a TO b] / {a TO b} / >= > <= <, AND OR NOT,
- and +, parentheses, and free text over titles, creator names and the DOI.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal.datacite.sandbox.metadata import METADATA_KEYS

DATE_FORMATS = "strict_date_optional_time||epoch_millis"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                   r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
# Ranges are one item: their bounds may hold colons (times), as in updated:[2026-01-01T00:00:00Z TO *].
_TOKEN = re.compile(r'\s+|[\[{][^\[\]{}]*[\]}]|"(?:[^"\\]|\\.)*"?|\(|\)|\[|\]|\{|\}|>=|<=|>|<|&&|\|\||(?:[^\s"()\[\]{}\\:]|\\.)+|:')
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
class _Clause:
    sql: str
    params: list[Any]


def parse_query(query: str) -> _Clause:
    """SQL (over the dois table) for a query string; SearchError for syntax DataCite's backend rejects."""
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(query) if not m.group().isspace()]
    parser = _Parser(query, tokens)
    clause = parser.expression()
    if parser.position < len(tokens):
        parser.fail()
    return clause


class _Parser:
    def __init__(self, query: str, tokens: list[tuple[str, int]]) -> None:
        self.query = query
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> str:
        item = self.peek()
        if item is None:
            self.fail()
        self.position += 1
        return item  # type: ignore[return-value]

    def fail(self) -> None:
        if self.position < len(self.tokens):
            found, column = self.tokens[self.position][0], self.tokens[self.position][1] + 1
        else:
            found, column = "<EOF>", len(self.query)
        raise SearchError(
            f"parse_exception: Cannot parse '{self.query}': Encountered \"{found}\" at line 1, column {column}.\n"
            "Was expecting one of:\n    <BAREOPER> ...\n    \"(\" ...\n    \"*\" ...\n    <QUOTED> ...\n    <TERM> ..."
        )

    def expression(self) -> _Clause:
        parts = [self.conjunction()]
        while self.peek() in ("OR", "||"):
            self.take()
            parts.append(self.conjunction())
        return _join(parts, " OR ")

    def conjunction(self) -> _Clause:
        parts = [self.negation()]
        while self.peek() not in (None, ")", "OR", "||"):
            if self.peek() in ("AND", "&&"):
                self.take()
            parts.append(self.negation())
        return _join(parts, " AND ")

    def negation(self) -> _Clause:
        item = self.peek()
        if item in ("NOT", "!"):
            self.take()
            inner = self.negation()
            return _Clause(f"NOT ({inner.sql})", inner.params)
        if item is not None and item.startswith("-") and len(item) > 1:
            self.tokens[self.position] = (item[1:], self.tokens[self.position][1] + 1)
            inner = self.primary()
            return _Clause(f"NOT ({inner.sql})", inner.params)
        if item is not None and item.startswith("+") and len(item) > 1:
            self.tokens[self.position] = (item[1:], self.tokens[self.position][1] + 1)
        return self.primary()

    def primary(self) -> _Clause:
        item = self.peek()
        if item is None or item in ("[", "{", ")", "]", "}", ":", "AND", "OR", "&&", "||"):
            self.fail()
        if item[0] in "[{":
            self.take()
            return _Clause("0", [])
        if item == "(":
            self.take()
            inner = self.expression()
            if self.peek() != ")":
                self.fail()
            self.take()
            return _Clause(f"({inner.sql})", inner.params)
        if self.position + 1 < len(self.tokens) and self.tokens[self.position + 1][0] == ":" and _is_field(item):
            field = self.take().replace("\\", "")
            self.take()
            return self.field_value(field)
        return _free_text(self.value_text())

    def value_text(self) -> str:
        item = self.take()
        if item.startswith('"'):
            if len(item) < 2 or not item.endswith('"'):
                self.position -= 1
                self.fail()
            return item[1:-1].replace('\\"', '"')
        if item in ("(", ")", "[", "]", "{", "}", ":"):
            self.position -= 1
            self.fail()
        return re.sub(r"\\(.)", r"\1", item)

    def field_value(self, field: str) -> _Clause:
        item = self.peek()
        if item is not None and item[0] in "[{" and len(item) > 1:
            bounds = item[1:-1].split()
            if len(bounds) != 3 or bounds[1] != "TO":
                self.fail()
            self.take()
            low, high = (b.strip('"') for b in (bounds[0], bounds[2]))
            return _range(field, low, high, item[0] == "[", item[-1] == "]")
        if item in (">=", ">", "<=", "<"):
            operator = self.take()
            value = self.value_text()
            if operator.startswith(">"):
                return _range(field, value, "*", operator == ">=", True)
            return _range(field, "*", value, True, operator == "<=")
        if item == "(":
            self.take()
            parts = []
            while self.peek() not in (")", None):
                if self.peek() in ("OR", "AND", "||", "&&"):
                    self.take()
                    continue
                parts.append(_field_match(field, self.value_text()))
            if self.peek() != ")":
                self.fail()
            self.take()
            return _join(parts, " OR ")
        return _field_match(field, self.value_text())


def _is_field(item: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", item.replace("\\", "")))


def _join(parts: list[_Clause], operator: str) -> _Clause:
    if len(parts) == 1:
        return parts[0]
    return _Clause(operator.join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])


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


def _words(column: str | None, value: str) -> _Clause | None:
    """Word matching through the dois_text full-text index (like the search backend's analysed fields)."""
    phrase = _fts_phrase(value)
    if phrase is None:
        return None
    target = f"{column} : {phrase}" if column else phrase
    return _Clause("id IN (SELECT rowid FROM dois_text WHERE dois_text MATCH ?)", [target])


def _free_text(text: str) -> _Clause:
    if text in ("*", ""):
        return _Clause("1", [])
    found = _words(None, text)
    if found is not None:
        return _Clause(f"{found.sql} OR doi = ?", [*found.params, text.lower()])
    pattern = _like(text.lower(), contains=True)
    return _Clause("title_text LIKE ? ESCAPE '\\' OR creator_text LIKE ? ESCAPE '\\' OR doi LIKE ? ESCAPE '\\'",
                   [pattern, pattern, pattern])


def _field_match(field: str, value: str) -> _Clause:
    if value == "*":
        return _exists(field)
    wildcard = "*" in value or "?" in value
    if field in EXACT_FIELDS:
        column, transform = EXACT_FIELDS[field]
        if wildcard and column in _CASED_COLUMNS:
            # Stored in one case: a trailing * becomes an index range, other wildcards a case-sensitive GLOB.
            stem = transform(value)[:-1]
            if value.endswith("*") and "*" not in stem and "?" not in stem:
                return _Clause(f"{column} >= ? AND {column} < ?", [stem, stem + "\U0010ffff"])
            return _Clause(f"{column} GLOB ?", [transform(value).replace("[", "[[]")])
        if wildcard:
            return _Clause(f"lower({column}) LIKE ? ESCAPE '\\'", [_like(value.lower(), contains=False)])
        return _Clause(f"{column} = ?", [transform(value)])
    if field in TEXT_FIELDS:
        column = TEXT_FIELDS[field]
        found = _words(column, value) if column in ("title_text", "creator_text") else None
        return found or _Clause(f"lower({column}) LIKE ? ESCAPE '\\'", [_like(value.lower(), contains=True)])
    if field in TYPE_FIELDS:
        from portal.datacite.sandbox.resource_types import from_facet_id

        general = from_facet_id(value) if "-" in value or value.islower() else value
        return _Clause("lower(resource_type_general) = ?", [general.lower()])
    if field in NUMBER_FIELDS:
        return _range(field, value, value, True, True)
    if field in DATE_FIELDS:
        return _range(field, value, value, True, True)
    if field.split(".", 1)[0] in METADATA_KEYS:
        pattern = _like(value.lower(), contains=True)
        return _Clause(f"lower(metadata) LIKE ? ESCAPE '\\' OR {_TEMPLATE_MATCH}", [pattern, pattern])
    return _Clause("0", [])


def _exists(field: str) -> _Clause:
    column = (EXACT_FIELDS.get(field, (None,))[0] or TEXT_FIELDS.get(field) or NUMBER_FIELDS.get(field)
              or DATE_FIELDS.get(field))
    if column:
        return _Clause(f"{column} IS NOT NULL AND {column} != ''", [])
    if field.split(".", 1)[0] in METADATA_KEYS:
        pattern = f'%"{field.rsplit(".", 1)[-1]}"%'
        return _Clause(f"metadata LIKE ? OR {_TEMPLATE_MATCH}", [pattern, pattern])
    return _Clause("0", [])


def _range(field: str, low: str, high: str, low_inclusive: bool, high_inclusive: bool) -> _Clause:
    if field in DATE_FIELDS:
        column = DATE_FIELDS[field]
        bounds = (parse_date_bound(low, field, upper=False), parse_date_bound(high, field, upper=True))
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
        return _Clause(" AND ".join(parts) or f"{column} IS NOT NULL", params)
    column = NUMBER_FIELDS.get(field)
    if column is None:
        column, _ = EXACT_FIELDS.get(field, (None, None))
    if column is None:
        return _Clause("0", [])
    parts, params = [], []
    for value, operator in ((low, ">=" if low_inclusive else ">"), (high, "<=" if high_inclusive else "<")):
        if value != "*":
            parts.append(f"{column} {operator} ?")
            params.append(_number(value, field) if field in NUMBER_FIELDS else value)
    return _Clause(" AND ".join(parts) or "1", params)


def _number(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SearchError(f"number_format_exception: For input string: \"{value}\" (field [{field}])") from None


def parse_date_bound(value: str, field: str, *, upper: bool) -> tuple[int, int] | None:
    """(start, end) epoch ms of the period a date names (``2020`` is the whole year); None for ``*``."""
    del upper
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
