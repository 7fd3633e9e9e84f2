"""Generated DOIs for demos and benchmarks: spread over repositories, states, resource types, years and the
schema features of 4.0-4.7, fast enough for a million rows (metadata templates, batched executemany)."""

from __future__ import annotations

import calendar
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.datacite.sandbox.repositories import SandboxRepository
from portal.datacite.sandbox.resource_types import INTRODUCED, RESOURCE_TYPES
from portal.datacite.sandbox.rows import DOI_COLUMNS
from portal.datacite.sandbox.seed_vocabulary import (
    ADJECTIVES,
    AFFILIATIONS,
    FIELDS_OF_SCIENCE,
    KEYWORDS,
    LICENCES,
    NOUNS,
    PEOPLE,
    PUBLISHERS,
    TOPICS,
)
from portal.datacite.sandbox.store import Store
from portal.datacite.sandbox.suffixes import scattered_suffix

BATCH = 10_000
BULK_THRESHOLD = 20_000
PROFILES = 400
FIRST_YEAR = 2012
VERSIONS = ("4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
KERNEL = "http://datacite.org/schema/kernel-"
_TITLE, _YEAR = "@@TITLE@@", 7777
# Row layout the seeder writes; must match the store's columns.
SEED_COLUMNS = (
    "doi", "prefix", "client_id", "provider_id", "state", "created_ms", "updated_ms", "registered_ms", "url", "source",
    "reason", "metadata_version", "schema_version", "resource_type_general", "resource_type", "publication_year",
    "title_text", "creator_text", "publisher", "license", "affiliation", "subject", "field_of_science", "link_status",
    "citation_count", "view_count", "download_count", "metadata", "xml", "template_id",
)
assert SEED_COLUMNS == DOI_COLUMNS, "seed.py writes rows in the store's column order"


@dataclass(frozen=True)
class Profile:
    """One metadata shape many generated DOIs share; only title and year vary per DOI."""

    template: str
    general: str
    resource_type: str
    schema_version: str
    creator_text: str
    publisher: str
    licence: str | None
    affiliation: str | None
    subject: str | None
    field_of_science: str | None


def _profile(rng: random.Random) -> Profile:
    version = rng.choices(VERSIONS, weights=(6, 4, 8, 16, 20, 18, 16, 12))[0]
    general = rng.choice([t for t in RESOURCE_TYPES if INTRODUCED.get(t, "4.0") <= version])
    people = rng.sample(PEOPLE, rng.randint(1, 3))
    ror, org = rng.choice(AFFILIATIONS)
    creators = []
    for given, family, orcid in people:
        creator: dict[str, Any] = {"name": f"{family}, {given}", "nameType": "Personal", "givenName": given, "familyName": family}
        if version >= "4.3":
            creator["affiliation"] = [{"name": org, "affiliationIdentifier": f"https://{ror}",
                                       "affiliationIdentifierScheme": "ROR", "schemeUri": "https://ror.org"}]
            creator["nameIdentifiers"] = [{"nameIdentifier": f"https://orcid.org/{orcid}", "nameIdentifierScheme": "ORCID",
                                           "schemeUri": "https://orcid.org"}]
        else:
            creator["affiliation"] = [{"name": org}]
            creator["nameIdentifiers"] = []
        creators.append(creator)
    publisher_name, publisher_ror = rng.choice(PUBLISHERS)
    publisher: dict[str, Any] = {"name": publisher_name}
    if version >= "4.5":
        publisher.update({"publisherIdentifier": f"https://{publisher_ror}", "publisherIdentifierScheme": "ROR",
                          "schemeUri": "https://ror.org/"})
    keyword = rng.choice(KEYWORDS)
    fos = rng.choice(FIELDS_OF_SCIENCE) if rng.random() < 0.6 else None
    subjects = [{"subject": keyword}] + ([{"subject": f"FOS: {fos}", "subjectScheme": "Fields of Science and Technology (FOS)",
                                           "schemeUri": "http://www.oecd.org/science/inno/38235147.pdf"}] if fos else [])
    licence = rng.choice(LICENCES)
    rights = []
    if licence:
        from portal.datacite.sandbox.metadata import spdx_rights

        rights = [spdx_rights({"rightsIdentifier": licence})]
    resource_type = f"{rng.choice(TOPICS)} {general.lower()}"
    related, contributors, dates = _features(rng, version)
    dates.insert(0, {"date": str(_YEAR), "dateType": "Issued"})
    metadata = {
        "identifiers": [], "creators": creators, "titles": [{"title": _TITLE, "lang": "en"}], "publisher": publisher,
        "container": {}, "publicationYear": _YEAR, "subjects": subjects, "contributors": contributors, "dates": dates,
        "language": "en", "types": {"resourceTypeGeneral": general, "resourceType": resource_type},
        "relatedIdentifiers": related[0], "relatedItems": related[1], "sizes": [], "formats": [],
        "version": rng.choice([None, "1.0", "2"]), "rightsList": rights,
        "descriptions": [{"description": f"Generated {general.lower()} about {keyword.lower()}.", "descriptionType": "Abstract"}],
        "geoLocations": [], "fundingReferences": [], "contentUrl": None,
    }
    spelled = KERNEL + ("4" if rng.random() < 0.85 else version)
    names = " | ".join(f"{c['name']} {c['givenName']} {c['familyName']}" for c in creators).lower()
    # A str.format template: JSON braces doubled, then {0} for the title and {1} for the year.
    template = json.dumps(metadata, ensure_ascii=False).replace("{", "{{").replace("}", "}}")
    return Profile(
        template=template.replace(_TITLE, "{0}").replace(str(_YEAR), "{1}"), general=general, resource_type=resource_type,
        schema_version=spelled, creator_text=names, publisher=publisher_name,
        licence=licence, affiliation=f"{ror}:{org}" if version >= "4.3" else None, subject=keyword,
        field_of_science=fos,
    )


def _features(rng: random.Random, version: str) -> tuple[tuple[list[Any], list[Any]], list[Any], list[Any]]:
    """relatedIdentifiers/relatedItems, contributors and dates that show off the chosen schema version."""
    related: list[dict[str, Any]] = [{"relatedIdentifier": "10.5438/0012", "relatedIdentifierType": "DOI",
                                      "relationType": "References"}]
    items: list[dict[str, Any]] = []
    contributors: list[dict[str, Any]] = []
    dates: list[dict[str, Any]] = []
    if version >= "4.4":
        items.append({"relationType": "IsPublishedIn", "relatedItemType": "Journal", "titles": [{"title": "Journal of Samples"}],
                      "volume": str(rng.randint(1, 40)), "issue": str(rng.randint(1, 12)), "creators": [], "contributors": [],
                      "relatedItemIdentifier": {"relatedItemIdentifier": "1234-5678", "relatedItemIdentifierType": "ISSN"}})
    if version >= "4.6":
        given, family, _ = rng.choice(PEOPLE)
        contributors.append({"name": f"{family}, {given}", "nameType": "Personal", "givenName": given, "familyName": family,
                             "contributorType": "Translator", "affiliation": [], "nameIdentifiers": []})
        related.append({"relatedIdentifier": "10.5438/ex-ample", "relatedIdentifierType": "DOI", "relationType": "HasTranslation"})
        dates.append({"date": "2020-01-01/2021-12-31", "dateType": "Coverage"})
    if version >= "4.7":
        related.append({"relatedIdentifier": "https://raid.org/10.80368/b1adfb3a", "relatedIdentifierType": "RAiD",
                        "relationType": "Other", "relationTypeInformation": "is part of the project"})
        related.append({"relatedIdentifier": "swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
                        "relatedIdentifierType": "SWHID", "relationType": "IsSupplementedBy"})
    return (related, items), contributors, dates


def _url_host(repository: SandboxRepository) -> str:
    for entry in repository.domains.split(","):
        entry = entry.strip()
        if entry and entry != "*":
            return f"data.{entry[2:]}" if entry.startswith("*.") else entry
    return "data.example.org"


def seed_dois(store: Store, repositories: list[SandboxRepository], n: int, *, seed: int = 0,
              progress: Callable[[int], None] | None = None, now_ms: int | None = None) -> int:
    """Add ``n`` generated DOIs to ``store``; returns how many were inserted."""
    if n <= 0:
        return 0
    if not repositories:
        raise ValueError("Add a repository before seeding DOIs: every DOI belongs to one.")
    rng = random.Random(seed)
    now_ms = now_ms if now_ms is not None else int(time.time()) * 1000
    now_year = time.gmtime(now_ms // 1000).tm_year
    profiles = [_profile(rng) for _ in range(PROFILES)]
    template_ids = store.add_templates([p.template for p in profiles])
    years = list(range(FIRST_YEAR, now_year + 1))
    year_weights = [1 + 3 * i for i in range(len(years))]
    year_starts = {y: calendar.timegm((y, 1, 1, 0, 0, 0)) * 1000 for y in years + [now_year + 1]}
    hosts = {r.symbol: _url_host(r) for r in repositories}
    sequence = store.max_id()
    bulk = n >= BULK_THRESHOLD
    if bulk:
        store.drop_indices()
    inserted = 0
    try:
        done = 0
        while done < n:
            count = min(BATCH, n - done)
            rows, keys = _batch(rng, count, sequence + done, repositories, profiles, template_ids, years, year_weights,
                                year_starts, hosts, now_ms)
            inserted += store.insert_many(rows, keys)
            done += count
            if progress:
                progress(count)
    finally:
        if bulk:
            store.create_indices(analyze=True)
    return inserted


class _Tally:
    """Facet counts of generated rows, gathered per (repository, prefix, state) and per profile for speed."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str, str, str], defaultdict[str, Counter[Any]]] = {}

    def group(self, key: tuple[str, str, str, str]) -> defaultdict[str, Counter[Any]]:
        """The counters of one (client, provider, prefix, state) group."""
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = defaultdict(Counter)
        return found

    def counts(self, profiles: list[Profile]) -> Counter[tuple[str, ...]]:
        """(client, provider, prefix, state, facet, value) -> count, as facets.facet_terms would add them."""
        out: Counter[tuple[str, ...]] = Counter()
        for key, tally in self.groups.items():
            client_id, provider_id, prefix, state = key
            total = sum(tally["_profile"].values())
            for facet, value in (("states", state), ("providers", provider_id), ("clients", client_id), ("prefixes", prefix)):
                out[(*key, facet, value)] += total
            for (index, has_schema), n in tally["_profile"].items():
                profile = profiles[index]
                for facet, value in (("resourceTypes", profile.general), ("affiliations", profile.affiliation),
                                     ("licenses", profile.licence), ("subjects", profile.subject),
                                     ("fieldsOfScience", profile.field_of_science),
                                     ("schemaVersions", profile.schema_version if has_schema else None)):
                    if value:
                        out[(*key, facet, value)] += n
            for facet, counter in tally.items():
                if facet != "_profile":
                    for value, n in counter.items():
                        out[(*key, facet, value)] += n
        return out


def _batch(rng: random.Random, count: int, offset: int, repositories: list[SandboxRepository], profiles: list[Profile],
           template_ids: list[int], years: list[int], year_weights: list[int], year_starts: dict[int, int],
           hosts: dict[str, str], now_ms: int) -> tuple[list[tuple[Any, ...]], Counter[tuple[str, ...]]]:
    rows: list[tuple[Any, ...]] = []
    tally = _Tally()
    created_years = rng.choices(years, weights=year_weights, k=count)
    rand = rng.random
    sources = ("api", "mds", "fabricaForm", "api")
    providers = [r.provider_id for r in repositories]
    for i in range(count):
        number = offset + i
        repository = repositories[number % len(repositories)]
        provider_id = providers[number % len(repositories)]
        prefix = repository.prefixes[number // len(repositories) % len(repository.prefixes)]
        suffix = scattered_suffix(number + 1)
        index = int(rand() * PROFILES)
        profile = profiles[index]
        year = created_years[i]
        start = year_starts[year]
        created = start + int(rand() * (min(year_starts[year + 1], now_ms) - start) / 1000) * 1000
        updated = min(created + int(rand() * 90 * 86_400) * 1000, now_ms)
        roll = rand()
        state = "draft" if roll < 0.1 else ("registered" if roll < 0.22 else "findable")
        registered = None if state == "draft" else created + 1000 * (1 + i % 5)
        published = year - int(rand() * 6) if i % 7 == 0 else year
        link = None if state != "findable" or roll < 0.4 else (200 if roll < 0.9 else (404, 403, 500, 503)[i % 4])
        views = 0 if roll < 0.7 else i % 97
        downloads = 0 if roll < 0.8 else i % 31
        citations = 0 if roll < 0.95 else i % 11
        title = f"{ADJECTIVES[i % len(ADJECTIVES)]} {NOUNS[number % len(NOUNS)]} of {TOPICS[int(rand() * len(TOPICS))]} {number + 1}"
        has_schema = not (state == "draft" and roll < 0.05)
        rows.append((
            f"{prefix}/{suffix}", prefix, repository.symbol, provider_id, state, created, updated, registered,
            f"https://{hosts[repository.symbol]}/records/{suffix}", sources[i % 4], None, 0,
            profile.schema_version if has_schema else None, profile.general, profile.resource_type, published,
            title.lower(), profile.creator_text, profile.publisher, profile.licence, profile.affiliation, profile.subject,
            profile.field_of_science, link, citations, views, downloads, title, None, template_ids[index],
        ))
        group = tally.group((repository.symbol, provider_id, prefix, state))
        group["_profile"][(index, has_schema)] += 1
        group["created"][str(year)] += 1
        group["published"][str(published)] += 1
        if registered is not None:
            group["registered"][str(year if registered < year_starts[year + 1] else year + 1)] += 1
        if link:
            group["linkChecksStatus"][str(link)] += 1
        for facet, amount in (("citations", citations), ("views", views), ("downloads", downloads)):
            if amount:
                group[facet][str(published)] += amount
    return rows, tally.counts(profiles)
