"""Shared test material for the schema tests: the shared XSD folder, a minimal record in XML and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import shared_path

XS = "{http://www.w3.org/2001/XMLSchema}"


def schema_dir() -> Path:
    """The official XSDs and examples (skips the test when ../shared is absent)."""
    return shared_path("datacite-schema")


def examples(version: str) -> list[Path]:
    """The official example records of one version."""
    return sorted((schema_dir() / f"kernel-{version}" / "example").glob("*.xml"))


# A one-polygon geolocation with four points (the minimum the XSD allows).
POLYGON = "".join(
    f"<polygonPoint><pointLongitude>{lon}</pointLongitude><pointLatitude>{lat}</pointLatitude></polygonPoint>"
    for lon, lat in ((1, 1), (2, 1), (2, 2), (1, 1))
)


def record_xml(*, creator: str = "", publisher: str = "", rtg: str = "Dataset", extra: str = "",
               identifier: str = '<identifier identifierType="DOI">10.5072/EXAMPLE-1</identifier>',
               location: str = "kernel-4") -> str:
    """A minimal valid kernel-4 record; the arguments splice attributes or elements in."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<resource xmlns="http://datacite.org/schema/kernel-4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/{location}/metadata.xsd">
  {identifier}
  <creators><creator><creatorName{creator}>Doe, Jane</creatorName></creator></creators>
  <titles><title>An example</title></titles>
  <publisher{publisher}>Example Repository</publisher>
  <publicationYear>2026</publicationYear>
  <resourceType resourceTypeGeneral="{rtg}">Thing</resourceType>
  {extra}
</resource>
"""


def record_json(**changes: Any) -> dict[str, Any]:
    """A minimal REST JSON record that DataCite accepts under every 4.x version; keyword args replace keys."""
    attributes: dict[str, Any] = {
        "doi": "10.5072/example-1",
        "url": "https://repository.example.org/records/1",
        "creators": [{"name": "Doe, Jane"}],
        "titles": [{"title": "An example"}],
        "publisher": "Example Repository",
        "publicationYear": 2026,
        "types": {"resourceTypeGeneral": "Dataset"},
    }
    attributes.update(changes)
    return attributes
