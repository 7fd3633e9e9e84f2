"""Schema versions 4.0-4.7 and every controlled list, with the version each value arrived.

The lists are the enumerations of the official kernel-4.X XSDs (tests compare them file by file).
``CONTROLLED[list][value]`` is the first 4.x release that accepts the value; "4.0" means the value
was already there in 4.0 (most of them date from schema 2.x or 3.x). Within 4.x no value was ever
removed or renamed: every minor only adds. The values dropped on the way to 4.0 live in ``REMOVED``
so that validation can explain them instead of quoting a bare enumeration error.
"""

from __future__ import annotations

from datetime import date
from functools import cache

VERSIONS: tuple[str, ...] = ("4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
LATEST = "4.7"
RELEASE_DATES: dict[str, date] = {
    "4.0": date(2016, 9, 19),
    "4.1": date(2017, 10, 23),
    "4.2": date(2019, 3, 20),
    "4.3": date(2019, 8, 16),
    "4.4": date(2021, 3, 30),
    "4.5": date(2024, 1, 22),
    "4.6": date(2024, 12, 5),
    "4.7": date(2026, 3, 3),
}

NAMESPACE = "http://datacite.org/schema/kernel-4"

# Each list in the order the 4.7 XSD declares it (libxml2 quotes sets in that order); a value
# without a version has been valid since 4.0.
_LISTS: dict[str, tuple[tuple[str, str], ...]] = {
    "resourceTypeGeneral": (
        ("Audiovisual", "4.0"), ("Award", "4.6"), ("Book", "4.4"), ("BookChapter", "4.4"),
        ("Collection", "4.0"), ("ComputationalNotebook", "4.4"), ("ConferencePaper", "4.4"),
        ("ConferenceProceeding", "4.4"), ("DataPaper", "4.1"), ("Dataset", "4.0"), ("Dissertation", "4.4"),
        ("Event", "4.0"), ("Image", "4.0"), ("Instrument", "4.5"), ("InteractiveResource", "4.0"),
        ("Journal", "4.4"), ("JournalArticle", "4.4"), ("Model", "4.0"), ("OutputManagementPlan", "4.4"),
        ("PeerReview", "4.4"), ("PhysicalObject", "4.0"), ("Poster", "4.7"), ("Preprint", "4.4"),
        ("Presentation", "4.7"), ("Project", "4.6"), ("Report", "4.4"), ("Service", "4.0"),
        ("Software", "4.0"), ("Sound", "4.0"), ("Standard", "4.4"), ("StudyRegistration", "4.5"),
        ("Text", "4.0"), ("Workflow", "4.0"), ("Other", "4.0"),
    ),
    "relationType": (
        ("IsCitedBy", "4.0"), ("Cites", "4.0"), ("IsSupplementTo", "4.0"), ("IsSupplementedBy", "4.0"),
        ("IsContinuedBy", "4.0"), ("Continues", "4.0"), ("IsNewVersionOf", "4.0"),
        ("IsPreviousVersionOf", "4.0"), ("IsPartOf", "4.0"), ("HasPart", "4.0"), ("IsPublishedIn", "4.4"),
        ("IsReferencedBy", "4.0"), ("References", "4.0"), ("IsDocumentedBy", "4.0"), ("Documents", "4.0"),
        ("IsCompiledBy", "4.0"), ("Compiles", "4.0"), ("IsVariantFormOf", "4.0"), ("IsOriginalFormOf", "4.0"),
        ("IsIdenticalTo", "4.0"), ("HasMetadata", "4.0"), ("IsMetadataFor", "4.0"), ("Reviews", "4.0"),
        ("IsReviewedBy", "4.0"), ("IsDerivedFrom", "4.0"), ("IsSourceOf", "4.0"), ("Describes", "4.1"),
        ("IsDescribedBy", "4.1"), ("HasVersion", "4.1"), ("IsVersionOf", "4.1"), ("Requires", "4.1"),
        ("IsRequiredBy", "4.1"), ("Obsoletes", "4.2"), ("IsObsoletedBy", "4.2"), ("Collects", "4.5"),
        ("IsCollectedBy", "4.5"), ("HasTranslation", "4.6"), ("IsTranslationOf", "4.6"), ("Other", "4.7"),
    ),
    "relatedIdentifierType": (
        ("ARK", "4.0"), ("arXiv", "4.0"), ("bibcode", "4.0"), ("CSTR", "4.6"), ("DOI", "4.0"),
        ("EAN13", "4.0"), ("EISSN", "4.0"), ("Handle", "4.0"), ("IGSN", "4.0"), ("ISBN", "4.0"),
        ("ISSN", "4.0"), ("ISTC", "4.0"), ("LISSN", "4.0"), ("LSID", "4.0"), ("PMID", "4.0"), ("PURL", "4.0"),
        ("RAiD", "4.7"), ("RRID", "4.6"), ("SWHID", "4.7"), ("UPC", "4.0"), ("URL", "4.0"), ("URN", "4.0"),
        ("w3id", "4.2"),
    ),
    "contributorType": (
        ("ContactPerson", "4.0"), ("DataCollector", "4.0"), ("DataCurator", "4.0"), ("DataManager", "4.0"),
        ("Distributor", "4.0"), ("Editor", "4.0"), ("HostingInstitution", "4.0"), ("Other", "4.0"),
        ("Producer", "4.0"), ("ProjectLeader", "4.0"), ("ProjectManager", "4.0"), ("ProjectMember", "4.0"),
        ("RegistrationAgency", "4.0"), ("RegistrationAuthority", "4.0"), ("RelatedPerson", "4.0"),
        ("ResearchGroup", "4.0"), ("RightsHolder", "4.0"), ("Researcher", "4.0"), ("Sponsor", "4.0"),
        ("Supervisor", "4.0"), ("Translator", "4.6"), ("WorkPackageLeader", "4.0"),
    ),
    "dateType": (
        ("Accepted", "4.0"), ("Available", "4.0"), ("Collected", "4.0"), ("Copyrighted", "4.0"),
        ("Coverage", "4.6"), ("Created", "4.0"), ("Issued", "4.0"), ("Other", "4.1"), ("Submitted", "4.0"),
        ("Updated", "4.0"), ("Valid", "4.0"), ("Withdrawn", "4.2"),
    ),
    "descriptionType": (
        ("Abstract", "4.0"), ("Methods", "4.0"), ("SeriesInformation", "4.0"), ("TableOfContents", "4.0"),
        ("TechnicalInfo", "4.0"), ("Other", "4.0"),
    ),
    "titleType": (("AlternativeTitle", "4.0"), ("Subtitle", "4.0"), ("TranslatedTitle", "4.0"), ("Other", "4.0")),
    "funderIdentifierType": (
        ("ISNI", "4.0"), ("GRID", "4.0"), ("ROR", "4.3"), ("Crossref Funder ID", "4.0"), ("Other", "4.0"),
    ),
    # nameType is an attribute that only exists since 4.1, so its list starts there.
    "nameType": (("Organizational", "4.1"), ("Personal", "4.1")),
    "numberType": (("Article", "4.4"), ("Chapter", "4.4"), ("Report", "4.4"), ("Other", "4.4")),
}

CONTROLLED: dict[str, dict[str, str]] = {name: dict(pairs) for name, pairs in _LISTS.items()}

# Values valid in an earlier schema but no longer: list -> {value: first version that rejects it}.
# All of them went before 4.0, so no 4.x version accepts them; kept for the explanations.
REMOVED: dict[str, dict[str, str]] = {
    "contributorType": {"Funder": "4.0"},
    "dateType": {"StartDate": "3.0", "EndDate": "3.0"},
    "resourceTypeGeneral": {"Film": "3.0"},
}

# XSD simpleType name -> catalog list name (only resourceType differs: the REST field is resourceTypeGeneral).
XSD_TYPE_NAMES: dict[str, str] = {
    ("resourceType" if name == "resourceTypeGeneral" else name): name for name in CONTROLLED
}


class UnknownVersion(ValueError):
    """A schema version outside 4.0-4.7 was asked for."""


@cache
def version_key(version: str) -> tuple[int, ...]:
    """A sortable key for a version string such as "4.10"."""
    return tuple(int(part) for part in version.split("."))


def check_version(version: str) -> str:
    """The version itself when it is one of VERSIONS; UnknownVersion otherwise."""
    if version not in VERSIONS:
        raise UnknownVersion(f"Unknown DataCite schema version {version!r}; known versions are {', '.join(VERSIONS)}.")
    return version


def latest_of(versions: list[str] | tuple[str, ...]) -> str:
    """The highest of some versions ("4.0" when there are none)."""
    return max(versions, key=version_key, default=VERSIONS[0])


def _accepts(arrived: str, removed: str | None, version: str) -> bool:
    if version_key(arrived) > version_key(version):
        return False
    return removed is None or version_key(removed) > version_key(version)


@cache
def ordered_values(list_name: str, version: str) -> tuple[str, ...]:
    """The values of one controlled list valid in a version, in the XSD's own order."""
    check_version(version)
    if list_name not in CONTROLLED:
        raise KeyError(f"Unknown controlled list {list_name!r}; known lists are {', '.join(sorted(CONTROLLED))}.")
    removed = REMOVED.get(list_name, {})
    return tuple(v for v, arrived in CONTROLLED[list_name].items() if _accepts(arrived, removed.get(v), version))


def allowed_values(list_name: str, version: str) -> frozenset[str]:
    """The values of one controlled list that the given schema version accepts."""
    return frozenset(ordered_values(list_name, version))


def arrival_of(list_name: str, value: str) -> str | None:
    """The first 4.x version accepting the value, or None when no 4.x version does."""
    return CONTROLLED.get(list_name, {}).get(value)


def removal_of(list_name: str, value: str) -> str | None:
    """The version that dropped the value, when it is a known removed value."""
    return REMOVED.get(list_name, {}).get(value)
