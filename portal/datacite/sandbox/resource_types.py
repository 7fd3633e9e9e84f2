"""resourceTypeGeneral values (schema 4.7), their facet ids and labels, and the citation types DataCite derives."""

from __future__ import annotations

import re
from typing import Any

RESOURCE_TYPES = (
    "Audiovisual", "Award", "Book", "BookChapter", "Collection", "ComputationalNotebook", "ConferencePaper",
    "ConferenceProceeding", "DataPaper", "Dataset", "Dissertation", "Event", "Image", "Instrument",
    "InteractiveResource", "Journal", "JournalArticle", "Model", "OutputManagementPlan", "PeerReview",
    "PhysicalObject", "Poster", "Preprint", "Presentation", "Project", "Report", "Service", "Software", "Sound",
    "Standard", "StudyRegistration", "Text", "Workflow", "Other",
)
# First schema version that knows each newer type; the rest exist since 4.0/4.1.
INTRODUCED = {
    "BookChapter": "4.4", "ComputationalNotebook": "4.4", "ConferencePaper": "4.4", "ConferenceProceeding": "4.4",
    "DataPaper": "4.1", "Dissertation": "4.4", "Journal": "4.4", "JournalArticle": "4.4", "OutputManagementPlan": "4.3",
    "PeerReview": "4.4", "Preprint": "4.4", "Report": "4.4", "Standard": "4.4", "Book": "4.4",
    "Instrument": "4.5", "StudyRegistration": "4.5", "Award": "4.6", "Project": "4.6", "Poster": "4.7",
    "Presentation": "4.7",
}

# resourceTypeGeneral -> schema.org type (None: the CreativeWork default)
_SCHEMA_ORG = {
    "Audiovisual": "MediaObject", "Book": "Book", "BookChapter": "Chapter", "Collection": "Collection",
    "ComputationalNotebook": "SoftwareSourceCode", "ConferencePaper": "Article", "ConferenceProceeding": "Periodical",
    "DataPaper": "Article", "Dataset": "Dataset", "Dissertation": "Thesis", "Event": "Event", "Image": "ImageObject",
    "Journal": "Periodical", "JournalArticle": "ScholarlyArticle", "PeerReview": "Review", "Report": "Report",
    "Service": "Service", "Software": "SoftwareSourceCode", "Sound": "AudioObject", "Text": "ScholarlyArticle",
    "Other": "CreativeWork",
}
_CITEPROC_BY_SCHEMA_ORG = {
    "Article": "article-newspaper", "AudioObject": "song", "Dataset": "dataset", "ImageObject": "graphic",
    "Report": "report", "ScholarlyArticle": "article-journal", "Thesis": "thesis",
}
_CITEPROC = {"Audiovisual": "motion_picture", "Dataset": "dataset", "Image": "graphic", "Sound": "song", "Text": "report"}
_BIBTEX_BY_SCHEMA_ORG = {"Article": "article", "ScholarlyArticle": "article", "Thesis": "phdthesis", "Book": "book"}
_RIS = {
    "Audiovisual": "MPCT", "Book": "BOOK", "BookChapter": "CHAP", "ComputationalNotebook": "COMP", "ConferencePaper": "CPAPER",
    "ConferenceProceeding": "CONF", "Dataset": "DATA", "Dissertation": "THES", "Image": "FIGURE", "JournalArticle": "JOUR",
    "Preprint": "RPRT", "Report": "RPRT", "Software": "COMP", "Sound": "SOUND", "Text": "RPRT",
}
_RIS_BY_SCHEMA_ORG = {"Dataset": "DATA", "ImageObject": "FIGURE", "ScholarlyArticle": "JOUR", "SoftwareSourceCode": "COMP"}


def facet_id(resource_type_general: str) -> str:
    """``PhysicalObject`` -> ``physical-object`` (the resourceTypes facet id and resource-type-id filter)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", resource_type_general).lower()


def facet_label(resource_type_general: str) -> str:
    """``PhysicalObject`` -> ``Physical Object``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", resource_type_general)


def from_facet_id(value: str) -> str:
    """``physical-object`` -> ``PhysicalObject``; unknown ids come back camel-cased all the same."""
    return "".join(part.capitalize() for part in value.strip().split("-"))


def derived_types(types: dict[str, Any]) -> dict[str, Any]:
    """``types`` as DataCite returns it: schemaOrg, citeproc, bibtex and ris derived from resourceTypeGeneral."""
    general = types.get("resourceTypeGeneral")
    if not general:
        return dict(types)
    schema_org = _SCHEMA_ORG.get(general) or "CreativeWork"
    out = {
        "schemaOrg": schema_org,
        "citeproc": _CITEPROC_BY_SCHEMA_ORG.get(schema_org) or _CITEPROC.get(general) or "article",
        "bibtex": _BIBTEX_BY_SCHEMA_ORG.get(schema_org, "misc"),
        "ris": _RIS.get(general) or _RIS_BY_SCHEMA_ORG.get(schema_org) or "GEN",
        "resourceTypeGeneral": general,
    }
    if types.get("resourceType"):
        out["resourceType"] = types["resourceType"]
    return out
