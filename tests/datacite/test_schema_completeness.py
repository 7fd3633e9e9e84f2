"""completeness: the mandatory gate, and the recommended items DataCite values most."""

from __future__ import annotations

from portal.datacite.schema import completeness
from portal.datacite.schema.completeness import RECOMMENDED_ITEMS
from tests.datacite.schema_samples import record_json

ROR = "https://ror.org/04wxnsj81"
RICH = record_json(
    creators=[{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane", "familyName": "Doe",
               "nameIdentifiers": [{"nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                                    "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org"}],
               "affiliation": [{"name": "DataCite", "affiliationIdentifier": ROR, "affiliationIdentifierScheme": "ROR"}]}],
    publisher={"name": "DataCite", "publisherIdentifier": ROR, "publisherIdentifierScheme": "ROR"},
    descriptions=[{"description": "What the data is.", "descriptionType": "Abstract"}],
    rightsList=[{"rights": "CC BY 4.0", "rightsIdentifier": "cc-by-4.0", "rightsIdentifierScheme": "SPDX"}],
    relatedIdentifiers=[{"relatedIdentifier": "10.1/x", "relatedIdentifierType": "DOI", "relationType": "Cites"}],
    fundingReferences=[{"funderName": "EC", "funderIdentifier": "https://doi.org/10.13039/501100000780",
                        "funderIdentifierType": "Crossref Funder ID", "awardNumber": "1"}],
    subjects=[{"subject": "Chemistry", "subjectScheme": "FOS"}],
    contributors=[{"name": "Roe, Rick", "contributorType": "DataCurator"}],
    dates=[{"date": "2026-01-05", "dateType": "Issued"}],
    geoLocations=[{"geoLocationPlace": "Hannover"}],
    language="en",
    version="1.0",
)


def test_bare_minimum_record_scores_zero_with_everything_recommended_missing() -> None:
    result = completeness(record_json())
    assert result.score == 0.0
    assert "title" in result.present and "landing page URL" in result.present
    assert set(result.missing) == {name for name, _, _ in RECOMMENDED_ITEMS}


def test_rich_record_scores_one() -> None:
    result = completeness(RICH)
    assert result.score == 1.0 and result.missing == []


def test_high_value_items_weigh_double() -> None:
    with_orcid = completeness(record_json(creators=RICH["creators"][:1]))
    with_language = completeness(record_json(language="en"))
    assert with_orcid.score > 2 * with_language.score > 0  # ORCID and ROR (weight 2 each) vs language (1)
    assert {"creator ORCID", "affiliation ROR"} <= set(with_orcid.present)


def test_missing_mandatory_property_closes_the_gate() -> None:
    record = dict(RICH, titles=[{"title": ":unav"}])
    result = completeness(record)
    assert result.score == 0.0 and "title" in result.missing and "abstract" in result.present


def test_placeholders_count_as_missing() -> None:
    record = record_json(descriptions=[{"description": ":unav", "descriptionType": "Abstract"}], language=":unkn")
    result = completeness(record)
    assert "abstract" in result.missing and "language" in result.missing


def test_odd_input_scores_zero() -> None:
    for value in (None, [], "x", {"creators": "nobody"}):
        assert completeness(value).score == 0.0  # type: ignore[arg-type]
