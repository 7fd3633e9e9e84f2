"""Sandbox repositories (DataCite "clients"), the command-line spec for them, and HTTP authentication."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from dataclasses import dataclass, field

from portal.identifiers import (
    domains_problem,
    normalise_domains,
    normalise_prefix,
    normalise_repository_id,
    prefix_problem,
    repository_id_problem,
)

API_KEY = re.compile(r"^DC\.[A-Za-z0-9]{32}$")


@dataclass
class SandboxRepository:
    """One repository account the sandbox accepts, with the prefixes it may mint under."""

    symbol: str
    password: str = field(repr=False)
    prefixes: list[str]
    domains: str = "*"
    name: str = ""
    active: bool = True
    contact_email: str = ""
    api_key: str = field(default="", repr=False)
    provider: str = ""
    provider_name: str = ""

    def __post_init__(self) -> None:
        self.symbol = normalise_repository_id(self.symbol)
        self.prefixes = [normalise_prefix(p) for p in self.prefixes]
        if not self.name:
            self.name = f"{self.symbol} (sandbox)"

    @property
    def uid(self) -> str:
        """The lowercase ID DataCite uses in JSON and in X-Credential-Username."""
        return self.symbol.lower()

    @property
    def provider_id(self) -> str:
        """The member (provider) ID, upper case: ``provider`` if set, else the part of the ID before the dot."""
        return (self.provider or self.symbol.split(".", 1)[0]).upper()


def parse_repository_spec(spec: str) -> SandboxRepository:
    """Parse ``ID:PASSWORD:PREFIX[,PREFIX...][:DOMAIN,...]`` into a repository; ValueError says what is wrong."""
    parts = spec.split(":")
    if len(parts) not in (3, 4):
        raise ValueError(
            f"Repository spec {_masked(spec)!r} must look like ID:PASSWORD:PREFIX[,PREFIX...][:DOMAIN,...] "
            f"(found {len(parts)} colon-separated parts, expected 3 or 4)."
        )
    symbol = normalise_repository_id(parts[0])
    problem = repository_id_problem(symbol)
    if problem:
        raise ValueError(f"Repository ID {parts[0]!r}: {problem}")
    if not parts[1]:
        raise ValueError(f"Repository {symbol}: the password is empty.")
    prefixes = [normalise_prefix(p) for p in parts[2].split(",") if p.strip()]
    if not prefixes:
        raise ValueError(f"Repository {symbol}: give at least one prefix, like 10.5072.")
    for prefix in prefixes:
        problem = prefix_problem(prefix)
        if problem:
            raise ValueError(f"Repository {symbol}: {problem}")
    domains = "*"
    if len(parts) == 4:
        domains = normalise_domains(parts[3])
        problem = domains_problem(domains)
        if problem:
            raise ValueError(f"Repository {symbol}: {problem}")
    return SandboxRepository(symbol=symbol, password=parts[1], prefixes=prefixes, domains=domains)


def _masked(spec: str) -> str:
    """The spec with its password replaced, so error messages never echo a secret."""
    parts = spec.split(":")
    if len(parts) > 1:
        parts[1] = "***"
    return ":".join(parts)


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``repository`` when credentials are valid; ``presented`` when any were sent."""

    repository: SandboxRepository | None
    presented: bool

    @property
    def anonymous(self) -> bool:
        """True for callers without valid credentials (none sent, or wrong ones)."""
        return self.repository is None

    def owns(self, client_id: str) -> bool:
        """True when the caller is the repository ``client_id`` (upper-case symbol)."""
        return self.repository is not None and self.repository.symbol == client_id


def identify_caller(authorization: str | None, repositories: dict[str, SandboxRepository]) -> Caller:
    """Resolve an Authorization header the way DataCite does: Basic ID:password, or a DC. API key."""
    if not authorization:
        return Caller(None, presented=False)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return Caller(_by_api_key(value, repositories), presented=True)
    if scheme.lower() != "basic":
        return Caller(None, presented=True)
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return Caller(None, presented=True)
    username, _, password = decoded.partition(":")
    if API_KEY.match(username):
        return Caller(_by_api_key(username, repositories), presented=True)
    repository = repositories.get(normalise_repository_id(username))
    if repository is None or "." not in username:
        return Caller(None, presented=True)
    if _same(password, repository.password) or (repository.api_key and _same(password, repository.api_key)):
        return Caller(repository, presented=True)
    return Caller(None, presented=True)


def _by_api_key(key: str, repositories: dict[str, SandboxRepository]) -> SandboxRepository | None:
    for repository in repositories.values():
        if repository.api_key and _same(key, repository.api_key):
            return repository
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
