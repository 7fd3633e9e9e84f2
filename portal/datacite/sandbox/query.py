"""GET /dois requests read: visibility, filters, sorting, page-number and cursor paging, rendering options."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.datacite.sandbox.facets import requested_facets
from portal.datacite.sandbox.repositories import Caller
from portal.datacite.sandbox.resource_types import from_facet_id
from portal.datacite.sandbox.responses import ApiError, SearchFailed
from portal.datacite.sandbox.search import SearchError, parse_query
from portal.datacite.sandbox.serialize import View

WINDOW = 10_000
MAX_SIZE = 1000
DEFAULT_SIZE = 25
SORTS = {
    "name": "doi ASC", "-name": "doi DESC", "created": "created_ms ASC, id ASC", "-created": "created_ms DESC, id DESC",
    "updated": "updated_ms ASC, id ASC", "-updated": "updated_ms DESC, id DESC",
    "published": "publication_year ASC, id ASC", "-published": "publication_year DESC, id DESC",
    "view-count": "view_count ASC, id ASC", "-view-count": "view_count DESC, id DESC",
    "download-count": "download_count ASC, id ASC", "-download-count": "download_count DESC, id DESC",
    "citation-count": "citation_count ASC, id ASC", "-citation-count": "citation_count DESC, id DESC",
    "title": "title_text ASC, id ASC", "-title": "title_text DESC, id DESC",
}
DEFAULT_SORT = "updated_ms DESC, id DESC"
CURSOR_SORT = "created_ms ASC, doi ASC"
# Request parameters DataCite carries into links.next (never state or sort).
CARRIED = (
    "query", "provider-id", "client-id", "consortium-id", "prefix", "created", "registered", "published", "updated",
    "resource-type-id", "resource-type", "schema-version", "subject", "field-of-science", "license", "affiliation-id",
    "link-check-status", "source", "ids", "has-citations", "has-views", "has-downloads", "detail", "affiliation",
    "publisher", "disable-facets", "facets", "include",
)
YEAR_PARAM = re.compile(r"^\d{4}(,\d{4})?$")


@dataclass
class Listing:
    """A parsed GET /dois request."""

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    aggregate: bool = True
    order: str = DEFAULT_SORT
    size: int = DEFAULT_SIZE
    number: int = 1
    cursor_mode: bool = False
    cursor: tuple[int, str] | None = None
    random: bool = False
    facets: tuple[str, ...] = ()
    fields: list[str] | None = None
    detail: bool = False
    include_client: bool = False
    view: View = field(default_factory=View)
    carry: dict[str, str] = field(default_factory=dict)

    def where(self) -> str:
        """The WHERE clause (over dois, or over facet_counts when ``aggregate``)."""
        return " AND ".join(f"({c})" for c in self.conditions) or "1"

    def add(self, sql: str, params: list[Any], *, aggregate: bool = False) -> None:
        """Add a condition; ``aggregate`` says it names only client_id/provider_id/prefix/state."""
        self.conditions.append(sql)
        self.params.extend(params)
        self.aggregate = self.aggregate and aggregate


def arg(args: MultiDict[str, str], name: str) -> str | None:
    """A query parameter by its hyphenated name, also accepting underscores (DataCite treats them alike)."""
    for key in (name, name.replace("-", "_")):
        if key in args:
            return args.get(key)
    return None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _in(column: str, values: list[Any]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def parse_listing(args: MultiDict[str, str], caller: Caller, *, client_id: str | None = None,
                  provider_id: str | None = None, facets_by_default: bool = True) -> Listing:
    """Read a list request: visibility, filters, sorting, paging and rendering options."""
    listing = Listing()
    clients = _split(client_id or arg(args, "client-id") or "")
    providers = _split(provider_id or arg(args, "provider-id") or "")
    if clients:
        listing.add(_in("client_id", clients), [c.upper() for c in clients], aggregate=True)
        listing.carry["client-id"] = ",".join(clients)
    if providers:
        listing.add(_in("provider_id", providers), [p.upper() for p in providers], aggregate=True)
        listing.carry["provider-id"] = ",".join(providers)
    if arg(args, "prefix"):
        listing.add(_in("prefix", _split(arg(args, "prefix") or "")), [p.lower() for p in _split(arg(args, "prefix") or "")],
                    aggregate=True)
    states = [s.lower() for s in _split(arg(args, "state") or "")]
    if caller.repository is None:
        listing.add("state = 'findable'", [], aggregate=True)
    else:
        if states:
            listing.add(_in("state", states), states, aggregate=True)
        listing.add("state = 'findable' OR client_id = ?", [caller.repository.symbol], aggregate=True)
    _filters(listing, args)
    _paging(listing, args)
    listing.facets = () if listing.cursor_mode else requested_facets(
        arg(args, "facets"), arg(args, "disable-facets"), facets_by_default)
    fields_param = args.get("fields[dois]")
    listing.fields = None if fields_param is None else [f for f in _split(fields_param) if f != "id"]
    listing.detail = (arg(args, "detail") or "").lower() == "true"
    listing.include_client = "client" in _split(arg(args, "include") or "")
    listing.view = View(affiliation_objects=(arg(args, "affiliation") or "").lower() == "true",
                        publisher_object=(arg(args, "publisher") or "").lower() == "true")
    for name in CARRIED:
        if name not in listing.carry and arg(args, name) is not None:
            listing.carry[name] = arg(args, name) or ""
    if fields_param is not None:
        listing.carry["fields[dois]"] = fields_param
    return listing


def _filters(listing: Listing, args: MultiDict[str, str]) -> None:
    query = arg(args, "query")
    if query:
        try:
            clause = parse_query(query)
        except SearchError as exc:
            raise SearchFailed(str(exc)) from None
        listing.add(clause.sql, clause.params)
    for name, column in (("created", "created_ms"), ("registered", "registered_ms"), ("updated", "updated_ms")):
        years = _years(arg(args, name))
        if years:
            listing.add(f"{column} >= ? AND {column} < ?", [_year_ms(years[0]), _year_ms(years[1] + 1)])
    years = _years(arg(args, "published"))
    if years:
        listing.add("publication_year BETWEEN ? AND ?", list(years))
    simple = (
        ("resource-type-id", "resource_type_general", lambda v: from_facet_id(v)),
        ("resource-type", "lower(resource_type)", str.lower),
        ("schema-version", "schema_version", lambda v: f"http://datacite.org/schema/kernel-{v}"),
        ("ids", "doi", str.lower),
        ("license", "license", str.lower),
        ("subject", "lower(subject)", str.lower),
        ("field-of-science", "lower(replace(field_of_science, ' ', '_'))", str.lower),
        ("link-check-status", "link_status", lambda v: _int(v, -1)),
        ("source", "source", str),
    )
    for name, column, convert in simple:
        values = _split(arg(args, name) or "")
        if values:
            listing.add(_in(column, values), [convert(v) for v in values])
    affiliation = arg(args, "affiliation-id")
    if affiliation:
        ror = affiliation.strip().lower().removeprefix("https://").removeprefix("http://")
        ror = ror if ror.startswith("ror.org/") else f"ror.org/{ror}"
        listing.add("affiliation LIKE ?", [f"{ror}:%"])
    for name, column in (("has-citations", "citation_count"), ("has-views", "view_count"), ("has-downloads", "download_count")):
        if arg(args, name):
            listing.add(f"{column} >= ?", [_int(arg(args, name), 1)])


def _years(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    if not YEAR_PARAM.match(value):
        raise SearchFailed(f"failed to parse date field [{value}] with format [yyyy]: "
                           f"[failed to parse date field [{value}] with format [yyyy]]")
    parts = [int(p) for p in value.split(",")]
    return min(parts), max(parts)


def _year_ms(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp() * 1000)


def _paging(listing: Listing, args: MultiDict[str, str]) -> None:
    size = _int(args.get("page[size]"), DEFAULT_SIZE)
    listing.size = DEFAULT_SIZE if size < 0 else min(size, MAX_SIZE)
    listing.random = (arg(args, "random") or "").lower() == "true"
    if "page[cursor]" in args:
        if listing.random:
            raise ApiError(400, "Cursor-based pagination and random sampling are mutually exclusive, "
                                "please choose one or the other.")
        listing.cursor_mode = True
        listing.cursor = decode_cursor(args.get("page[cursor]") or "")
        listing.order = CURSOR_SORT
        return
    listing.number = max(_int(args.get("page[number]"), 1), 1)
    if listing.size:
        listing.number = min(listing.number, WINDOW // listing.size)
    listing.order = SORTS.get((args.get("sort") or "").strip(), DEFAULT_SORT)


def encode_cursor(created_ms: int, doi: str) -> str:
    """URL-safe base64 without padding of ``"<epoch ms>,<doi>"``."""
    return base64.urlsafe_b64encode(f"{created_ms},{doi}".encode()).decode("ascii").rstrip("=")


def decode_cursor(value: str) -> tuple[int, str] | None:
    """The position a cursor names; None (start again) for anything that does not decode."""
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
        millis, doi = text.split(",", 1)
        return int(millis), doi.lower()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
