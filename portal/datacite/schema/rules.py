"""Obligations of the 4.x properties, in REST JSON attribute names, and the order problems are listed in."""

from __future__ import annotations

# "doi" is the identifier (it may also travel in the URL or data.id); "types" means types.resourceTypeGeneral.
MANDATORY: tuple[str, ...] = ("doi", "creators", "titles", "publisher", "publicationYear", "types")
RECOMMENDED: tuple[str, ...] = ("subjects", "contributors", "dates", "relatedIdentifiers", "descriptions", "geoLocations")
OPTIONAL: tuple[str, ...] = (
    "language", "identifiers", "sizes", "formats", "version", "rightsList", "fundingReferences", "relatedItems",
)

# Not metadata, but DataCite refuses to register or publish without it.
REQUIRED_TO_REGISTER: tuple[str, ...] = ("url",)

# The order validation reports problems in: the order of DataCite's own attribute listing.
SOURCE_ORDER: tuple[str, ...] = (
    "attributes", "xml", "doi", "url", "identifiers", "creators", "titles", "publisher", "container",
    "publicationYear", "subjects", "contributors", "dates", "language", "types", "relatedIdentifiers",
    "relatedItems", "sizes", "formats", "version", "rightsList", "descriptions", "geoLocations",
    "fundingReferences", "landingPage",
)

# REST array attribute -> the label lupo uses in "... should be an object instead of a string."
OBJECT_LABELS: dict[str, str] = {
    "identifiers": "Identifier",
    "alternateIdentifiers": "Identifier",
    "creators": "Creator",
    "titles": "Title",
    "subjects": "Subject",
    "contributors": "Contributor",
    "dates": "Date",
    "relatedIdentifiers": "Related identifier",
    "relatedItems": "Related item",
    "rightsList": "Rights",
    "descriptions": "Description",
    "geoLocations": "Geolocation",
    "fundingReferences": "Funding reference",
}

# What each REST attribute is called in plain words, for hints.
PLAIN_NAMES: dict[str, str] = {
    "doi": "the DOI", "url": "the landing page URL", "creators": "the creators", "titles": "the titles",
    "publisher": "the publisher", "publicationYear": "the publication year", "types": "the resource type",
    "subjects": "the subjects", "contributors": "the contributors", "dates": "the dates",
    "language": "the language", "identifiers": "the alternate identifiers",
    "relatedIdentifiers": "the related identifiers", "relatedItems": "the related items",
    "rightsList": "the rights", "descriptions": "the descriptions", "geoLocations": "the geolocations",
    "fundingReferences": "the funding references", "container": "the container", "sizes": "the sizes",
    "formats": "the formats", "version": "the version",
}


def source_rank(source: str) -> tuple[int, str]:
    """Sort key placing sources in DataCite's attribute order, unknown ones last by name."""
    try:
        return (SOURCE_ORDER.index(source), "")
    except ValueError:
        return (len(SOURCE_ORDER), source)
