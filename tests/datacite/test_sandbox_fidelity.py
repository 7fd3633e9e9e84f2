"""Fidelity: each real DataCite recording replayed against the sandbox, comparing what clients depend on."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

from portal.datacite.sandbox import Sandbox, create_sandbox
from portal.datacite.sandbox.serialize import LIST_KEYS
from portal.datacite.sandbox.suffixes import ALPHABET
from tests.datacite.conftest import creds, repository
from tests.datacite.sandbox_support import NOW, cassette, client, path_and_query, recording, type_differences

READ_ONLY = {"prefix", "suffix", "alternateIdentifiers", "xml", "metadataVersion", "isActive", "state", "reason",
             "landingPage", "viewCount", "viewsOverTime", "downloadCount", "downloadsOverTime", "referenceCount",
             "citationCount", "citationsOverTime", "partCount", "partOfCount", "versionCount", "versionOfCount",
             "created", "registered", "published", "updated"}
METADATA = ("identifiers", "creators", "titles", "publisher", "container", "publicationYear", "subjects", "contributors",
            "dates", "language", "types", "relatedIdentifiers", "relatedItems", "sizes", "formats", "version",
            "rightsList", "descriptions", "geoLocations", "fundingReferences")
# Values the sandbox cannot know (no link checker, no usage statistics) are null where DataCite has a result.
UNKNOWABLE = frozenset({"landingPage"})


def _writable(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if k not in READ_ONLY}


def _replay_detail(name: str, symbol: str, provider_name: str, *, as_owner: bool) -> tuple[Any, Any]:
    """Recreate a recorded DOI through the API, then GET it as the recording did."""
    recorded = recording(name)
    attributes = recorded.body["data"]["attributes"]
    repo = repository(symbol, [attributes["prefix"]], provider_name=provider_name)
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    with client(box, creds(repo)) as owner:
        made = owner.put(f"/dois/{attributes['doi']}", json={"data": {"type": "dois", "attributes": {
            **_writable(attributes), "event": "publish"}}})
        assert made.status_code == 201, made.text
    with client(box, creds(repo) if as_owner else None) as reader:
        response = reader.get(f"/dois/{attributes['doi']}")
    box.close()
    return recorded, response


def _compare_detail(recorded: Any, response: Any) -> None:
    assert response.status_code == recorded.status
    assert response.headers["content-type"] == recorded.headers["Content-Type"]
    body = response.json()
    assert list(body) == list(recorded.body)
    data, expected = body["data"], recorded.body["data"]
    assert list(data) == list(expected)
    assert (data["id"], data["type"]) == (expected["id"], expected["type"])
    assert list(data["attributes"]) == list(expected["attributes"])
    assert type_differences(expected["attributes"], data["attributes"], nullable=UNKNOWABLE) == []
    for key in METADATA:
        assert data["attributes"][key] == expected["attributes"][key], key
    assert list(data["relationships"]) == list(expected["relationships"])
    for key in ("client", "provider", "media"):
        assert data["relationships"][key] == expected["relationships"][key]
    assert base64.b64decode(data["attributes"]["xml"]).startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_heartbeat_matches_recording(sandbox: Sandbox) -> None:
    recorded = recording("getheartbeat.json")
    with client(sandbox) as anonymous:
        response = anonymous.get("/heartbeat")
    assert response.status_code == recorded.status
    assert response.text == recorded.body == "OK"
    assert response.headers["content-type"] == recorded.headers["Content-Type"]
    assert response.headers["x-anonymous-consumer"] == recorded.headers["X-Anonymous-Consumer"]
    assert response.headers["access-control-expose-headers"] == recorded.headers["Access-Control-Expose-Headers"]


def test_anonymous_get_of_a_findable_doi_matches_recording() -> None:
    recorded, response = _replay_detail("getdoi.json", "DATACITE.DATACITE", "DataCite", as_owner=False)
    _compare_detail(recorded, response)
    assert response.headers["x-anonymous-consumer"] == "true"
    assert "landingPage" not in response.json()["data"]["attributes"]


def test_owner_get_matches_recording_including_landing_page_key() -> None:
    recorded, response = _replay_detail("member_getdoi.json", "MPQM.QLDNEC", "MPQM", as_owner=True)
    _compare_detail(recorded, response)
    assert response.headers["x-credential-username"] == recorded.headers["X-Credential-Username"]
    assert "x-anonymous-consumer" not in response.headers


def test_create_with_prefix_matches_recording() -> None:
    recorded = recording("member_createdoi.json")
    expected = recorded.body["data"]["attributes"]
    repo = repository("MPQM.QLDNEC", ["10.82785"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    sent = {k: expected[k] for k in ("creators", "titles", "publisher", "publicationYear", "url")}
    sent["types"] = {"resourceTypeGeneral": "Text", "resourceType": "test data"}
    with client(box, creds(repo)) as owner:
        response = owner.post("/dois", json={"data": {"type": "dois", "attributes": {"prefix": "10.82785", **sent}}})
    box.close()
    assert response.status_code == recorded.status == 201
    assert re.fullmatch(r"http://sandbox/dois/\d+", response.headers["location"])
    assert re.match(r"https://api\.test\.datacite\.org/dois/\d+$", recorded.headers["Location"])
    assert response.headers["x-credential-username"] == recorded.headers["X-Credential-Username"]
    data = response.json()["data"]
    assert list(data["attributes"]) == list(expected)
    assert type_differences(expected, data["attributes"]) == []
    for key in ("types", "state", "isActive", "schemaVersion", "metadataVersion", "registered", "published", "source"):
        assert data["attributes"][key] == expected[key], key
    suffix = data["attributes"]["suffix"]
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}\d{2}", suffix)
    number = 0
    for char in suffix.replace("-", "")[:6]:
        number = number * 32 + ALPHABET.index(char)
    assert int(suffix[-2:]) == 98 - (number * 100) % 97
    assert list(data["relationships"]) == list(recorded.body["data"]["relationships"])


def test_delete_draft_matches_recording(sandbox: Sandbox, test_repo: Any) -> None:
    recorded = recording("member_deleteDraftDoi.json")
    with client(sandbox, creds(test_repo)) as owner:
        owner.post("/dois", json={"data": {"attributes": {"doi": "10.5072/draft-1"}}})
        response = owner.delete("/dois/10.5072/draft-1")
        gone = owner.get("/dois/10.5072/draft-1")
    assert response.status_code == recorded.status == 204
    assert response.content == b""
    assert "content-type" not in response.headers and "Content-Type" not in recorded.headers
    assert response.headers["x-credential-username"] == "datacite.test"
    assert gone.status_code == 404


def test_delete_findable_matches_recording(sandbox: Sandbox, test_repo: Any) -> None:
    recorded = recording("member_deleteNonDraftDoi.json")
    with client(sandbox, creds(test_repo)) as owner:
        owner.put("/dois/10.5072/kept", json={"data": {"attributes": _complete("https://data.example.org/1", "publish")}})
        response = owner.delete("/dois/10.5072/kept")
    assert response.status_code == recorded.status == 405
    assert response.headers["allow"] == recorded.headers["Allow"]
    assert response.json() == recorded.body


def _complete(url: str, event: str | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"titles": [{"title": "A title"}], "creators": [{"name": "Doe, Jane"}], "publisher": "P",
                                  "publicationYear": 2024, "types": {"resourceTypeGeneral": "Dataset"}, "url": url}
    if event:
        attributes["event"] = event
    return attributes


def test_default_list_matches_recording(seeded: Sandbox) -> None:
    recorded = recording("listdois_basic.json")
    with client(seeded) as anonymous:
        response = anonymous.get("/dois")
    assert response.status_code == recorded.status
    assert response.headers["x-anonymous-consumer"] == "true"
    body, expected = response.json(), recorded.body
    assert list(body) == list(expected) == ["data", "meta", "links"]
    assert list(body["meta"]) == list(expected["meta"])
    assert body["meta"]["totalPages"] == expected["meta"]["totalPages"] == 400
    assert body["meta"]["page"] == 1
    assert len(body["data"]) == len(expected["data"]) == 25
    assert path_and_query(body["links"]["self"]) == path_and_query(expected["links"]["self"])
    assert path_and_query(body["links"]["next"]) == path_and_query(expected["links"]["next"])
    for item in body["data"]:
        assert list(item["attributes"]) == list(expected["data"][0]["attributes"]) == list(LIST_KEYS)
        assert list(item["relationships"]) == list(expected["data"][0]["relationships"]) == ["client"]
        assert item["attributes"]["state"] == "findable"
        assert type_differences(expected["data"][0]["attributes"], item["attributes"],
                                nullable=frozenset({"version", "language", "contentUrl"})) == []
    for facet, buckets in body["meta"].items():
        if isinstance(buckets, list):
            for bucket in buckets + expected["meta"][facet]:
                assert list(bucket) == ["id", "title", "count"]
                assert [type(v) for v in bucket.values()] == [str, str, int]
    updated = [item["attributes"]["updated"] for item in body["data"]]
    assert updated == sorted(updated, reverse=True)


def test_facet_order_and_limits_follow_recording(seeded: Sandbox) -> None:
    expected = recording("listdois_basic.json").body["meta"]
    with client(seeded) as anonymous:
        meta = anonymous.get("/dois", params={"page[size]": 0}).json()["meta"]
    for facets in (expected, meta):
        for name in ("created", "registered", "published"):
            ids = [b["id"] for b in facets[name]]
            assert ids == sorted(ids, reverse=True)
            assert len(ids) <= (16 if name == "published" else 10)
        for name in ("resourceTypes", "clients", "prefixes", "licenses", "subjects", "fieldsOfScience", "affiliations",
                     "linkChecksStatus", "schemaVersions"):
            counts = [b["count"] for b in facets[name]]
            assert counts == sorted(counts, reverse=True)
            assert len(counts) <= (34 if name == "resourceTypes" else 10)
    assert len(meta["resourceTypes"]) > 10
    assert all(int(b["id"]) >= 2010 for b in meta["published"])


def test_exact_match_list_reproduces_recorded_meta() -> None:
    recorded = recording("listdois_exact_match.json")
    repo = repository("FIGSHARE.ARS", ["10.6084"], name="figshare Academic Research System", provider="OTJM",
                      provider_name="Figshare Internal")
    clock = [datetime(2012, 6, 11, 16, 48, 58, tzinfo=UTC)]
    box = create_sandbox(repositories=[repo], now=lambda: clock[0])
    attributes = {"titles": [{"title": "CrowdoMeter Tweets"}], "creators": [{"name": "Priem, Jason"}], "publisher": "figshare",
                  "publicationYear": 2012, "types": {"resourceTypeGeneral": "Dataset"}, "url": "https://figshare.com/x",
                  "subjects": [{"subject": "Science Policy"}], "rightsList": [{"rightsIdentifier": "CC-BY-4.0"}],
                  "event": "publish"}
    with client(box, creds(repo)) as owner:
        assert owner.put("/dois/10.6084/m9.figshare.92881", json={"data": {"attributes": attributes}}).status_code == 201
        clock[0] = datetime(2016, 1, 11, 11, 3, 20, tzinfo=UTC)
        assert owner.put("/dois/10.6084/m9.figshare.1041", json={"data": {"attributes": attributes}}).status_code == 201
        owner.post("/dois", json={"data": {"attributes": {"prefix": "10.6084", "titles": [{"title": "Other things"}]}}})
    clock[0] = NOW
    with client(box) as anonymous:
        response = anonymous.get("/dois?" + recorded.body["links"]["self"].split("?", 1)[1])
    box.close()
    body = response.json()
    assert response.status_code == 200
    assert body["meta"] == recorded.body["meta"]
    assert body["links"] == {"self": "http://sandbox" + path_and_query(recorded.body["links"]["self"])}
    assert [item["attributes"]["titles"][0]["title"] for item in body["data"]] == ["CrowdoMeter Tweets"] * 2


def test_page_number_list_matches_recording(seeded: Sandbox) -> None:
    recorded = recording("listdois_pagination.json")
    with client(seeded) as anonymous:
        response = anonymous.get("/dois?" + recorded.body["links"]["self"].split("?", 1)[1])
    body = response.json()
    assert {k: body["meta"][k] for k in ("totalPages", "page")} == {"totalPages": 666, "page": 2}
    assert {k: recorded.body["meta"][k] for k in ("totalPages", "page")} == {"totalPages": 666, "page": 2}
    assert len(body["data"]) == len(recorded.body["data"]) == 15
    assert path_and_query(body["links"]["next"]) == path_and_query(recorded.body["links"]["next"])
    assert path_and_query(body["links"]["self"]) == path_and_query(recorded.body["links"]["self"])
    created = [item["attributes"]["created"] for item in body["data"]]
    assert created == sorted(created, reverse=True)


def test_sorted_list_matches_recording(seeded: Sandbox) -> None:
    recorded = recording("listdois_sorting.json")
    with client(seeded) as anonymous:
        body = anonymous.get("/dois?" + recorded.body["links"]["self"].split("?", 1)[1]).json()
    assert body["meta"]["totalPages"] == recorded.body["meta"]["totalPages"] == 1000
    assert path_and_query(body["links"]["next"]) == path_and_query(recorded.body["links"]["next"])
    for answer in (body, recorded.body):
        created = [item["attributes"]["created"] for item in answer["data"]]
        assert created == sorted(created, reverse=True) and len(created) == 10


# ---------------------------------------------------------------- MDS proxy cassettes (REST behaviour)


def test_wrong_password_on_get_url_matches_cassette() -> None:
    (interaction,) = cassette("dois_authentication_wrong_password.yml")
    repo = repository("DATACITE.DATACITE", ["10.14454"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    doi = interaction.uri.split("/dois/", 1)[1].removesuffix("/get-url")
    with client(box, creds(repo)) as owner:
        owner.put(f"/dois/{doi}", json={"data": {"attributes": _complete("https://example.org/x", "publish")}})
    with client(box) as wrong:
        response = wrong.get(f"/dois/{doi}/get-url", headers={"Authorization": interaction.request_headers["Authorization"][0]})
    with client(box, creds(repo)) as owner:
        right = owner.get(f"/dois/{doi}/get-url")
    box.close()
    assert response.status_code == interaction.status == 401
    assert response.json() == json.loads(interaction.response_body)
    assert "x-credential-username" not in response.headers and "x-anonymous-consumer" not in response.headers
    assert right.json() == {"url": "https://example.org/x"}


def test_publish_without_metadata_matches_cassette() -> None:
    (interaction,) = cassette("metadata_no_metadata_put_metadata_for_doi.yml")
    repo = repository("DATACITE.DATACITE", ["10.5072"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    with client(box, creds(repo)) as owner:
        response = owner.put(httpx_path(interaction.uri), content=interaction.request_body,
                             headers={"Content-Type": "application/vnd.api+json"})
    box.close()
    assert response.status_code == interaction.status == 422
    recorded = json.loads(interaction.response_body)["errors"]
    # The 2018 recording predates the uid member DataCite adds to validation errors since 2019.
    assert [{k: v for k, v in e.items() if k != "uid"} for e in response.json()["errors"]] == recorded
    assert response.json()["errors"][0]["uid"] == "10.5072/236y-qx15"


def test_schema_3_xml_is_rejected_as_in_cassette() -> None:
    (interaction,) = cassette("Metadatable_versions_should_not_register_invalid_version_of_metadata.yml")
    repo = repository("DATACITE.TEST", ["10.14454"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    with client(box, creds(repo)) as owner:
        response = owner.put(httpx_path(interaction.uri), content=interaction.request_body,
                             headers={"Content-Type": "application/vnd.api+json"})
        missing = owner.get(httpx_path(interaction.uri))
    box.close()
    assert response.status_code == interaction.status == 422
    assert response.json() == json.loads(interaction.response_body)
    assert missing.status_code == 404


def test_schema_4_5_draft_then_publish_matches_cassettes() -> None:
    (put,) = cassette("metadata_metadata_4_5_put_metadata_for_doi.yml")
    (publish,) = cassette("metadata_metadata_4_5_register_doi.yml")
    repo = repository("DATACITE.TEST", ["10.80225"], provider_name="DataCite")
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    with client(box, creds(repo)) as owner:
        first = owner.put(httpx_path(put.uri), content=put.request_body, headers={"Content-Type": "application/vnd.api+json"})
        second = owner.put(httpx_path(publish.uri), content=publish.request_body,
                           headers={"Content-Type": "application/vnd.api+json"})
    box.close()
    for response, interaction, state in ((first, put, "draft"), (second, publish, "findable")):
        assert response.status_code == interaction.status
        expected = json.loads(interaction.response_body)["data"]
        data = response.json()["data"]
        assert list(data["attributes"]) == list(expected["attributes"])
        assert type_differences(expected["attributes"], data["attributes"]) == []
        for key in METADATA:
            assert data["attributes"][key] == expected["attributes"][key], key
        for key in ("state", "isActive", "schemaVersion", "source", "url", "published", "metadataVersion"):
            assert data["attributes"][key] == expected["attributes"][key], key
        assert data["attributes"]["state"] == state
        assert data["relationships"] == expected["relationships"]
        xml = base64.b64decode(data["attributes"]["xml"]).decode("utf-8")
        assert "<identifier identifierType=\"DOI\">10.80225/DCMD-V45P0T0</identifier>" in xml
        assert xml == base64.b64decode(expected["attributes"]["xml"]).decode("utf-8")
    assert second.json()["data"]["attributes"]["registered"] is not None


def httpx_path(uri: str) -> str:
    """The path of a recorded URI, to replay it against the sandbox."""
    return "/" + uri.split("/", 3)[3]
