"""GET /dois: the 10k window, cursors, links, filters, query syntax, facets and rendering options."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from portal.datacite.sandbox import Sandbox, create_sandbox
from portal.datacite.sandbox.query import decode_cursor, encode_cursor
from tests.datacite.conftest import SEEDED_DOIS, creds, repository
from tests.datacite.sandbox_support import NOW, client


@pytest.fixture
def anonymous(seeded: Sandbox) -> Iterator[httpx.Client]:
    with client(seeded) as http:
        yield http


def _meta(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()["meta"]


def test_page_window_and_total_pages(anonymous: httpx.Client) -> None:
    total = _meta(anonymous.get("/dois", params={"page[size]": 0}))["total"]
    assert total > 10_000
    for size, pages in ((25, 400), (10, 1000), (15, 666), (100, 100), (1000, 10), (7, 1428)):
        meta = _meta(anonymous.get("/dois", params={"page[size]": size}))
        assert meta["totalPages"] == pages == min(math.ceil(total / size), 10_000 // size)
    clamped = anonymous.get("/dois", params={"page[size]": 100, "page[number]": 101, "fields[dois]": "doi"})
    assert clamped.json()["meta"]["page"] == 100 and "next" not in clamped.json()["links"]
    assert len(clamped.json()["data"]) == 100
    big = anonymous.get("/dois", params={"page[size]": 5000, "fields[dois]": "doi"}).json()
    assert len(big["data"]) == 1000 and big["meta"]["totalPages"] == 10
    for odd in ("-3", "abc"):
        assert len(anonymous.get("/dois", params={"page[size]": odd}).json()["data"]) == 25
    assert anonymous.get("/dois", params={"page[number]": "0"}).json()["meta"]["page"] == 1


def test_size_zero_gives_facets_without_data(anonymous: httpx.Client) -> None:
    body = anonymous.get("/dois", params={"page[size]": 0}).json()
    assert body["data"] == [] and body["meta"]["totalPages"] == 0 and "next" not in body["links"]
    assert sum(s["count"] for s in body["meta"]["states"]) == body["meta"]["total"]


def test_pages_do_not_overlap_and_follow_next_links(anonymous: httpx.Client) -> None:
    seen: list[str] = []
    updated: list[str] = []
    url: str | None = "/dois?page[size]=200&client-id=beta.two&query=" + "doi:10.2222/*"
    while url and len(seen) < 1200:
        body = anonymous.get(url).json()
        seen += [item["id"] for item in body["data"]]
        updated += [item["attributes"]["updated"] for item in body["data"]]
        url = body["links"].get("next")
    assert len(seen) == len(set(seen)) == 1200
    assert updated == sorted(updated, reverse=True)
    # DataCite drops sort from links.next: a client that sorts must add it to every page itself.
    sorted_first = anonymous.get("/dois", params={"sort": "name", "page[size]": 5}).json()
    assert "sort" not in sorted_first["links"]["next"]


def test_next_link_keeps_filters_in_rails_order_but_not_state_or_sort(seeded: Sandbox) -> None:
    repo = next(iter(seeded.repositories.values()))
    with client(seeded, creds(repo)) as owner:
        body = owner.get("/dois", params={"state": "findable,registered", "sort": "-created", "client-id": "alpha.one",
                                          "query": "survey", "fields[dois]": "doi,state", "page[size]": 2}).json()
    assert body["links"]["next"] == ("http://sandbox/dois?client-id=alpha.one&fields%5Bdois%5D=doi%2Cstate"
                                     "&page%5Bnumber%5D=2&page%5Bsize%5D=2&query=survey")
    assert body["data"][0]["relationships"] == {}
    assert list(body["data"][0]["attributes"]) == ["doi", "state"]


def test_fields_id_only_gives_empty_attributes(anonymous: httpx.Client) -> None:
    item = anonymous.get("/dois", params={"fields[dois]": "id", "page[size]": 1}).json()["data"][0]
    assert item["attributes"] == {} and item["relationships"] == {} and item["type"] == "dois"


def test_cursor_iteration_visits_every_doi_once() -> None:
    repo = repository("CURSOR.REPO", ["10.4444"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    box.seed_dois(2_500, seed=3)
    with client(box, creds(repo)) as owner:
        expected = owner.get("/dois", params={"page[size]": 0}).json()["meta"]["total"]
        assert expected == 2_500
        seen: list[str] = []
        url: str | None = "/dois?page[cursor]=1&page[size]=300&sort=-updated"
        pages = 0
        while url:
            body = owner.get(url).json()
            assert "page" not in body["meta"] and body["meta"]["totalPages"] == 9 and body["meta"]["total"] == 2_500
            assert set(body["meta"]) == {"total", "totalPages"}
            seen += [item["id"] for item in body["data"]]
            created = [item["attributes"]["created"] for item in body["data"]]
            assert created == sorted(created)
            url = body["links"].get("next")
            pages += 1
    box.close()
    assert pages == 9 and len(seen) == 2_500 and len(set(seen)) == 2_500


def test_cursor_mode_has_no_window_cap(anonymous: httpx.Client) -> None:
    body = anonymous.get("/dois", params={"page[cursor]": "", "page[size]": 1}).json()
    assert body["meta"]["totalPages"] == body["meta"]["total"] > 10_000


def test_garbage_cursor_restarts_and_cursor_encoding(anonymous: httpx.Client) -> None:
    first = anonymous.get("/dois", params={"page[cursor]": "1", "page[size]": 5}).json()
    garbage = anonymous.get("/dois", params={"page[cursor]": "%%%not-base64", "page[size]": 5}).json()
    assert [i["id"] for i in first["data"]] == [i["id"] for i in garbage["data"]]
    cursor = encode_cursor(1314785779000, "10.1594/wdcc/mb_hsg_2007_2010")
    assert cursor == "MTMxNDc4NTc3OTAwMCwxMC4xNTk0L3dkY2MvbWJfaHNnXzIwMDdfMjAxMA"
    assert decode_cursor(cursor) == (1314785779000, "10.1594/wdcc/mb_hsg_2007_2010")
    assert decode_cursor(base64.urlsafe_b64encode(b"no comma").decode()) is None


def test_cursor_and_random_are_mutually_exclusive(anonymous: httpx.Client) -> None:
    answer = anonymous.get("/dois", params={"page[cursor]": "1", "random": "true"})
    assert (answer.status_code, answer.json()) == (400, {"errors": [{"status": "400", "title":
        "Cursor-based pagination and random sampling are mutually exclusive, please choose one or the other."}]})
    sample = anonymous.get("/dois", params={"random": "true", "page[size]": 7}).json()
    assert len(sample["data"]) == 7


def test_filters(anonymous: httpx.Client) -> None:
    def total(**params: Any) -> int:
        return _meta(anonymous.get("/dois", params={"page[size]": 0, **params}))["total"]

    everything = total()
    by_client = [total(**{"client-id": c}) for c in ("alpha.one", "beta.two", "gamma.three")]
    assert sum(by_client) == everything and all(by_client)
    assert total(**{"client-id": "ALPHA.ONE,beta.two"}) == by_client[0] + by_client[1]
    assert total(**{"client_id": "alpha.one"}) == by_client[0]
    assert total(prefix="10.1111") + total(prefix="10.1112") == by_client[0]
    assert total(**{"provider-id": "alpha"}) == by_client[0]
    years = {y: total(created=str(y)) for y in range(2012, 2026)}
    assert sum(years.values()) == everything and total(created="2014,2012") == years[2012] + years[2013] + years[2014]
    assert total(registered="2012,2025") == everything
    assert 0 < total(published="2020") < everything
    types = _meta(anonymous.get("/dois", params={"page[size]": 0}))["resourceTypes"]
    assert total(**{"resource-type-id": types[0]["id"]}) == types[0]["count"]
    versions = {b["id"] for b in _meta(anonymous.get("/dois", params={"page[size]": 0}))["schemaVersions"]}
    assert "4" in versions and total(**{"schema-version": "4"}) > 0
    assert total(state="draft") == everything


@pytest.mark.parametrize("param", ["created", "registered", "published"])
def test_bad_year_filters_answer_the_search_error_shape(anonymous: httpx.Client, param: str) -> None:
    answer = anonymous.get("/dois", params={param: "2020-2022"})
    assert answer.status_code == 400
    assert answer.json() == {"errors": {"title": "failed to parse date field [2020-2022] with format [yyyy]: "
                                                 "[failed to parse date field [2020-2022] with format [yyyy]]"}}


def test_query_syntax(seeded: Sandbox, anonymous: httpx.Client) -> None:
    item = anonymous.get("/dois", params={"page[size]": 1, "sort": "name"}).json()["data"][0]
    doi, title = item["id"], item["attributes"]["titles"][0]["title"]

    def ids(query: str, **extra: Any) -> set[str]:
        body = anonymous.get("/dois", params={"query": query, "page[size]": 1000, "fields[dois]": "doi", **extra}).json()
        return {i["id"] for i in body["data"]}

    assert ids(f"doi:{doi}") == {doi} == ids(f"doi:{doi.upper()}") == ids(f"uid:{doi}")
    assert doi in ids(f'titles.title:"{title}"')
    word = title.split()[-1]
    assert ids(word) == {doi} or doi in ids(word)
    assert doi in ids(f"{title.split()[0]} AND {word}")
    assert doi not in ids(f"{title.split()[0]} AND NOT {word}")
    assert doi in ids(f"zzzz OR {word}")
    everything = _meta(anonymous.get("/dois", params={"page[size]": 0}))["total"]
    assert _meta(anonymous.get("/dois", params={"query": "*", "page[size]": 0}))["total"] == everything
    assert _meta(anonymous.get("/dois", params={"query": "publicationYear:[2020 TO *]", "page[size]": 0}))["total"] < everything
    assert _meta(anonymous.get("/dois", params={"query": "nosuchfield:x", "page[size]": 0}))["total"] == 0
    orcid = _meta(anonymous.get("/dois", params={"query": "creators.nameIdentifiers.nameIdentifier:*", "page[size]": 0}))
    assert 0 < orcid["total"] < everything


def test_updated_range_query_for_incremental_sync(test_repo: Any) -> None:
    clock = [datetime(2024, 5, 1, tzinfo=UTC)]
    box = create_sandbox(repositories=[test_repo], now=lambda: clock[0])
    with client(box, creds(test_repo)) as owner:
        owner.put("/dois/10.5072/old", json={"data": {"attributes": {}}})
        clock[0] = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
        owner.put("/dois/10.5072/new", json={"data": {"attributes": {}}})
        for query, expected in (("updated:[2025-01-01T00:00:00Z TO *]", {"10.5072/new"}),
                                ("updated:[2025-03-01T10:00:00Z TO *]", {"10.5072/new"}),
                                ("updated:{2025-03-01T10:00:00Z TO *]", set()),
                                ("updated:[* TO 2024-12-31]", {"10.5072/old"}),
                                ("updated:>=2024-05-01", {"10.5072/old", "10.5072/new"}),
                                ("created:2024", {"10.5072/old"})):
            body = owner.get("/dois", params={"query": query, "client-id": "datacite.test"}).json()
            assert {i["id"] for i in body["data"]} == expected, query
    box.close()


@pytest.mark.parametrize("query", ["(unbalanced", "title:", "a AND", '"open quote', "updated:[2020 TO", "updated:[nope TO *]"])
def test_query_syntax_errors_answer_400_with_an_errors_object(anonymous: httpx.Client, query: str) -> None:
    answer = anonymous.get("/dois", params={"query": query})
    assert answer.status_code == 400
    body = answer.json()
    assert list(body) == ["errors"] and isinstance(body["errors"], dict)
    assert body["errors"]["title"].startswith("parse_exception: ")


def test_facet_switches(seeded: Sandbox, anonymous: httpx.Client) -> None:
    assert "states" not in anonymous.get("/dois", params={"disable-facets": "true"}).json()["meta"]
    chosen = anonymous.get("/dois", params={"facets": "states,resource_types,nonsense"}).json()["meta"]
    assert set(chosen) == {"total", "totalPages", "page", "states", "resourceTypes"}
    assert set(anonymous.get("/dois", params={"facets": ""}).json()["meta"]) == {"total", "totalPages", "page"}
    seeded.facets_by_default = False
    try:
        assert "states" not in anonymous.get("/dois").json()["meta"]
        assert "states" in anonymous.get("/dois", params={"disable-facets": "false"}).json()["meta"]
    finally:
        seeded.facets_by_default = True
    empty = anonymous.get("/dois", params={"query": "doi:10.0000/none"}).json()["meta"]
    assert empty == {"total": 0, "totalPages": 0, "page": 1}


def test_facets_agree_between_the_counts_table_and_a_row_scan(anonymous: httpx.Client) -> None:
    fast = anonymous.get("/dois", params={"client-id": "gamma.three", "page[size]": 0}).json()["meta"]
    scanned = anonymous.get("/dois", params={"client-id": "gamma.three", "query": "*", "page[size]": 0}).json()["meta"]
    assert fast == scanned


def test_facet_titles_and_ids(anonymous: httpx.Client) -> None:
    meta = anonymous.get("/dois", params={"page[size]": 0}).json()["meta"]
    assert meta["providers"][0] in ({"id": "alpha", "title": "Alpha Org", "count": meta["providers"][0]["count"]},
                                    {"id": "beta", "title": "BETA", "count": meta["providers"][0]["count"]},
                                    {"id": "gamma", "title": "GAMMA", "count": meta["providers"][0]["count"]})
    assert all(b["id"] == b["id"].lower() for b in meta["clients"])
    assert all(b["title"] == f"Schema {b['id']}" for b in meta["schemaVersions"])
    assert all(b["id"].startswith("ror.org/") for b in meta["affiliations"])
    assert all(" " not in b["id"] and b["id"] == b["id"].lower() for b in meta["fieldsOfScience"])
    assert {b["id"] for b in meta["linkChecksStatus"]} <= {"200", "403", "404", "500", "503"}
    assert meta["citations"] and all(b["count"] > 0 for b in meta["views"])


def test_detail_affiliation_and_publisher_options(anonymous: httpx.Client) -> None:
    plain = anonymous.get("/dois", params={"query": "creators.affiliation.affiliationIdentifier:*", "page[size]": 1}).json()
    item = plain["data"][0]["attributes"]
    assert "xml" not in item and isinstance(item["publisher"], str)
    assert all(isinstance(a, str) for c in item["creators"] for a in c["affiliation"])
    rich = anonymous.get("/dois", params={"query": f"doi:{item['doi']}", "affiliation": "true", "publisher": "true",
                                          "detail": "true"}).json()["data"][0]
    assert isinstance(rich["attributes"]["publisher"], dict) and "xml" in rich["attributes"]
    assert rich["attributes"]["created"].endswith(".000Z")
    affiliation = rich["attributes"]["creators"][0]["affiliation"][0]
    assert affiliation["affiliationIdentifierScheme"] == "ROR"
    assert set(rich["relationships"]) == {"client", "provider", "media", "references", "citations", "parts", "partOf",
                                          "versions", "versionOf"}


def test_include_client_side_loads_repositories(anonymous: httpx.Client) -> None:
    body = anonymous.get("/dois", params={"include": "client", "page[size]": 30}).json()
    included = {c["id"] for c in body["included"]}
    assert included == {i["relationships"]["client"]["data"]["id"] for i in body["data"]}
    assert all("contactEmail" not in c["attributes"] for c in body["included"])


def test_nested_routes(anonymous: httpx.Client) -> None:
    nested = anonymous.get("/clients/beta.two/dois", params={"page[size]": 0}).json()
    flat = anonymous.get("/dois", params={"client-id": "beta.two", "page[size]": 0}).json()
    assert nested["meta"] == flat["meta"]
    provider = anonymous.get("/providers/beta/dois", params={"page[size]": 2}).json()
    assert "provider-id=beta" in provider["links"]["next"]


def test_seeded_sandbox_holds_what_was_asked(seeded: Sandbox) -> None:
    with client(seeded, creds(next(iter(seeded.repositories.values())))) as owner:
        total = 0
        for repo in seeded.repositories.values():
            with client(seeded, creds(repo)) as each:
                total += each.get("/dois", params={"client-id": repo.uid, "page[size]": 0}).json()["meta"]["total"]
        assert total == SEEDED_DOIS
        assert owner.get("/dois").status_code == 200
