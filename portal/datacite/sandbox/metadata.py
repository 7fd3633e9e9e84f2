"""Input rules for DOI metadata attributes: what DataCite accepts, renames, normalises and silently drops."""

from __future__ import annotations

import re
from typing import Any

# Metadata attributes kept in the JSON document of a DOI; everything else is state or bookkeeping.
METADATA_KEYS = (
    "identifiers", "creators", "titles", "publisher", "container", "publicationYear", "subjects",
    "contributors", "dates", "language", "types", "relatedIdentifiers", "relatedItems", "sizes", "formats",
    "version", "rightsList", "descriptions", "geoLocations", "fundingReferences", "contentUrl",
)
# Attributes that must be lists of objects, with the noun DataCite uses when one is a string.
OBJECT_LISTS = {
    "titles": "Title", "creators": "Creator", "contributors": "Contributor", "dates": "Date",
    "subjects": "Subject", "rightsList": "Rights", "descriptions": "Description", "identifiers": "Identifier",
    "relatedIdentifiers": "Related identifier", "relatedItems": "Related item",
    "fundingReferences": "Funding reference", "geoLocations": "Geo location",
}
NAME_KEYS = ("name", "nameType", "givenName", "familyName", "affiliation", "nameIdentifiers", "contributorType", "lang")
PUBLISHER_KEYS = ("name", "publisherIdentifier", "publisherIdentifierScheme", "schemeUri", "lang")
AFFILIATION_KEYS = ("name", "affiliationIdentifier", "affiliationIdentifierScheme", "schemeUri")
LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

SPDX_SCHEME_URI = "https://spdx.org/licenses/"
# A few SPDX licences normalised as DataCite does (identifier -> name, canonical URL).
SPDX = {
    "cc-by-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/legalcode"),
    "cc-by-sa-4.0": ("Creative Commons Attribution Share Alike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/legalcode"),
    "cc-by-nc-4.0": ("Creative Commons Attribution Non Commercial 4.0 International", "https://creativecommons.org/licenses/by-nc/4.0/legalcode"),
    "cc-by-nc-sa-4.0": ("Creative Commons Attribution Non Commercial Share Alike 4.0 International", "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode"),
    "cc-by-nc-nd-4.0": ("Creative Commons Attribution Non Commercial No Derivatives 4.0 International", "https://creativecommons.org/licenses/by-nc-nd/4.0/legalcode"),
    "cc-by-nd-4.0": ("Creative Commons Attribution No Derivatives 4.0 International", "https://creativecommons.org/licenses/by-nd/4.0/legalcode"),
    "cc-by-3.0": ("Creative Commons Attribution 3.0 Unported", "https://creativecommons.org/licenses/by/3.0/legalcode"),
    "cc0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/legalcode"),
    "mit": ("MIT License", "https://opensource.org/licenses/MIT"),
    "apache-2.0": ("Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
}


class AttributeTypeError(ValueError):
    """A metadata attribute has the wrong JSON type; ``source`` names it as DataCite's 422 does."""

    def __init__(self, source: str, title: str) -> None:
        super().__init__(title)
        self.source = source
        self.title = title


def normalise_metadata(attributes: dict[str, Any]) -> dict[str, Any]:
    """The metadata attributes present in a request, normalised; absent ones are not included."""
    given = dict(attributes)
    if "alternateIdentifiers" in given and "identifiers" not in given:
        alternates = given["alternateIdentifiers"]
        given["identifiers"] = [
            {"identifierType": a.get("alternateIdentifierType"), "identifier": a.get("alternateIdentifier")}
            if isinstance(a, dict) else a
            for a in alternates
        ] if isinstance(alternates, list) else alternates
    out: dict[str, Any] = {}
    for key in METADATA_KEYS:
        if key in given:
            out[key] = _normalise(key, given[key])
    return out


def _normalise(key: str, value: Any) -> Any:
    if key in OBJECT_LISTS:
        items = _object_list(key, value)
        if key in ("creators", "contributors"):
            return [_name_entity(item) for item in items]
        if key == "identifiers":
            return [i for i in items if str(i.get("identifierType", "")).upper() != "DOI"]
        if key == "rightsList":
            return [spdx_rights(r) for r in items]
        return items
    if key == "publisher":
        return _publisher(value)
    if key == "publicationYear":
        return _year(value)
    if key == "version":
        return None if value in (None, "") else str(value)
    if key in ("types", "container"):
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise AttributeTypeError(key, f"{key.capitalize()} '{value}' should be an object instead of a string.")
        if key == "types":
            return {k: v for k, v in value.items() if k in ("resourceTypeGeneral", "resourceType") and v not in (None, "")}
        return value
    if key in ("sizes", "formats"):
        return [str(v) for v in value] if isinstance(value, list) else ([] if value in (None, "") else [str(value)])
    if key == "language":
        return normalise_language(value)
    if key == "contentUrl":
        return value if isinstance(value, list) or value is None else [value]
    return value


def _object_list(key: str, value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise AttributeTypeError(key, f"{OBJECT_LISTS[key]} '{item}' should be an object instead of a string.")
    return [dict(item) for item in items]


def _name_entity(item: dict[str, Any]) -> dict[str, Any]:
    """A creator or contributor with DataCite's always-present lists; unknown keys dropped."""
    entity = {k: item[k] for k in NAME_KEYS if k in item}
    if not entity.get("name") and (item.get("familyName") or item.get("givenName")):
        entity["name"] = ", ".join(p for p in (item.get("familyName"), item.get("givenName")) if p)
    entity["affiliation"] = [_affiliation(a) for a in _as_list(item.get("affiliation")) if a]
    entity["nameIdentifiers"] = [n for n in _as_list(item.get("nameIdentifiers")) if isinstance(n, dict)]
    return entity


def _affiliation(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: value[k] for k in AFFILIATION_KEYS if value.get(k) not in (None, "")}
    return {"name": str(value)}


def _publisher(value: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        return {k: value[k] for k in PUBLISHER_KEYS if value.get(k) not in (None, "")}
    return {"name": str(value)}


def _year(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip()
    return int(text[:4]) if re.match(r"^\d{4}", text) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def normalise_language(value: Any) -> str | None:
    """ISO 639 primary subtag for well-formed tags (``en-US`` -> ``en``); anything else kept for validation."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if LANGUAGE.match(text):
        primary = text.split("-", 1)[0]
        if 2 <= len(primary) <= 3:
            return primary.lower()
    return text


def language_problem(value: Any) -> str | None:
    """DataCite's message for a language tag it cannot read, or None."""
    if value in (None, "") or LANGUAGE.match(str(value)):
        return None
    return f"Language {value} is in an invalid format."


def spdx_rights(rights: dict[str, Any]) -> dict[str, Any]:
    """A rights entry rewritten to DataCite's SPDX form when its identifier or URL is a known licence."""
    ident = str(rights.get("rightsIdentifier") or "").strip().lower().replace(" ", "-")
    uri = str(rights.get("rightsUri") or rights.get("rightsURI") or "")
    key = ident if ident in SPDX else _licence_by_uri(uri)
    if key is None:
        out = {k: v for k, v in rights.items() if k != "rightsURI" and v not in (None, "")}
        if uri and "rightsUri" not in out:
            out["rightsUri"] = uri
        if out.get("rightsIdentifier"):
            out["rightsIdentifier"] = str(out["rightsIdentifier"]).lower()
        return out
    name, canonical = SPDX[key]
    out = {"rights": name, "rightsUri": canonical, "rightsIdentifier": key, "rightsIdentifierScheme": "SPDX",
           "schemeUri": SPDX_SCHEME_URI}
    if rights.get("lang"):
        out["lang"] = rights["lang"]
    return out


def _licence_by_uri(uri: str) -> str | None:
    plain = uri.strip().lower().replace("http://", "https://").removesuffix("/").removesuffix("/legalcode")
    for key, (_name, canonical) in SPDX.items():
        if plain and plain == canonical.lower().removesuffix("/legalcode"):
            return key
    return None


def licence_title(identifier: str) -> str:
    """Facet title for a licence: SPDX identifiers upper-cased (``cc-by-4.0`` -> ``CC-BY-4.0``), others raw."""
    return identifier.upper() if identifier in SPDX else identifier


def has_metadata(metadata: dict[str, Any]) -> bool:
    """True when any property a DataCite record needs is present (else the 'xml: Can't be blank' case)."""
    return any(metadata.get(k) for k in ("creators", "titles", "publisher", "publicationYear", "types"))
