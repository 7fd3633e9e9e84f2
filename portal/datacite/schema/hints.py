"""Plain-language fixes for support agents, one per kind of problem."""

from __future__ import annotations

from portal.datacite.schema.catalog import CONTROLLED, arrival_of, removal_of, version_key

_REMOVED_HINTS: dict[tuple[str, str], str] = {
    ("contributorType", "Funder"): (
        "Schema 4 dropped the contributor type Funder: remove this contributor and describe the funder in "
        "fundingReferences (funderName, and funderIdentifier with its type, e.g. ROR or Crossref Funder ID)."
    ),
    ("dateType", "StartDate"): "StartDate was dropped in schema 3: send one date with a range 'start/end' instead.",
    ("dateType", "EndDate"): "EndDate was dropped in schema 3: send one date with a range 'start/end' instead.",
    ("resourceTypeGeneral", "Film"): "Film was dropped in schema 3: use Audiovisual.",
}

_LIST_WORDS: dict[str, str] = {
    "resourceTypeGeneral": "resource type", "relationType": "relation type",
    "relatedIdentifierType": "identifier type", "contributorType": "contributor type", "dateType": "date type",
    "descriptionType": "description type", "titleType": "title type", "funderIdentifierType": "funder identifier type",
    "nameType": "name type", "numberType": "number type",
}


def controlled_value_hint(list_name: str, value: object, version: str) -> str:
    """Why a controlled value is refused in a version, and what to send instead."""
    word = _LIST_WORDS.get(list_name, list_name)
    if not isinstance(value, str):
        return f"The {word} must be one of the listed words, written as text."
    removed = removal_of(list_name, value)
    if removed:
        return _REMOVED_HINTS.get((list_name, value), f"{value} was removed in schema {removed}; choose a current {word}.")
    arrived = arrival_of(list_name, value)
    if arrived and version_key(arrived) > version_key(version):
        return (f"The {word} '{value}' exists only since schema {arrived}; this record was checked against "
                f"{version}. Check it against {arrived} or later, or choose a {word} that {version} has.")
    matches = [v for v in CONTROLLED.get(list_name, {}) if v.lower() == value.strip().lower()]
    if matches:
        return f"Values are case-sensitive and exact: write '{matches[0]}'."
    return f"'{value}' is not a DataCite {word}. Map the local value to one of the listed ones (case-sensitive)."


def feature_hint(feature: str, arrived: str, version: str) -> str:
    """Why a property is refused in an older version."""
    return (f"The {feature} exists only since schema {arrived}; this record was checked against {version}. "
            f"Check it against {arrived} or later, or leave the {feature} out.")


MISSING = {
    "url": "Registered and findable DOIs need the landing page URL (http or https); drafts may go without.",
    "creators": "Add at least one creator with a name (\"Family, Given\" for people, or an organisation name).",
    "titles": "Add at least one title with text.",
    "publisher": "Name the publisher (the repository or organisation that holds the resource).",
    "publicationYear": "Give the year of publication as four digits, e.g. 2026.",
    "types": "Choose the general resource type (types.resourceTypeGeneral), e.g. Dataset, Software or Text.",
}

SHAPE = ("This must be a JSON object with named fields, not plain text: see DataCite's XML-to-JSON mapping "
         "(for example {\"title\": \"...\"} instead of \"...\").")
DOI = "A DOI looks like 10.1234/abc-def: 10., four or five digits, a slash, then letters, digits or -._;()/:"
URL = "Give a full address starting with https:// (or http://), without spaces."
YEAR = "Give the year as four digits, e.g. 2026 (no dates, ranges or words)."
BLANK = "This value may not be empty: fill it in or leave the whole entry out."
NAME = "Every creator and contributor needs a name (\"Family, Given\" for people)."
CONTRIBUTOR_TYPE = "Every contributor needs a contributorType, e.g. ContactPerson, DataCurator or Other."
LANGUAGE = "Use an IETF language tag such as en, de or en-GB."
RIGHTS_LENGTH = "Shorten the rights text to at most 2000 characters and link the full licence with rightsUri."
REQUIRED_ATTRIBUTE = "Add the missing {attribute}; DataCite requires it on every {what}."
SCHEMA3 = ("DataCite stopped accepting schema 3 in January 2025: send kernel-4 XML (namespace "
           "http://datacite.org/schema/kernel-4), add resourceTypeGeneral, and move Funder contributors to "
           "fundingReferences.")
XML_SYNTAX = ("The XML is not well-formed, often an unescaped & or < in a title or name: build the XML with an XML "
              "library (or write &amp; and &lt;) and send it as UTF-8.")
XML_NAMESPACE = "The root element must be <resource xmlns=\"http://datacite.org/schema/kernel-4\">."
XSD = "The record does not match the DataCite XSD at this line; compare it with the schema documentation."
