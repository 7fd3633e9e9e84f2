"""Fixtures for the sandbox tests: fresh sandboxes with a fixed clock, and one large seeded sandbox per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.datacite.sandbox import Sandbox, SandboxRepository, create_sandbox
from tests.datacite.sandbox_support import NOW

SEEDED_DOIS = 20_000


def repository(symbol: str, prefixes: list[str], **extra: object) -> SandboxRepository:
    """A repository whose password is its lower-case ID reversed (tests only)."""
    return SandboxRepository(symbol=symbol, password=symbol.lower()[::-1], prefixes=prefixes, **extra)  # type: ignore[arg-type]


def creds(repo: SandboxRepository) -> tuple[str, str]:
    """Basic credentials of a test repository."""
    return repo.uid, repo.password


@pytest.fixture
def test_repo() -> SandboxRepository:
    return repository("DATACITE.TEST", ["10.5072", "10.14454"], domains="*.example.org,example.com",
                      contact_email="support@example.org", name="DataCite Test Repository", provider_name="DataCite")


@pytest.fixture
def other_repo() -> SandboxRepository:
    return repository("OTHER.REPO", ["10.9999"])


@pytest.fixture
def sandbox(test_repo: SandboxRepository, other_repo: SandboxRepository) -> Iterator[Sandbox]:
    box = create_sandbox(repositories=[test_repo, other_repo], now=lambda: NOW)
    yield box
    box.close()


@pytest.fixture(scope="module")
def seeded() -> Iterator[Sandbox]:
    """Twenty thousand generated DOIs over three repositories (read-only tests share it)."""
    repos = [repository("ALPHA.ONE", ["10.1111", "10.1112"], provider_name="Alpha Org"), repository("BETA.TWO", ["10.2222"]),
             repository("GAMMA.THREE", ["10.3333"], domains="*.gamma.org")]
    box = create_sandbox(repositories=repos, now=lambda: NOW)
    box.seed_dois(SEEDED_DOIS, seed=7)
    yield box
    box.close()
