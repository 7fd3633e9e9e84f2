"""Recognising DataCite error messages pasted into tickets, whatever DOI, URL or line number they carry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.datacite.errors import FAILURE_MODES, classify_text

PASTED = [
    ("We get {\"errors\":[{\"status\":\"401\",\"title\":\"Bad credentials.\"}]} since Monday", "bad-credentials"),
    ("MDS says: 401 Bad credentials", "bad-credentials"),
    ("HTTP 403: You are not authorized to access this resource.", "not-authorized"),
    ("Publishing failed: 10.82785/ab12-cd34 This DOI has already been taken", "doi-already-taken"),
    ("URL https://repo.uni-example.de/record/77 is not allowed by repository UNIX.REPO domain settings.",
     "url-domain-not-allowed"),
    ("DOI 10.5281/zenodo.1234: Missing child element(s). Expected is ( "
     "{http://datacite.org/schema/kernel-4}publisher ). at line 17, column 0", "missing-mandatory-property"),
    ("Error: url - Can\u2019t be blank", "missing-mandatory-property"),
    ("DOI 10.48550/xyz: [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum "
     "length of '1'. at line 33, column 0", "empty-value"),
    ("[facet 'enumeration'] The value 'Blog' is not an element of the set {'Audiovisual', 'Book', 'Dataset'}",
     "invalid-value"),
    ("DOI 10.1000/1: [facet 'pattern'] The value '20' is not accepted by the pattern '[\\d]{4}'. at line 9",
     "invalid-value"),
    ("DOI 10.14454/0000-0003: Schema http://datacite.org/schema/kernel-3 is no longer supported",
     "schema-3-not-supported"),
    ("Schema http://datacite.org/schema/kernel-2.2 is no longer supported", "schema-3-not-supported"),
    ("400 [xml] xml error: The entity name must immediately follow the '&amp;' in the entity reference.",
     "xml-parse-error"),
    ("xmlParseEntityRef: no name at line 12, column 48", "xml-parse-error"),
    ("Contributor '{\"name\"=>\"Jones\"}' is missing a required element: contributor type.", "json-shape"),
    ("Subject 'chemistry' should be an object instead of a string.", "json-shape"),
    ("The publisher name contains https://ror.org/04wxnsj81 and the ROR is not accepted", "publisher-affiliation"),
    ("affiliationIdentifier missing scheme", "publisher-affiliation"),
    ("DELETE /dois/10.5438/0012 returned 405 Method not allowed", "cannot-delete-registered"),
    ("MDS 412 Precondition failed when minting", "mds-metadata-first"),
    ("Your request has been rate limited. Please slow down.", "rate-limited"),
    ("<html><head><title>502 Bad Gateway</title></head></html>", "datacite-unavailable"),
    ("The read operation timed out", "datacite-unavailable"),
    ("Got status 503 from api.datacite.org", "datacite-unavailable"),
    ("The resource you are looking for doesn't exist.", "doi-not-found"),
    ("MDS: DOI is unknown to MDS", "doi-not-found"),
]


@pytest.mark.parametrize(("text", "key"), PASTED)
def test_pasted_messages_are_recognised(text, key):
    mode = classify_text(text)
    assert mode is not None, text
    assert mode.key == key
    assert mode is FAILURE_MODES[key]


@pytest.mark.parametrize("text", ["", "   ", "Our landing page looks odd in Firefox", "Can we get a new prefix?",
                                  "Please change the contact of UNIX.REPO"])
def test_unrelated_text_is_not_classified(text):
    assert classify_text(text) is None


def test_a_message_that_spans_lines_in_an_email_is_recognised():
    text = "Hello,\n> URL https://data.example.org/x\n> is not allowed by repository\n> ABC.DEF domain settings.\nThanks"
    text = text.replace("> ", "")
    mode = classify_text(text)
    assert mode is not None and mode.key == "url-domain-not-allowed"


dois = st.from_regex(r"10\.[0-9]{4,5}/[a-z0-9]{2,8}(-[a-z0-9]{2,6})?", fullmatch=True)
lines = st.integers(min_value=1, max_value=99999)
hosts = st.from_regex(r"[a-z]{2,10}\.(org|de|edu|ac\.uk)", fullmatch=True)
repos = st.from_regex(r"[A-Z]{2,6}\.[A-Z0-9]{2,8}", fullmatch=True)


@given(doi=dois, line=lines, column=lines)
def test_missing_element_is_stable_whatever_doi_and_position(doi, line, column):
    text = (f"DOI {doi}: Missing child element(s). Expected is ( {{http://datacite.org/schema/kernel-4}}title ). "
            f"at line {line}, column {column}")
    assert classify_text(text).key == "missing-mandatory-property"


@given(host=hosts, repo=repos, doi=dois)
def test_domain_message_is_stable_whatever_url_and_repository(host, repo, doi):
    text = f"PUT /dois/{doi}: URL https://{host}/landing/{doi} is not allowed by repository {repo} domain settings."
    assert classify_text(text).key == "url-domain-not-allowed"


@given(doi=dois, version=st.sampled_from(["2.1", "2.2", "3", "3.0", "3.1"]))
def test_schema3_message_is_stable_whatever_doi_and_old_version(doi, version):
    text = f"DOI {doi}: Schema http://datacite.org/schema/kernel-{version} is no longer supported"
    assert classify_text(text).key == "schema-3-not-supported"
