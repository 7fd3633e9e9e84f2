"""Every recorded real DataCite answer parses into the typed results (or the typed error) without loss."""

from __future__ import annotations

import json

from portal.datacite.errors import DataCiteError, classify_response
from portal.datacite.results import Doi, DoiPage
from tests.datacite.fakes import (
    CREDS,
    Script,
    make_client,
    rest_recording,
    rest_recording_names,
    vcr_recording,
)


def test_every_rest_recording_parses():
    names = list(rest_recording_names())
    assert len(names) >= 10
    for name in names:
        recorded = rest_recording(name)
        if recorded.status >= 400:
            error = classify_response(recorded.status, recorded.body, recorded.headers)
            assert isinstance(error, DataCiteError) and error.key, name
            continue
        if not recorded.body or not recorded.body.lstrip().startswith("{"):
            assert recorded.status in (200, 204), name  # heartbeat text and empty 204s
            continue
        document = json.loads(recorded.body)
        if isinstance(document["data"], list):
            page = DoiPage.from_document(document)
            assert len(page.items) == len(document["data"]) > 0, name
            assert page.total >= len(page.items) and page.total_pages >= 1, name
            assert all(d.doi and d.prefix and d.suffix and d.state and d.client_id for d in page.items), name
            assert page.facets.present, name  # all October 2025 list recordings carry facets
        else:
            doi = Doi.from_document(document)
            assert doi.doi == document["data"]["id"] and doi.created is not None, name
            assert doi.raw is document["data"]


def test_list_recording_details():
    page = DoiPage.from_document(json.loads(rest_recording("listdois_pagination.json").body))
    assert (page.page, page.total_pages) == (2, 666)  # size 15 -> 10,000 // 15
    exact = DoiPage.from_document(json.loads(rest_recording("listdois_exact_match.json").body))
    assert exact.total == 2 and exact.next_url is None
    assert exact.facets.counts("schema_versions") == {"4": 2}
    assert exact.facets.affiliations == [] and "affiliations" in exact.facets.present
    basic = DoiPage.from_document(json.loads(rest_recording("listdois_basic.json").body))
    assert basic.next_url and "page%5Bnumber%5D=2" in basic.next_url
    assert {f.id for f in basic.facets.states} == {"findable"}  # anonymous lists show findable only


def test_detail_recordings_through_the_client():
    created = rest_recording("member_createdoi.json")
    fetched = rest_recording("member_getdoi.json")
    script = Script().add(created.response(), fetched.response())
    with make_client(script) as client:
        draft = client.create_draft(CREDS, {"url": "https://example.com"}, doi="10.82785/jjye-nx41")
        owned = client.get_doi("10.82785/1989de32-bc5d-c696-879c-54d422438e64", CREDS)
    assert (draft.doi, draft.state, draft.client_id, draft.provider_id) == (
        "10.82785/jjye-nx41", "draft", "mpqm.qldnec", "mpqm")
    assert draft.registered is None and draft.schema_version is None and draft.metadata_version == 0
    assert draft.publication_year == 2025 and draft.resource_type_general == "Text"
    assert owned.state == "findable" and owned.metadata_version == 21
    assert "landingPage" in owned.attributes  # the owner's view


def test_mds_proxy_cassettes_parse_or_classify():
    outcomes = {}
    for name in ("metadata_metadata_4_5_put_metadata_for_doi.yml", "metadata_metadata_4_5_register_doi.yml",
                 "metadata_no_metadata_put_metadata_for_doi.yml", "dois_authentication_wrong_password.yml",
                 "Metadatable_versions_should_not_register_invalid_version_of_metadata.yml"):
        for recorded in vcr_recording(name):
            if recorded.status < 300:
                outcomes[name] = Doi.from_document(json.loads(recorded.body)).state
            else:
                outcomes[name] = classify_response(recorded.status, recorded.body, recorded.headers).key
    assert outcomes == {
        "metadata_metadata_4_5_put_metadata_for_doi.yml": "draft",
        "metadata_metadata_4_5_register_doi.yml": "findable",
        "metadata_no_metadata_put_metadata_for_doi.yml": "missing-mandatory-property",
        "dois_authentication_wrong_password.yml": "bad-credentials",
        "Metadatable_versions_should_not_register_invalid_version_of_metadata.yml": "schema-3-not-supported",
    }


def test_publisher_object_and_string_forms_both_read():
    (recorded,) = vcr_recording("metadata_metadata_4_5_register_doi.yml")
    doi = Doi.from_document(json.loads(recorded.body))
    assert doi.publisher  # 2023 answers carry the publisher as a string
    document = json.loads(recorded.body)
    document["data"]["attributes"]["publisher"] = {"name": "Silly Walks Publishing, LLC",
                                                   "publisherIdentifier": "https://ror.org/04z8jg394"}
    assert Doi.from_document(document).publisher == "Silly Walks Publishing, LLC"
