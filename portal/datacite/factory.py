"""Build a DataCiteClient from the portal's configuration (a plain mapping, so no Flask needed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from portal import __version__
from portal.datacite.client import DataCiteClient
from portal.datacite.environments import ENVIRONMENTS, Environment, user_agent
from portal.datacite.ratelimit import DEFAULT_BULK_RATE, DEFAULT_RATES, shared_limiter
from portal.datacite.retry import RetryPolicy
from portal.datacite.sender import Observer
from portal.settings import ConfigError

_RATE_SETTINGS = {"production": "DATACITE_RATE_PRODUCTION", "test": "DATACITE_RATE_TEST", "sandbox": "DATACITE_RATE_TEST"}


def _positive_int(config: Mapping[str, Any], name: str, default: int) -> int:
    value = config.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < 2:
        raise ConfigError(f"{name} must be at least 2 requests per 5 minutes, not {number}.")
    return number


def client_for(config: Mapping[str, Any], environment: Environment, *, bulk: bool = False,
               transport: httpx.BaseTransport | None = None, observer: Observer | None = None,
               retry: RetryPolicy | None = None) -> DataCiteClient:
    """A client for an environment, identified and rate limited as the configuration says.

    ``bulk=True`` draws from a slower bucket that also counts against the environment's shared one.
    ``observer`` is told about every HTTP attempt (request line, status, duration; never a header or body);
    ``retry`` replaces the default policy (interactive pages want a shorter one than jobs).
    """
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"unknown DataCite environment {environment!r}; use one of {', '.join(ENVIRONMENTS)}.")
    try:
        agent = user_agent(__version__, str(config.get("BASE_URL", "")), str(config.get("CONTACT_EMAIL", "")))
    except ValueError as exc:
        raise ConfigError(f"Cannot identify the portal to DataCite: {exc}. Set BASE_URL and CONTACT_EMAIL.") from None
    try:
        timeout = float(config.get("DATACITE_TIMEOUT_SECONDS", 20.0))
    except (TypeError, ValueError):
        raise ConfigError("DATACITE_TIMEOUT_SECONDS must be a number of seconds.") from None
    if timeout <= 0:
        raise ConfigError("DATACITE_TIMEOUT_SECONDS must be positive.")
    limiter = None
    if transport is None:
        rate_name = _RATE_SETTINGS[environment]
        limiter = shared_limiter(environment, _positive_int(config, rate_name, DEFAULT_RATES[environment]))
        if bulk:
            bulk_rate = _positive_int(config, "DATACITE_RATE_BULK", DEFAULT_BULK_RATE)
            limiter = shared_limiter(environment, bulk_rate, parent=limiter)
    sandbox_url = None
    if environment == "sandbox":
        sandbox_url = str(config.get("DATACITE_SANDBOX_URL") or "") or None
    return DataCiteClient(environment, sandbox_url=sandbox_url, user_agent=agent, timeout=timeout,
                          transport=transport, limiter=limiter, observer=observer,
                          retry=retry)
