"""Where each DataCite environment lives, which base URLs are allowed, and how we identify ourselves."""

from __future__ import annotations

import re
from typing import Literal, get_args
from urllib.parse import urlsplit

from portal.identifiers import is_loopback_host

Environment = Literal["production", "test", "sandbox"]
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)

BASE_URLS: dict[str, str] = {
    "production": "https://api.datacite.org",
    "test": "https://api.test.datacite.org",
}
DEFAULT_SANDBOX_URL = "http://127.0.0.1:5099"

_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+$")
_TOKEN = re.compile(r"^[A-Za-z0-9.+_-]+$")


class BaseURLRefused(ValueError):
    """A DataCite base URL outside the allow-list: credentials must never go there (C25)."""


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, lower-cased, with default ports filled in."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        raise BaseURLRefused(f"{url!r} has an invalid port") from None
    return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme, 0)



def resolve_base_url(environment: str, sandbox_url: str | None, *, transport_given: bool) -> str:
    """The base URL for an environment, or BaseURLRefused when it is not one DataCite credentials may see.

    Production and test have fixed addresses. The sandbox is the offline stand-in: its configured URL must
    be on this machine (loopback), unless a transport is injected, in which case nothing leaves the process.
    """
    if environment not in ENVIRONMENTS:
        raise BaseURLRefused(f"unknown DataCite environment {environment!r}; use one of {', '.join(ENVIRONMENTS)}")
    if environment != "sandbox":
        if sandbox_url:
            raise BaseURLRefused(f"sandbox_url applies only to the sandbox environment, not {environment!r}")
        return BASE_URLS[environment]
    url = (sandbox_url or DEFAULT_SANDBOX_URL).rstrip("/")
    scheme, host, _port = origin(url)
    parts = urlsplit(url)
    if scheme not in ("http", "https") or not host or parts.query or parts.fragment or parts.username:
        raise BaseURLRefused(f"the sandbox URL {url!r} must be a plain http(s) address")
    if not transport_given and not is_loopback_host(host):
        raise BaseURLRefused(
            f"the sandbox URL {url!r} is not on this machine; the sandbox must listen on a loopback address "
            "(127.0.0.1, ::1 or localhost) so that credentials never leave it"
        )
    return url


def user_agent(version: str, portal_url: str, contact_email: str) -> str:
    """The User-Agent DataCite asks integrators to send: product/version (URL; mailto:contact)."""
    version = version.strip()
    portal_url = portal_url.strip()
    contact_email = contact_email.strip()
    if not _TOKEN.match(version):
        raise ValueError(f"the version {version!r} may hold only letters, digits and . + _ -")
    scheme = urlsplit(portal_url).scheme
    if scheme not in ("http", "https") or any(c in portal_url for c in " ;()\r\n\t"):
        raise ValueError(f"the portal URL {portal_url!r} must be an http(s) URL without spaces")
    if not _EMAIL.match(contact_email) or ";" in contact_email:
        raise ValueError(f"the contact e-mail {contact_email!r} is not an e-mail address")
    return f"RSP-Portal/{version} ({portal_url}; mailto:{contact_email})"
