"""DOIs, repository IDs, prefixes, domains and ROR IDs, as DataCite reads them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import identifiers as ids


@pytest.mark.parametrize(("text", "doi"), [
    ("10.5438/ABC.DEF-1", "10.5438/abc.def-1"),
    ("https://doi.org/10.5438/abc", "10.5438/abc"),
    ("doi:10.5438/abc.", "10.5438/abc"),
    ("http://dx.doi.org/10.1234/x(1)", "10.1234/x(1)"),
    ("10.1234/x(1))", "10.1234/x(1)"),
    ("10.12/abc", None),
    ("11.1234/abc", None),
    ("", None),
])
def test_normalise_doi(text, doi):
    assert ids.normalise_doi(text) == doi


def test_find_dois_in_free_text():
    text = ("Publishing 10.80001/UNIX.2024-17 failed; also see https://doi.org/10.80001/unix.2024-18, "
            "and (10.80001/unix.2024-17) again.")
    assert ids.find_dois(text) == ["10.80001/unix.2024-17", "10.80001/unix.2024-18"]


@given(st.text())
def test_find_dois_never_raises_and_returns_normalised(text):
    for doi in ids.find_dois(text):
        assert doi == doi.lower() and doi.startswith("10.") and ids.normalise_doi(doi) == doi


@pytest.mark.parametrize(("value", "ok"), [
    ("UNIX.DATA", True), ("DATACITE.TEST", True), ("ABC.REPO-1", True), ("AB.C", False), ("UNIX", False),
    ("unix.data", False), ("UNIX.DATA-1-2", False), ("UNIX.A_B", False), ("VERYLONGMEMBER.REPO1", False),
])
def test_repository_id_rule(value, ok):
    assert (ids.repository_id_problem(value) is None) is ok


def test_find_repository_ids_only_known_ones():
    assert ids.find_repository_ids("Our unix.data repo, not FOO.BAR", {"UNIX.DATA"}) == ["UNIX.DATA"]


@pytest.mark.parametrize(("value", "ok"), [("10.5438", True), ("10.123", False), ("10.5438/x", False), ("5438", False)])
def test_prefix_rule(value, ok):
    assert (ids.prefix_problem(value) is None) is ok


def test_parse_prefixes_normalises_and_dedupes():
    assert ids.parse_prefixes(" 10.5438, https://doi.org/10.80001 10.5438;") == ["10.5438", "10.80001"]


@pytest.mark.parametrize(("domains", "ok"), [
    ("*", True), ("data.example.org", True), ("*.example.org,example.org", True), ("", False),
    ("not a domain", False), ("http://example.org", False), ("localhost", False),
])
def test_domains_rule(domains, ok):
    assert (ids.domains_problem(ids.normalise_domains(domains)) is None) is ok


@pytest.mark.parametrize(("host", "domains", "allowed"), [
    ("data.unix.example", "unix.example", False),
    ("data.unix.example", "*.unix.example", True),
    ("unix.example", "*.unix.example", False),
    ("unix.example", "unix.example", True),
    ("anything.org", "*", True),
    ("anything.org", "", False),
])
def test_datacite_domain_matching(host, domains, allowed):
    assert ids.url_allowed_by_domains(host, domains) is allowed


@pytest.mark.parametrize(("value", "ok"), [
    ("04wxnsj81", True), ("https://ror.org/04wxnsj81", True), ("04wxnsj82", False), ("4wxnsj81", False),
    ("04wxnsi81", False), ("", True),
])
def test_ror_checksum(value, ok):
    assert (ids.ror_problem(ids.normalise_ror(value)) is None) is ok


def test_countries_are_iso_codes():
    countries = ids.countries()
    assert len(countries) == 249 and countries["DE"] == "Germany"
    assert ids.country_problem("XX") and ids.country_problem("FI") is None
