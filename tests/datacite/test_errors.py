"""DataCite answers classified into the failure catalogue: recordings first, reference-shaped bodies otherwise."""

from __future__ import annotations

import json

import pytest

from portal.datacite.errors import (
    ERROR_CLASSES,
    FAILURE_MODES,
    AuthError,
    DataCiteError,
    MethodNotAllowed,
    OutageError,
    RateLimited,
    Schema3Error,
    ValidationError,
    classify_response,
    parse_retry_after,
)
from tests.datacite.fakes import rest_recording, vcr_recording

# The stable keys and their error classes, as agreed with the docs and helpdesk (failure_modes.md).
EXPECTED_MODES = {
    "bad-credentials": "auth", "not-authorized": "permission", "doi-already-taken": "duplicate",
    "url-domain-not-allowed": "url_domain", "missing-mandatory-property": "validation",
    "empty-value": "validation", "invalid-value": "validation", "schema-3-not-supported": "schema3",
    "xml-parse-error": "xml_parse", "json-shape": "validation", "publisher-affiliation": "validation",
    "cannot-delete-registered": "method_not_allowed", "mds-metadata-first": "precondition",
    "rate-limited": "rate_limit", "datacite-unavailable": "outage", "doi-not-found": "not_found",
}


def test_catalogue_has_every_key_with_its_class_and_article():
    assert {k: m.error_class for k, m in FAILURE_MODES.items()} == EXPECTED_MODES
    for key, mode in FAILURE_MODES.items():
        assert mode.article == f"/docs/troubleshooting/{key}"
        assert mode.error_class in ERROR_CLASSES
        assert len(mode.explanation) > 60 and len(mode.fix) > 60, key
        assert mode.explanation != mode.fix


# ---------------------------------------------------------------- from real recordings


def test_recorded_delete_of_findable_doi_is_cannot_delete_registered():
    recorded = rest_recording("member_deleteNonDraftDoi.json")
    error = classify_response(recorded.status, recorded.body, recorded.headers)
    assert isinstance(error, MethodNotAllowed)
    assert (error.key, error.status, error.title) == ("cannot-delete-registered", 405, "Method not allowed")
    assert error.errors == [{"status": "405", "title": "Method not allowed"}]
    assert not error.retryable


@pytest.mark.parametrize(("cassette", "key", "error_class", "title", "source"), [
    ("dois_authentication_wrong_password.yml", "bad-credentials", "auth", "Bad credentials.", ""),
    ("Metadatable_versions_should_not_register_invalid_version_of_metadata.yml", "schema-3-not-supported",
     "schema3", "DOI 10.14454/0000-v3: Schema http://datacite.org/schema/kernel-3 is no longer supported", "xml"),
    ("metadata_no_metadata_put_metadata_for_doi.yml", "missing-mandatory-property", "validation",
     "Can't be blank", "xml"),
])
def test_recorded_errors_classify(cassette, key, error_class, title, source):
    (recorded,) = vcr_recording(cassette)
    error = classify_response(recorded.status, recorded.body, recorded.headers)
    assert (error.key, error.error_class, error.title, error.source) == (key, error_class, title, source)
    assert error.status == recorded.status
    assert error.explanation == FAILURE_MODES[key].explanation
    assert error.article == f"/docs/troubleshooting/{key}"


def test_recorded_schema3_error_carries_the_doi_and_bytes_bodies_work():
    (recorded,) = vcr_recording("Metadatable_versions_should_not_register_invalid_version_of_metadata.yml")
    error = classify_response(recorded.status, recorded.body.encode(), recorded.headers)
    assert isinstance(error, Schema3Error)
    assert error.doi == "10.14454/0000-v3"


# ---------------------------------------------------------------- bodies shaped as the reference records them


def body(*entries: dict) -> str:
    return json.dumps({"errors": list(entries)})


def validation(source: str, title: str, uid: str = "10.14454/10703") -> str:
    return body({"source": source, "title": title, "uid": uid})


SHAPED = [
    (403, body({"status": "403", "title": "You are not authorized to access this resource."}), "not-authorized"),
    (404, body({"status": "404", "title": "The resource you are looking for doesn't exist."}), "doi-not-found"),
    (422, validation("doi", "This DOI has already been taken"), "doi-already-taken"),
    (409, body({"status": "409", "title": "The resource already exists."}), "doi-already-taken"),
    (422, validation("url", "URL http://www.bl.uk/pdf/patspec.pdf is not allowed by repository datacite.test "
                     "domain settings."), "url-domain-not-allowed"),
    (422, validation("creators", "DOI 10.14454/4k3m-nyvg: Missing child element(s). Expected is ( "
                     "{http://datacite.org/schema/kernel-4}creator ). at line 4, column 0"),
     "missing-mandatory-property"),
    (422, validation("url", "Can't be blank"), "missing-mandatory-property"),
    (422, validation("contributorName", "DOI 10.14454/10703: [facet 'minLength'] The value has a length of '0'; "
                     "this underruns the allowed minimum length of '1'. at line 20, column 0"), "empty-value"),
    (422, validation("creatorName', attribute 'nameType", "DOI 10.14454/10703: [facet 'enumeration'] The value "
                     "'personal' is not an element of the set {'Organizational', 'Personal'}. at line 12, column 0"),
     "invalid-value"),
    (422, validation("publicationYear", "DOI 10.14454/10703: [facet 'pattern'] The value '' is not accepted by "
                     "the pattern '[\\d]{4}'. at line 9, column 0"), "invalid-value"),
    (422, validation("doi", "Is invalid", "10.14454/107+03"), "invalid-value"),
    (422, validation("url", "URL is not valid"), "invalid-value"),
    (422, validation("language", "Language xx_YY is in an invalid format."), "invalid-value"),
    (422, validation("xml", "DOI 10.14454/10703: Schema http://datacite.org/schema/kernel-2.2 is no longer "
                     "supported"), "schema-3-not-supported"),
    (400, body({"status": "400", "title": "[xml] xml error: The entity name must immediately follow the '&' in "
                "the entity reference."}), "xml-parse-error"),
    (422, validation("xml", "xmlParseEntityRef: no name at line 7, column 31"), "xml-parse-error"),
    (422, validation("contributors", "Contributor '{\"name\"=>\"Smith, Jane\"}' is missing a required element: "
                     "contributor type."), "json-shape"),
    (422, validation("contributors", "Contributor '{\"name\"=>\"NSF\"}' has a contributor type that is not "
                     "supported in schema 4: 'Funder'."), "json-shape"),
    (422, validation("titles", "Title 'Submitted chemical data for InChIKey=YAPQBXQYLJRXSA-UHFFFAOYSA-N' should "
                     "be an object instead of a string."), "json-shape"),
    (400, body({"status": "400", "title": "You need to provide a payload following the JSONAPI spec"}),
     "json-shape"),
    # No exact DataCite title is recorded for row 11; this is the XSD's wording for a publisher attribute.
    (422, validation("publisher', attribute 'publisherIdentifierScheme", "DOI 10.14454/10703: [facet "
                     "'minLength'] The value has a length of '0'. at line 8, column 0"), "publisher-affiliation"),
    (405, body({"status": "405", "title": "Method not allowed"}), "cannot-delete-registered"),
    (412, "Precondition failed", "mds-metadata-first"),
    (401, "Bad credentials", "bad-credentials"),  # MDS answers in plain text
    (500, json.dumps({"status": 400, "title": "[503] {\n  \"message\": \"No server available to handle the "
                      "request\"\n}\n"}), "datacite-unavailable"),
    (503, "", "datacite-unavailable"),
]


@pytest.mark.parametrize(("status", "text", "key"), SHAPED)
def test_reference_shaped_bodies_classify(status, text, key):
    error = classify_response(status, text, {"Content-Type": "application/json; charset=utf-8"})
    assert error.key == key
    assert error.error_class == EXPECTED_MODES[key]
    assert isinstance(error, DataCiteError) and error.status == status
    assert error.retryable == (EXPECTED_MODES[key] in ("rate_limit", "outage"))


def test_titles_are_kept_exactly_and_every_entry_is_kept():
    text = json.dumps({"errors": [
        {"source": "url", "title": "Can't be blank", "uid": "10.14454/4k3m-nyvg"},
        {"source": "creators", "title": "DOI 10.14454/4k3m-nyvg: Missing child element(s). Expected is ( "
         "{http://datacite.org/schema/kernel-4}creator ). at line 4, column 0", "uid": "10.14454/4k3m-nyvg"},
    ]})
    error = classify_response(422, text)
    assert error.key == "missing-mandatory-property"
    assert error.title == "Can't be blank" and error.source == "url" and error.doi == "10.14454/4k3m-nyvg"
    assert len(error.errors) == 2


def test_search_error_object_is_a_validation_error_without_key():
    text = json.dumps({"errors": {"title": "failed to parse date field [2020-2022] with format [yyyy]"}})
    error = classify_response(400, text)
    assert isinstance(error, ValidationError)
    assert error.key == "" and error.article == ""
    assert error.title == "failed to parse date field [2020-2022] with format [yyyy]"
    assert error.explanation and error.fix


def test_rate_limit_reads_retry_after_seconds_and_dates():
    error = classify_response(429, "Your request has been rate limited.", {"Retry-After": "7"})
    assert isinstance(error, RateLimited) and error.retryable
    assert error.retry_after == 7.0 and error.key == "rate-limited"
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT") == 0.0  # in the past: no wait
    assert parse_retry_after("soon") is None
    assert classify_response(429, "").retry_after is None


def test_html_error_pages_are_outages_with_their_title():
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
    error = classify_response(502, page, {"Content-Type": "text/html"})
    assert isinstance(error, OutageError)
    assert error.key == "datacite-unavailable" and error.title == "502 Bad Gateway" and error.retryable


def test_load_balancer_403_html_is_rate_limiting_not_permission():
    page = "<html><head><title>403 Forbidden</title></head><body>403 Forbidden</body></html>"
    error = classify_response(403, page, {"Content-Type": "text/html", "Server": "awselb/2.0"})
    assert error.key == "rate-limited"
    plain = classify_response(403, body({"status": "403", "title": "You are not authorized to access this "
                                          "resource."}), {"Server": "awselb/2.0"})
    assert plain.key == "not-authorized"


def test_redirects_are_errors_that_are_not_retried():
    error = classify_response(302, "", {"Location": "https://elsewhere.example/dois"})
    assert error.error_class == "outage" and not error.retryable
    assert "elsewhere.example" in error.title


def test_unexpected_success_body_is_not_retried():
    error = classify_response(200, "<html><title>Maintenance</title></html>")
    assert error.error_class == "outage" and not error.retryable and error.title == "Maintenance"


def test_error_text_names_status_and_title_only():
    error = classify_response(401, body({"status": "401", "title": "Bad credentials."}))
    assert isinstance(error, AuthError) and error.credential_problem
    assert str(error) == "DataCite HTTP 401: Bad credentials."
    assert "bad-credentials" in repr(error)


def test_unknown_key_is_refused():
    with pytest.raises(ValueError, match="unknown failure-mode key"):
        AuthError(key="no-such-key")
