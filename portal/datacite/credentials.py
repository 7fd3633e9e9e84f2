"""A repository's DataCite credentials for one request, and the httpx auth built from them."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import httpx

from portal import identifiers
from portal.vault import Secret

API_KEY_PREFIX = "DC."


def credential_id_problem(repository_id: str) -> str:
    """Why a string cannot be sent as a DataCite repository ID, or "" when it can."""
    value = repository_id.strip()
    if not value:
        return "The repository ID is empty."
    if "." not in value:
        return (f"{value!r} looks like a member (provider) ID; DataCite needs the repository ID, "
                "which has the form MEMBER.REPOSITORY.")
    return identifiers.repository_id_problem(value.upper()) or ""


@dataclass(frozen=True)
class Credentials:
    """A repository ID with its password or ``DC.`` API key; the secret never shows in a repr."""

    repository_id: str
    secret: Secret

    def __post_init__(self) -> None:
        if not isinstance(self.secret, Secret):
            raise TypeError("Credentials.secret must be a portal.vault.Secret, never a plain string")
        if not self.repository_id.strip():
            raise ValueError("Credentials need a repository ID")
        if not self.secret:
            raise ValueError("Credentials need a password or API key")

    @property
    def is_api_key(self) -> bool:
        """True when the secret is a DataCite repository API key (``DC.`` ...)."""
        return self.secret.reveal().startswith(API_KEY_PREFIX)

    def owns(self, client_id: str | None) -> bool:
        """True when a DOI's client (repository) id is this repository's."""
        return bool(client_id) and client_id.strip().lower() == self.repository_id.strip().lower()

    def auth(self) -> httpx.Auth:
        """Fresh httpx auth for one request: Bearer for an API key, Basic for a password."""
        if self.is_api_key:
            return _BearerAuth(self.secret)
        return httpx.BasicAuth(self.repository_id.strip(), self.secret.reveal())


class _BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer DC.…``; holds the Secret wrapper, not the plaintext."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._secret.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"
