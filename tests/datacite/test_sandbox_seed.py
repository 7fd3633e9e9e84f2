"""Seeding: speed, spread over repositories/states/types/schema features, valid metadata, consistent facets, plans."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from portal.datacite.sandbox import Sandbox, create_sandbox
from portal.datacite.sandbox.query import parse_listing
from portal.datacite.sandbox.repositories import Caller
from portal.datacite.sandbox.results import aggregate_sql, page_sql
from portal.datacite.sandbox.suffixes import encode_suffix
from tests.datacite.conftest import creds, repository
from tests.datacite.sandbox_support import NOW, client


@pytest.fixture
def small() -> Iterator[Sandbox]:
    box = create_sandbox(repositories=[repository("ALPHA.ONE", ["10.1111"]), repository("BETA.TWO", ["10.2222"],
                                                                                         domains="*.beta.org")],
                         now=lambda: NOW)
    box.seed_dois(3_000, seed=5)
    yield box
    box.close()


def test_suffixes_are_datacites() -> None:
    assert encode_suffix(122149076) == "3mfp-6m52"
    assert encode_suffix(0) == "0000-0098"
    with pytest.raises(ValueError):
        encode_suffix(2**30)


def test_twenty_thousand_dois_seed_quickly(tmp_path: Path) -> None:
    box = create_sandbox(tmp_path / "speed.db", [repository("ALPHA.ONE", ["10.1111"])], now=lambda: NOW)
    progress: list[int] = []
    started = time.perf_counter()
    added = box.seed_dois(20_000, seed=1, progress=progress.append)
    elapsed = time.perf_counter() - started
    box.close()
    assert added == 20_000 and sum(progress) == 20_000
    # About a second on an idle machine; the bound leaves room for a busy CI box.
    assert elapsed < 30, f"seeding 20,000 DOIs took {elapsed:.1f}s"


def test_seeding_appends_without_collisions_and_validates_input(small: Sandbox) -> None:
    assert small.seed_dois(500, seed=5) == 500
    assert small.seed_dois(0) == 0
    empty = create_sandbox()
    with pytest.raises(ValueError, match="Add a repository"):
        empty.seed_dois(1)
    empty.close()


def test_seeded_data_is_spread_out(small: Sandbox) -> None:
    owner = next(iter(small.repositories.values()))
    with client(small, creds(owner)) as http:
        meta = http.get("/dois", params={"page[size]": 0, "client-id": "alpha.one"}).json()["meta"]
        everything = http.get("/dois", params={"page[size]": 0, "query": "*"}).json()["meta"]

        def hits(query: str) -> int:
            return http.get("/dois", params={"page[size]": 0, "query": query}).json()["meta"]["total"]

        assert {s["id"] for s in meta["states"]} == {"draft", "registered", "findable"}
        assert meta["total"] == 1_500
        assert len(everything["resourceTypes"]) >= 25
        assert len(everything["created"]) == 10 and len(everything["published"]) >= 10
        assert {"4", "4.5", "4.6", "4.7"} <= {b["id"] for b in everything["schemaVersions"]}
        assert everything["affiliations"] and everything["licenses"] and everything["fieldsOfScience"]
        assert hits("publisher.publisherIdentifier:*") > 0
        assert hits("relatedItems.relatedItemType:Journal") > 0
        assert hits("relatedIdentifiers.relationType:HasTranslation") > 0
        assert hits("relatedIdentifiers.relatedIdentifierType:RAiD") > 0
        assert hits("contributors.contributorType:Translator") > 0
        assert hits("types.resourceTypeGeneral:Poster") + hits("types.resourceTypeGeneral:Presentation") > 0


def test_seeded_drafts_have_valid_metadata_and_allowed_urls(small: Sandbox) -> None:
    for symbol in ("ALPHA.ONE", "BETA.TWO"):
        repo = small.repositories[symbol]
        with client(small, creds(repo)) as owner:
            drafts = owner.get("/dois", params={"client-id": repo.uid, "state": "draft", "page[size]": 5}).json()["data"]
            for draft in drafts:
                published = owner.put(f"/dois/{draft['id']}", json={"data": {"attributes": {"event": "publish"}}})
                assert published.status_code == 200, published.text
                assert published.json()["data"]["attributes"]["state"] == "findable"


def test_facet_counts_stay_exact_through_writes(small: Sandbox) -> None:
    repo = small.repositories["ALPHA.ONE"]
    with client(small, creds(repo)) as owner:
        listed = owner.get("/dois", params={"client-id": "alpha.one", "page[size]": 20}).json()["data"]
        for item in listed[:5]:
            owner.put(f"/dois/{item['id']}", json={"data": {"attributes": {
                "event": "hide", "subjects": [{"subject": "FOS: Mathematics"}], "rightsList": [{"rightsIdentifier": "mit"}],
                "types": {"resourceTypeGeneral": "Software"}, "publicationYear": 2001}}})
        drafts = owner.get("/dois", params={"client-id": "alpha.one", "state": "draft", "page[size]": 3}).json()["data"]
        for item in drafts:
            assert owner.delete(f"/dois/{item['id']}").status_code == 204
        owner.post("/dois", json={"data": {"attributes": {"doi": "10.1111/new-one", "titles": [{"title": "New"}]}}})
    incremental = small.store.facet_count_rows()
    small.store.rebuild_facet_counts()
    assert small.store.facet_count_rows() == incremental


def _plan(box: Sandbox, sql: str, params: list[Any]) -> str:
    return " | ".join(str(row[3]) for row in box.store.query(f"EXPLAIN QUERY PLAN {sql}", params))


def test_repository_facets_and_pages_use_indices_not_table_scans(small: Sandbox) -> None:
    repo = small.repositories["ALPHA.ONE"]
    for params in ({"client-id": "alpha.one"}, {"client-id": "alpha.one", "state": "draft"}, {"prefix": "10.1111"}):
        listing = parse_listing(MultiDict(params), Caller(repo, presented=True))
        assert listing.aggregate
        plan = _plan(small, *aggregate_sql(listing))
        assert "SCAN facet_counts" not in plan and "SEARCH facet_counts" in plan, plan
    listing = parse_listing(MultiDict({"client-id": "alpha.one"}), Caller(repo, presented=True))
    assert "SCAN dois" not in _plan(small, *page_sql(listing))
    listing = parse_listing(MultiDict({"created": "2020", "sort": "-created"}), Caller(None, presented=False))
    assert not listing.aggregate and "SCAN dois" not in _plan(small, *page_sql(listing))
    listing = parse_listing(MultiDict({"query": "doi:10.1111/*", "page[cursor]": "1"}), Caller(None, presented=False))
    assert "SCAN dois" not in _plan(small, *page_sql(listing))
