"""One stored DOI: its state, bookkeeping, the columns filters and facets use, and its metadata document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from portal.datacite.sandbox.facets import year_of


@dataclass
class DoiRow:
    """One DOI as stored: state, bookkeeping, columns for filters and facets, and the metadata document."""

    doi: str
    prefix: str
    client_id: str
    provider_id: str
    state: str
    created_ms: int
    updated_ms: int
    registered_ms: int | None = None
    url: str | None = None
    source: str = "api"
    reason: str | None = None
    metadata_version: int = 0
    schema_version: str | None = None
    resource_type_general: str | None = None
    resource_type: str | None = None
    publication_year: int | None = None
    title_text: str = ""
    creator_text: str = ""
    publisher: str | None = None
    license: str | None = None
    affiliation: str | None = None
    subject: str | None = None
    field_of_science: str | None = None
    link_status: int | None = None
    citation_count: int = 0
    view_count: int = 0
    download_count: int = 0
    metadata: str = "{}"
    xml: str | None = None
    # Seeded DOIs share metadata templates: then ``metadata`` holds only the title (see Store.to_doi).
    template_id: int | None = None
    id: int | None = field(default=None, compare=False)

    def document(self) -> dict[str, Any]:
        """The stored metadata attributes."""
        return json.loads(self.metadata)

    def facet_key(self) -> tuple[Any, ...]:
        """The values facet counts depend on, in FACET_KEY_SQL order."""
        return (self.client_id, self.provider_id, self.prefix, self.state, self.resource_type_general,
                year_of(self.created_ms), year_of(self.registered_ms), self.publication_year, self.affiliation,
                self.license, self.schema_version, self.link_status, self.subject, self.field_of_science,
                self.citation_count, self.view_count, self.download_count)


DOI_COLUMNS = tuple(f.name for f in fields(DoiRow) if f.name != "id")
