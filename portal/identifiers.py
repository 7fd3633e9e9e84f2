"""Identifiers the portal meets: DOIs, DataCite repository and member IDs, prefixes, domains, ROR, countries.

Pure functions; each ``*_problem`` function returns what is wrong with a value, or None.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from pathlib import Path

DOI_PATTERN = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)", re.IGNORECASE)
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_TRAILING = ".,;:!?'\""
REPOSITORY_ID = re.compile(r"^[A-Z]+\.[A-Z0-9]+(-[A-Z0-9]+)?$")
REPOSITORY_ID_IN_TEXT = re.compile(r"\b([A-Za-z]+\.[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)\b")
MEMBER_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
PREFIX = re.compile(r"^10\.\d{4,9}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
ROR_ID = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def normalise_doi(text: str) -> str | None:
    """A DOI in canonical form (lower case, no resolver prefix), or None if it is not one."""
    value = text.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    value = _trim_trailing(value)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        return None
    return value.lower()


def _trim_trailing(value: str) -> str:
    while value and value[-1] in _TRAILING:
        value = value[:-1]
    # A closing bracket belongs to the DOI only when it has its opening one.
    while value and value[-1] in ")]" and value.count(value[-1]) > value.count("(" if value[-1] == ")" else "["):
        value = value[:-1]
    return value


def find_dois(text: str) -> list[str]:
    """Every distinct DOI in a text, normalised, in order of appearance."""
    found: list[str] = []
    for match in DOI_PATTERN.finditer(text or ""):
        doi = normalise_doi(match.group(1))
        if doi and doi not in found:
            found.append(doi)
    return found


def doi_prefix(doi: str) -> str:
    return doi.split("/", 1)[0]


def normalise_repository_id(value: str) -> str:
    return value.strip().upper()


def repository_id_problem(value: str) -> str | None:
    """DataCite's own rule for repository (client) IDs: ``MEMBER.REPO``, 5 to 18 characters."""
    if not 5 <= len(value) <= 18:
        return "A repository ID has 5 to 18 characters, like ABC.DATA."
    if not REPOSITORY_ID.match(value):
        return "A repository ID is the member ID, a dot and the repository part, like ABC.DATA (letters and digits; one hyphen allowed after the dot)."
    return None


def find_repository_ids(text: str, known: set[str]) -> list[str]:
    """Repository IDs from ``known`` that a text mentions (case-insensitive)."""
    found: list[str] = []
    for match in REPOSITORY_ID_IN_TEXT.finditer(text or ""):
        candidate = match.group(1).upper()
        if candidate in known and candidate not in found:
            found.append(candidate)
    return found


def member_id_problem(value: str) -> str | None:
    if value and not MEMBER_ID.match(value):
        return "A DataCite member ID is 2 to 10 capital letters or digits, starting with a letter, like UNIX."
    return None


def normalise_prefix(value: str) -> str:
    return value.strip().lower().removeprefix("https://doi.org/").rstrip("/")


def prefix_problem(value: str) -> str | None:
    if not PREFIX.match(value):
        return f"{value!r} is not a DOI prefix; a prefix looks like 10.12345."
    return None


def parse_prefixes(text: str) -> list[str]:
    """Prefixes from a comma- or space-separated field, normalised and de-duplicated."""
    out: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        if part:
            prefix = normalise_prefix(part)
            if prefix not in out:
                out.append(prefix)
    return out


def normalise_domains(text: str) -> str:
    """DataCite's domain list form: comma-separated, lower case, no blanks."""
    parts = [p.strip().lower() for p in re.split(r"[\s,;]+", text or "") if p.strip()]
    return ",".join(dict.fromkeys(parts))


def domains_problem(domains: str) -> str | None:
    """Each entry is ``*``, a host name, or ``*.`` followed by a host name."""
    if not domains:
        return "Give at least one domain, or * to allow any (DataCite rejects every URL when the list is empty)."
    for entry in domains.split(","):
        if entry == "*":
            continue
        host = entry[2:] if entry.startswith("*.") else entry
        if not HOSTNAME.match(host) or "." not in host:
            return f"{entry!r} is not a host name; use names like data.example.org or *.example.org."
    return None


def url_allowed_by_domains(host: str, domains: str) -> bool:
    """DataCite's rule: ``*`` allows all; ``*.x.org`` matches subdomains only; others match exactly."""
    host = host.lower().rstrip(".")
    for entry in (d.strip().lower() for d in domains.split(",") if d.strip()):
        if entry == "*" or (entry.startswith("*.") and host.endswith(entry[1:])) or host == entry:
            return True
    return False


def normalise_ror(value: str) -> str:
    """The 9-character ROR ID from a bare ID or a ror.org URL; empty stays empty."""
    value = value.strip().lower()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        value = value.removeprefix(prefix)
    return value


def ror_problem(value: str) -> str | None:
    """ROR IDs: '0', six Crockford base32 characters and an ISO 7064 mod 97-10 checksum."""
    if not value:
        return None
    if not ROR_ID.match(value):
        return "A ROR ID looks like https://ror.org/04wxnsj81 (nine characters starting with 0)."
    number = 0
    for char in value[:7]:
        number = number * 32 + _CROCKFORD.index(char)
    if 98 - (number * 100) % 97 != int(value[7:]):
        return "This ROR ID's checksum is wrong; copy it again from ror.org."
    return None


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code to English short name."""
    path = Path(__file__).parent / "data" / "countries.txt"
    return dict(line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def country_problem(code: str) -> str | None:
    if code and code not in countries():
        return "Choose a country from the list (ISO 3166 code)."
    return None


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses: a server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
