"""What DataCite would refuse when a DOI with these REST JSON attributes is registered or published."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from portal.datacite.schema import hints
from portal.datacite.schema import problems as say
from portal.datacite.schema.catalog import LATEST, allowed_values, check_version, ordered_values, version_key
from portal.datacite.schema.problems import Problem
from portal.datacite.schema.rules import OBJECT_LABELS, PLAIN_NAMES, source_rank
from portal.datacite.schema.shapes import as_list, dicts, filled, text
from portal.datacite.schema.usage import feature_uses, value_uses

Add = Callable[[Problem], None]

_DOI = re.compile(r"^10\.\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+$")
_YEAR = re.compile(r"^\d{4}$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_URL_SCHEMES = ("http", "https", "ftp")  # lupo's pattern also lets ftp:// through


def validate_attributes(attributes: dict[str, Any], version: str = LATEST) -> list[Problem]:
    """The problems DataCite would report for these attributes on register/publish, one per source.

    Sources are REST attribute names; titles quote DataCite's wording where it is known. The order is
    DataCite's attribute order. Never raises on odd input (only on an unknown version).
    """
    check_version(version)
    if not isinstance(attributes, dict):
        return [Problem("attributes", "Attributes should be an object.", hints.SHAPE)]
    found: dict[str, Problem] = {}

    def add(problem: Problem) -> None:
        found.setdefault(problem.source, problem)  # DataCite keeps the first message per source

    for check in (_doi, _url, _shapes, _creators, _titles, _publisher, _year, _types, _contributors,
                  _required_attributes, _language, _rights):
        check(attributes, add)
    _features(attributes, version, add)  # "not in this version at all" explains more than a bad value inside it
    _controlled(attributes, version, add)
    return sorted(found.values(), key=lambda p: source_rank(p.source))


def _doi(attributes: dict[str, Any], add: Add) -> None:
    # The DOI often travels in the URL or data.id instead, so only a DOI that is given is checked.
    doi = attributes.get("doi")
    if doi is not None and not (isinstance(doi, str) and _DOI.match(doi.strip())):
        add(Problem("doi", say.DOI_INVALID, hints.DOI))


def _url(attributes: dict[str, Any], add: Add) -> None:
    url = attributes.get("url")
    if not filled(url):
        add(Problem("url", say.CANT_BE_BLANK, hints.MISSING["url"]))
        return
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in _URL_SCHEMES or not parts.netloc or any(c.isspace() for c in url):
        add(Problem("url", say.URL_NOT_VALID, hints.URL))


def _shapes(attributes: dict[str, Any], add: Add) -> None:
    for key, label in OBJECT_LABELS.items():
        for item in as_list(attributes.get(key)):
            if not isinstance(item, dict):
                source = "identifiers" if key == "alternateIdentifiers" else key
                add(Problem(source, say.object_expected(label, item), hints.SHAPE))
                break
    for key, label in (("types", "Types"), ("container", "Container")):
        value = attributes.get(key)
        if value is not None and not isinstance(value, dict):
            add(Problem(key, say.object_expected(label, value), hints.SHAPE))


def _named(person: dict[str, Any]) -> bool:
    return filled(person.get("name")) and not isinstance(person.get("name"), dict | list)


def _creators(attributes: dict[str, Any], add: Add) -> None:
    creators = as_list(attributes.get("creators"))
    if not creators:
        add(Problem("creators", say.missing_child("creator"), hints.MISSING["creators"]))
    elif any(not _named(c) for c in dicts(creators)):
        add(Problem("creators", say.missing_child("creatorName"), hints.NAME))


def _titles(attributes: dict[str, Any], add: Add) -> None:
    titles = as_list(attributes.get("titles"))
    if not titles:
        add(Problem("titles", say.missing_child("title"), hints.MISSING["titles"]))
    elif not any(text(t.get("title")) for t in dicts(titles)):
        add(Problem("titles", say.too_short(), hints.MISSING["titles"]))


def _publisher(attributes: dict[str, Any], add: Add) -> None:
    publisher = attributes.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else publisher
    if publisher is None:
        add(Problem("publisher", say.CANT_BE_BLANK, hints.MISSING["publisher"]))
    elif isinstance(name, dict | list) or not text(name):
        add(Problem("publisher", say.too_short(), hints.MISSING["publisher"]))


def _year(attributes: dict[str, Any], add: Add) -> None:
    year = attributes.get("publicationYear")
    if year is None:
        add(Problem("publicationYear", say.CANT_BE_BLANK, hints.MISSING["publicationYear"]))
        return
    shown = year if isinstance(year, str) else say.ruby_inspect(year)
    if isinstance(year, bool) or not isinstance(year, int | str) or not _YEAR.match(str(year).strip()):
        add(Problem("publicationYear", say.year_pattern(shown), hints.YEAR))


def _types(attributes: dict[str, Any], add: Add) -> None:
    types = attributes.get("types")
    if types is None or (isinstance(types, dict) and not filled(types.get("resourceTypeGeneral"))):
        add(Problem("types", say.required_attribute("resourceTypeGeneral"), hints.MISSING["types"]))


def _contributors(attributes: dict[str, Any], add: Add) -> None:
    for contributor in dicts(attributes.get("contributors")):
        if not filled(contributor.get("contributorType")):
            add(Problem("contributors", say.contributor_type_missing(contributor), hints.CONTRIBUTOR_TYPE))
        if not _named(contributor):
            add(Problem("contributors", say.CONTRIBUTOR_NAME_MISSING, hints.NAME))


# (REST array, key that must be filled, XML attribute named in the message, what it sits on)
_REQUIRED: tuple[tuple[str, str, str, str], ...] = (
    ("dates", "dateType", "dateType", "date"),
    ("relatedIdentifiers", "relatedIdentifierType", "relatedIdentifierType", "related identifier"),
    ("relatedIdentifiers", "relationType", "relationType", "related identifier"),
    ("descriptions", "descriptionType", "descriptionType", "description"),
    ("relatedItems", "relatedItemType", "relatedItemType", "related item"),
    ("relatedItems", "relationType", "relationType", "related item"),
)


def _required_attributes(attributes: dict[str, Any], add: Add) -> None:
    for source, key, attribute, what in _REQUIRED:
        if any(not filled(item.get(key)) for item in dicts(attributes.get(source))):
            hint = hints.REQUIRED_ATTRIBUTE.format(attribute=attribute, what=what)
            add(Problem(source, say.required_attribute(attribute), hint))
    for funding in dicts(attributes.get("fundingReferences")):
        if not filled(funding.get("funderName")):
            add(Problem("fundingReferences", say.missing_child("funderName"),
                        "Every funding reference needs the funder's name (funderName)."))
        elif filled(funding.get("funderIdentifier")) and not filled(funding.get("funderIdentifierType")):
            hint = hints.REQUIRED_ATTRIBUTE.format(attribute="funderIdentifierType", what="funder identifier")
            add(Problem("fundingReferences", say.required_attribute("funderIdentifierType"), hint))


def _language(attributes: dict[str, Any], add: Add) -> None:
    language = attributes.get("language")
    if language is None or language == "":
        return
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        add(Problem("language", say.language_invalid(language), hints.LANGUAGE))


def _rights(attributes: dict[str, Any], add: Add) -> None:
    if any(len(text(r.get("rights"))) > 2000 for r in dicts(attributes.get("rightsList"))):
        add(Problem("rightsList", say.RIGHTS_TOO_LONG, hints.RIGHTS_LENGTH))


def _controlled(attributes: dict[str, Any], version: str, add: Add) -> None:
    for use in value_uses(attributes):
        allowed = allowed_values(use.list_name, version)
        if not allowed:
            continue  # the attribute itself is newer than the version: _features reports it
        if isinstance(use.value, str) and use.value in allowed:
            continue
        hint = hints.controlled_value_hint(use.list_name, use.value, version)
        if use.list_name == "contributorType":
            shown = use.value if isinstance(use.value, str) else say.ruby_inspect(use.value)
            add(Problem(use.source, say.contributor_type_unsupported(use.item, shown), hint))
        else:
            shown = use.value if isinstance(use.value, str) else say.ruby_inspect(use.value)
            add(Problem(use.source, say.enumeration(shown, ordered_values(use.list_name, version)), hint))


def _features(attributes: dict[str, Any], version: str, add: Add) -> None:
    for feature in feature_uses(attributes):
        if version_key(feature.version) <= version_key(version):
            continue
        title = say.element_not_expected() if feature.element else say.attribute_not_allowed(feature.name)
        plain = PLAIN_NAMES.get(feature.source, feature.source)
        add(Problem(feature.source, title, hints.feature_hint(f"{feature.feature} (in {plain})", feature.version, version)))
