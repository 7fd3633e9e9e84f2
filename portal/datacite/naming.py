"""DOI names as the client sends them: checked, put safely into a URL path, or made up from a prefix."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from portal import identifiers

# Crockford base32 as DataCite writes suffixes, plus the five extra check symbols of its checksum.
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_CHECK_SYMBOLS = _CROCKFORD + "*~$=u"
_SUFFIX_DIGITS = 7
# RFC 3986 path characters left as they are; everything else (?, #, %, spaces ...) is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;="


def clean_doi(doi: str) -> str:
    """A DOI without resolver prefix, lower case; ValueError with a clear message when it is not one."""
    if not isinstance(doi, str):
        raise ValueError("a DOI must be text like 10.1234/abc")
    value = identifiers.normalise_doi(doi)
    if value is None or any(segment in (".", "..") for segment in value.split("/")):
        raise ValueError(f"{doi!r} is not a DOI; a DOI looks like 10.1234/abc")
    if any(ord(ch) < 32 or ch == "\x7f" for ch in value):
        raise ValueError(f"{doi!r} contains control characters")
    return value


def doi_path(doi: str) -> str:
    """``/dois/<doi>`` with the DOI kept readable but unable to change the path or add a query."""
    return "/dois/" + quote(clean_doi(doi), safe=_PATH_SAFE)


def clean_prefix(prefix: str) -> str:
    """A DOI prefix like 10.1234; ValueError otherwise."""
    value = identifiers.normalise_prefix(prefix) if isinstance(prefix, str) else ""
    problem = identifiers.prefix_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def random_suffix() -> str:
    """A DataCite-style suffix: 7 random Crockford base32 digits and a mod-37 check symbol, as xxxx-xxxx.

    Making the name here, not at DataCite, means a create that timed out can be looked up and retried
    without ever minting a second DOI.
    """
    number = secrets.randbelow(32**_SUFFIX_DIGITS)
    digits = []
    value = number
    for _ in range(_SUFFIX_DIGITS):
        value, rest = divmod(value, 32)
        digits.append(_CROCKFORD[rest])
    text = "".join(reversed(digits)) + _CHECK_SYMBOLS[number % 37]
    return f"{text[:4]}-{text[4:]}"
