"""Writes: the state machine, upserts and partial updates, validation with DataCite's 422 shapes, XML handling."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from portal.datacite.sandbox import Sandbox, SandboxRepository
from portal.datacite.sandbox.states import next_state
from tests.datacite.conftest import creds
from tests.datacite.sandbox_support import client

KERNEL_4_XML = """<?xml version="1.0" encoding="UTF-8"?>
<resource xmlns="http://datacite.org/schema/kernel-4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <identifier identifierType="DOI">10.5072/WHATEVER</identifier>
  <creators><creator><creatorName>Fenner, Martin</creatorName></creator></creators>
  <titles><title>From XML</title></titles>
  <publisher>DataCite</publisher>
  <publicationYear>2016</publicationYear>
  <resourceType resourceTypeGeneral="Text">BlogPosting</resourceType>
</resource>"""


def _doc(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "dois", "attributes": attributes}}


def _complete(**extra: Any) -> dict[str, Any]:
    return {"titles": [{"title": "T"}], "creators": [{"name": "Doe, Jane"}], "publisher": "P", "publicationYear": 2024,
            "types": {"resourceTypeGeneral": "Dataset"}, "url": "https://data.example.org/landing", **extra}


@pytest.fixture
def owner(sandbox: Sandbox, test_repo: SandboxRepository) -> Iterator[httpx.Client]:
    with client(sandbox, creds(test_repo)) as http:
        yield http


def _attrs(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()["data"]["attributes"]


@pytest.mark.parametrize(("state", "event", "after"), [
    ("draft", "register", "registered"), ("draft", "publish", "findable"), ("registered", "publish", "findable"),
    ("findable", "hide", "registered"), ("registered", "show", "findable"), ("draft", "hide", "draft"),
    ("findable", "register", "findable"), ("registered", "register", "registered"), ("findable", "unknown", "findable"),
    ("draft", None, "draft"), ("findable", "PUBLISH", "findable"), ("registered", "Hide", "registered"),
])
def test_state_machine(state: str, event: str | None, after: str) -> None:
    assert next_state(state, event) == after


def test_events_through_the_api_and_silently_ignored_transitions(owner: httpx.Client) -> None:
    created = _attrs(owner.put("/dois/10.5072/flow", json=_doc(**_complete())))
    assert (created["state"], created["isActive"], created["registered"]) == ("draft", False, None)
    ignored = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="hide")))
    assert ignored["state"] == "draft"
    registered = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="register")))
    assert (registered["state"], registered["isActive"]) == ("registered", False)
    assert registered["registered"] is not None and registered["schemaVersion"] == "http://datacite.org/schema/kernel-4"
    published = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="publish")))
    assert (published["state"], published["isActive"]) == ("findable", True)
    still = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="register")))
    assert still["state"] == "findable"
    hidden = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="hide", reason="withdrawn by author")))
    assert (hidden["state"], hidden["reason"]) == ("registered", "withdrawn by author")
    shown = _attrs(owner.put("/dois/10.5072/flow", json=_doc(event="show")))
    assert shown["state"] == "findable" and shown["registered"] == registered["registered"]


def test_put_upserts_and_updates_partially(owner: httpx.Client) -> None:
    first = owner.put("/dois/10.5072/upsert", json=_doc(**_complete(version=45)))
    assert first.status_code == 201
    assert first.json()["data"]["attributes"]["version"] == "45"
    second = owner.put("/dois/10.5072/upsert", json=_doc(titles=[{"title": "New title"}]))
    assert second.status_code == 200
    attrs = second.json()["data"]["attributes"]
    assert attrs["titles"] == [{"title": "New title"}]
    assert attrs["creators"][0]["name"] == "Doe, Jane" and attrs["publisher"] == "P"
    assert attrs["metadataVersion"] == 1
    url_only = _attrs(owner.put("/dois/10.5072/upsert", json=_doc(url="https://data.example.org/moved")))
    assert url_only["metadataVersion"] == 1 and url_only["url"] == "https://data.example.org/moved"


def test_post_with_prefix_generates_a_datacite_suffix_and_shoulder(owner: httpx.Client) -> None:
    made = owner.post("/dois", json=_doc(prefix="10.5072")).json()["data"]["id"]
    assert made.startswith("10.5072/") and len(made.split("/")[1]) == 9 and made[12] == "-"
    shoulder = owner.post("/dois", json=_doc(prefix="10.5072/abc")).json()["data"]["id"]
    assert shoulder.startswith("10.5072/abc-") and len(shoulder) == len("10.5072/abc-") + 9


def test_duplicate_invalid_and_blank_dois(owner: httpx.Client) -> None:
    assert owner.post("/dois", json=_doc(doi="10.5072/Twice")).status_code == 201
    again = owner.post("/dois", json=_doc(doi="10.5072/twice"))
    assert (again.status_code, again.json()) == (422, {"errors": [
        {"source": "doi", "title": "This DOI has already been taken", "uid": "10.5072/twice"}]})
    invalid = owner.post("/dois", json=_doc(doi="10.5072/107+03"))
    assert invalid.json() == {"errors": [{"source": "doi", "title": "Is invalid", "uid": "10.5072/107+03"}]}
    blank = owner.post("/dois", json=_doc(titles=[{"title": "x"}]))
    assert (blank.status_code, blank.json()) == (422, {"errors": [{"source": "doi", "title": "Can't be blank"}]})


def test_registering_needs_url_allowed_by_the_repository_domains(owner: httpx.Client) -> None:
    attrs = _complete(event="publish")
    del attrs["url"]
    missing = owner.put("/dois/10.5072/url", json=_doc(**attrs))
    assert missing.json() == {"errors": [{"source": "url", "title": "Can't be blank", "uid": "10.5072/url"}]}
    bad = owner.put("/dois/10.5072/url", json=_doc(**attrs, url="not a url"))
    assert bad.json()["errors"] == [{"source": "url", "title": "URL is not valid", "uid": "10.5072/url"}]
    for url in ("https://example.org/x", "http://www.bl.uk/pdf/patspec.pdf", "https://example.com.evil.org/"):
        refused = owner.put("/dois/10.5072/url", json=_doc(**attrs, url=url))
        assert refused.status_code == 422
        assert refused.json()["errors"] == [{"source": "url", "uid": "10.5072/url",
                                             "title": f"URL {url} is not allowed by repository datacite.test domain settings."}]
    for url in ("https://data.example.org/x", "https://deep.sub.example.org/y", "https://example.com/z"):
        assert owner.put("/dois/10.5072/url", json=_doc(**attrs, url=url)).status_code in (200, 201)
    assert owner.get("/dois/10.5072/url").json()["data"]["attributes"]["state"] == "findable"


def test_drafts_need_no_metadata_but_publishing_does(owner: httpx.Client) -> None:
    assert owner.put("/dois/10.5072/thin", json=_doc(url="https://data.example.org/t")).status_code == 201
    nothing = owner.put("/dois/10.5072/thin", json=_doc(event="publish"))
    assert nothing.json() == {"errors": [{"source": "xml", "title": "Can't be blank", "uid": "10.5072/thin"}]}
    partial = owner.put("/dois/10.5072/thin", json=_doc(event="register", titles=[{"title": "Only a title"}]))
    assert partial.status_code == 422
    sources = [e["source"] for e in partial.json()["errors"]]
    assert sources == ["creators", "publisher", "publicationYear", "types"]
    assert all(e["uid"] == "10.5072/thin" and e["title"].startswith("DOI 10.5072/thin: ") for e in partial.json()["errors"])
    assert owner.get("/dois/10.5072/thin").json()["data"]["attributes"]["state"] == "draft"


def test_one_error_per_source_and_unknown_resource_type(owner: httpx.Client) -> None:
    attrs = _complete(event="publish", types={"resourceTypeGeneral": "Blog"})
    del attrs["url"]
    answer = owner.put("/dois/10.5072/types", json=_doc(**attrs))
    errors = answer.json()["errors"]
    assert [e["source"] for e in errors] == ["url", "resourceType', attribute 'resourceTypeGeneral"]
    assert "The value 'Blog' is not an element of the set" in errors[1]["title"]


def test_wrong_json_types_are_422_with_datacite_wording(owner: httpx.Client) -> None:
    answer = owner.post("/dois", json=_doc(doi="10.5072/typed", titles=["Submitted chemical data"]))
    assert answer.json() == {"errors": [{"source": "titles", "uid": "10.5072/typed",
                                         "title": "Title 'Submitted chemical data' should be an object instead of a string."}]}


def test_invalid_language_fails_validation(owner: httpx.Client) -> None:
    answer = owner.put("/dois/10.5072/lang", json=_doc(**_complete(event="publish", language="xx_YY")))
    assert answer.json()["errors"] == [{"source": "language", "title": "Language xx_YY is in an invalid format.",
                                        "uid": "10.5072/lang"}]
    normalised = _attrs(owner.put("/dois/10.5072/lang", json=_doc(**_complete(event="publish", language="de-CH"))))
    assert normalised["language"] == "de"


def test_xml_upload_is_read_and_returned_with_the_doi_upper_cased(owner: httpx.Client) -> None:
    xml = base64.b64encode(("\ufeff  " + KERNEL_4_XML).encode()).decode()
    attrs = _attrs(owner.put("/dois/10.5072/xml-1", json=_doc(xml=xml, url="https://data.example.org/x", event="publish")))
    assert attrs["titles"] == [{"title": "From XML"}] and attrs["publisher"] == "DataCite"
    assert attrs["types"]["resourceTypeGeneral"] == "Text" and attrs["publicationYear"] == 2016
    assert attrs["schemaVersion"] == "http://datacite.org/schema/kernel-4" and attrs["state"] == "findable"
    stored = base64.b64decode(attrs["xml"]).decode()
    assert ">10.5072/XML-1</identifier>" in stored and "From XML" in stored
    raw = owner.get("/dois/10.5072/xml-1", headers={"Accept": "application/vnd.datacite.datacite+xml"})
    assert raw.headers["content-type"].startswith("application/vnd.datacite.datacite+xml")
    assert raw.text == stored


def test_json_attributes_win_over_xml_and_the_xml_is_regenerated(owner: httpx.Client) -> None:
    xml = base64.b64encode(KERNEL_4_XML.encode()).decode()
    attrs = _attrs(owner.put("/dois/10.5072/xml-2", json=_doc(xml=xml, titles=[{"title": "From JSON"}])))
    assert attrs["titles"] == [{"title": "From JSON"}] and attrs["publisher"] == "DataCite"
    regenerated = etree.fromstring(base64.b64decode(attrs["xml"]))
    titles = regenerated.findall(".//{http://datacite.org/schema/kernel-4}title")
    assert [t.text for t in titles] == ["From JSON"]


def test_unreadable_xml_is_kept_for_drafts_and_refused_on_publish(owner: httpx.Client) -> None:
    broken = base64.b64encode(b"<resource><titles>").decode()
    assert owner.put("/dois/10.5072/broken", json=_doc(xml=broken)).status_code == 201
    answer = owner.put("/dois/10.5072/broken", json=_doc(xml=broken, event="publish", url="https://data.example.org/b"))
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["source"] == "xml" and "line 1" in error["title"]


def test_schema_3_xml_rejected_on_register(owner: httpx.Client) -> None:
    xml = KERNEL_4_XML.replace("kernel-4", "kernel-3")
    answer = owner.put("/dois/10.5072/old", json=_doc(xml=base64.b64encode(xml.encode()).decode(), event="register",
                                                     url="https://data.example.org/o"))
    assert answer.json() == {"errors": [{"source": "xml", "uid": "10.5072/old",
                                         "title": "DOI 10.5072/old: Schema http://datacite.org/schema/kernel-3 is no longer supported"}]}


def test_payload_errors(owner: httpx.Client) -> None:
    for body in (b'{"attributes": {}}', b"[]", b'{"data": "x"}'):
        answer = owner.post("/dois", content=body, headers={"Content-Type": "application/json"})
        assert answer.json() == {"errors": [{"status": "400", "title": "You need to provide a payload following the JSONAPI spec"}]}
    malformed = owner.put("/dois/10.5072/x", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["errors"][0]["status"] == "400"


def test_gzip_request_bodies_are_accepted(owner: httpx.Client) -> None:
    body = gzip.compress(json.dumps(_doc(doi="10.5072/zipped")).encode())
    answer = owner.post("/dois", content=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/vnd.api+json"})
    assert answer.status_code == 201 and answer.json()["data"]["id"] == "10.5072/zipped"


def test_lookups_are_case_insensitive_and_ids_lower_case(owner: httpx.Client) -> None:
    assert owner.put("/dois/10.5072/MiXeD", json=_doc()).json()["data"]["id"] == "10.5072/mixed"
    assert owner.get("/dois/10.5072/MIXED").status_code == 200


def test_random_dois_and_get_url(owner: httpx.Client) -> None:
    names = owner.get("/dois/random", params={"prefix": "10.5072", "number": 3}).json()["dois"]
    assert len(set(names)) == 3 and all(n.startswith("10.5072/") for n in names)
    missing = owner.get("/dois/random")
    assert missing.json() == {"errors": [{"status": "422", "title": "Parameter prefix is required"}]}
    owner.put("/dois/10.5072/drafty", json=_doc(url="https://data.example.org/d"))
    assert owner.get("/dois/10.5072/drafty/get-url").json() == {"errors": [{"status": 404, "title": "Not found"}]}


def test_unknown_routes_and_unsupported_accept(owner: httpx.Client) -> None:
    answer = owner.get("/nothing-here")
    assert (answer.status_code, answer.json()["errors"][0]["title"]) == (404, "The resource you are looking for doesn't exist.")
    owner.put("/dois/10.5072/acc", json=_doc(**_complete(event="publish")))
    refused = owner.get("/dois/10.5072/acc", headers={"Accept": "image/png"})
    assert (refused.status_code, refused.json()["errors"][0]["title"]) == (406, "The content type is not recognized.")
