"""How far a record goes beyond the mandatory minimum, over the properties DataCite recommends.

Mandatory properties are a gate: while any is missing the score is 0. Otherwise the score is the
weighted share of the recommended items present, with double weight for the high-value links DataCite
singles out (ORCID, ROR, abstract, licence, related works, funder IDs). Appendix-3 placeholders such as
":unav" count as missing. DataCite itself publishes per-property percentages, not one number, so the
weights are ours; each item maps to a property its Metadata Dashboard also reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.datacite.schema.shapes import dicts, informative, lowered, text


@dataclass(frozen=True)
class Completeness:
    """A score from 0 to 1 and the names of the items present and missing."""

    score: float
    present: list[str]
    missing: list[str]


Check = Callable[[dict[str, Any]], bool]


def _people(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    return dicts(attributes.get("creators")) + dicts(attributes.get("contributors"))


def _has_orcid(attributes: dict[str, Any]) -> bool:
    return any(
        lowered(n.get("nameIdentifierScheme")) == "orcid" or "orcid.org/" in lowered(n.get("nameIdentifier"))
        for creator in dicts(attributes.get("creators")) for n in dicts(creator.get("nameIdentifiers"))
    )


def _is_ror(scheme: Any, identifier: Any) -> bool:
    return lowered(scheme) == "ror" or "ror.org/" in lowered(identifier)


def _has_affiliation_ror(attributes: dict[str, Any]) -> bool:
    for person in _people(attributes):
        if any(_is_ror(a.get("affiliationIdentifierScheme"), a.get("affiliationIdentifier"))
               for a in dicts(person.get("affiliation"))):
            return True
        if lowered(person.get("nameType")) == "organizational" and any(
            _is_ror(n.get("nameIdentifierScheme"), n.get("nameIdentifier")) for n in dicts(person.get("nameIdentifiers"))
        ):
            return True
    return False


def _has_abstract(attributes: dict[str, Any]) -> bool:
    return any(text(d.get("descriptionType")) == "Abstract" and informative(d.get("description"))
               for d in dicts(attributes.get("descriptions")))


def _has_licence(attributes: dict[str, Any]) -> bool:
    return any(informative(r.get("rightsIdentifier")) or informative(r.get("rightsUri"))
               for r in dicts(attributes.get("rightsList")))


def _has_related(attributes: dict[str, Any]) -> bool:
    return any(informative(r.get("relatedIdentifier")) for r in dicts(attributes.get("relatedIdentifiers"))) or bool(
        dicts(attributes.get("relatedItems")))


def _has_funder_id(attributes: dict[str, Any]) -> bool:
    return any(informative(f.get("funderIdentifier")) for f in dicts(attributes.get("fundingReferences")))


def _has_subject_scheme(attributes: dict[str, Any]) -> bool:
    return any(informative(s.get("subject")) and (informative(s.get("subjectScheme")) or informative(s.get("valueUri")))
               for s in dicts(attributes.get("subjects")))


def _has_typed_contributor(attributes: dict[str, Any]) -> bool:
    return any(informative(c.get("name")) and informative(c.get("contributorType"))
               for c in dicts(attributes.get("contributors")))


def _has_key_date(attributes: dict[str, Any]) -> bool:
    return any(text(d.get("dateType")) in ("Issued", "Created") and informative(d.get("date"))
               for d in dicts(attributes.get("dates")))


def _has_geolocation(attributes: dict[str, Any]) -> bool:
    return any(any(informative(v) for v in g.values()) for g in dicts(attributes.get("geoLocations")))


def _has_publisher_id(attributes: dict[str, Any]) -> bool:
    publisher = attributes.get("publisher")
    return isinstance(publisher, dict) and informative(publisher.get("publisherIdentifier"))


def _mandatory_present(attributes: dict[str, Any]) -> dict[str, bool]:
    types = attributes.get("types")
    publisher = attributes.get("publisher")
    return {
        "identifier": informative(attributes.get("doi")) or informative(attributes.get("id")),
        "creator name": any(informative(c.get("name")) for c in dicts(attributes.get("creators"))),
        "title": any(informative(t.get("title")) for t in dicts(attributes.get("titles"))),
        "publisher": informative(publisher.get("name") if isinstance(publisher, dict) else publisher),
        "publication year": informative(attributes.get("publicationYear")),
        "resource type": isinstance(types, dict) and informative(types.get("resourceTypeGeneral")),
        "landing page URL": informative(attributes.get("url")),
    }


# (item name, weight, check): weight 2 for what DataCite calls out as most valuable for discovery.
RECOMMENDED_ITEMS: tuple[tuple[str, int, Check], ...] = (
    ("creator ORCID", 2, _has_orcid),
    ("affiliation ROR", 2, _has_affiliation_ror),
    ("abstract", 2, _has_abstract),
    ("licence", 2, _has_licence),
    ("related identifiers", 2, _has_related),
    ("funder identifier", 2, _has_funder_id),
    ("subjects with scheme", 1, _has_subject_scheme),
    ("contributors with type", 1, _has_typed_contributor),
    ("issued or created date", 1, _has_key_date),
    ("geolocation", 1, _has_geolocation),
    ("publisher identifier", 1, _has_publisher_id),
    ("language", 1, lambda a: informative(a.get("language"))),
    ("version", 1, lambda a: informative(a.get("version"))),
)


def completeness(attributes: dict[str, Any]) -> Completeness:
    """Score a REST JSON record: 0 while a mandatory property is missing, else the weighted recommended share."""
    if not isinstance(attributes, dict):
        attributes = {}
    present: list[str] = []
    missing: list[str] = []
    for name, ok in _mandatory_present(attributes).items():
        (present if ok else missing).append(name)
    gate_open = not missing
    earned = total = 0
    for name, weight, check in RECOMMENDED_ITEMS:
        total += weight
        if check(attributes):
            earned += weight
            present.append(name)
        else:
            missing.append(name)
    score = round(earned / total, 4) if gate_open else 0.0
    return Completeness(score=score, present=present, missing=missing)
