"""One logical DataCite call: rate limit, circuit breaker, bounded retries, and a log line per attempt.

Logs carry the method, path, status and duration only: never headers, bodies or credentials (C21).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from portal.datacite.credentials import Credentials
from portal.datacite.errors import DataCiteError, OutageError, classify_response
from portal.datacite.ratelimit import RateLimiter
from portal.datacite.retry import CircuitBreaker, RetryPolicy

log = logging.getLogger("portal.datacite")

JSON_API = "application/vnd.api+json"
# Methods whose failed attempt may still have changed something at DataCite, so a retry must look first.
UNSAFE_METHODS = frozenset({"POST", "DELETE"})
# Failures where the request certainly never reached DataCite.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

Reconcile = Callable[[], "httpx.Response | None"]


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt as an observer sees it: the request line and the outcome, never headers or bodies."""

    method: str
    path: str
    status: int | None
    failure: str
    duration_ms: int


Observer = Callable[[Attempt], None]


def transport_failure(exc: httpx.RequestError) -> OutageError:
    """The outage error for a request that got no answer (timeout, refused connection, dropped link)."""
    if isinstance(exc, httpx.TimeoutException):
        title = "Timed out waiting for DataCite"
    elif isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol)):
        title = "Could not connect to DataCite"
    else:
        title = "The connection to DataCite failed"
    return OutageError(key="datacite-unavailable", title=f"{title} ({type(exc).__name__})")


class Sender:
    """Sends requests for one DataCiteClient; shares its limiter and breaker with other clients."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        environment: str,
        limiter: RateLimiter | None,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rand: Callable[[], float] = random.random,
        observer: Observer | None = None,
    ) -> None:
        self.http = http
        self.observer = observer
        self.environment = environment
        self.limiter = limiter
        self.breaker = breaker
        self.retry = retry
        self._sleep = sleep
        self._clock = clock
        self._rand = rand

    def send(
        self,
        method: str,
        path: str,
        *,
        credentials: Credentials | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        policy: RetryPolicy | None = None,
        reconcile: Reconcile | None = None,
    ) -> httpx.Response:
        """A 2xx response, or the classified DataCiteError once retrying no longer makes sense.

        ``reconcile`` runs before retrying a POST or DELETE whose outcome is unknown (timeout, 5xx): it
        looks at DataCite's state and returns a response to use instead, or None to go on retrying.
        """
        policy = policy or self.retry
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            self.breaker.check()
            if self.limiter is not None:
                self.limiter.acquire()
            outcome_unknown = False
            try:
                response = self._attempt(method, path, credentials, params, body)
            except httpx.RequestError as exc:
                self.breaker.record_failure()
                error: DataCiteError = transport_failure(exc)
                outcome_unknown = not isinstance(exc, _NOT_SENT)
            else:
                if 200 <= response.status_code < 300:
                    self.breaker.record_success()
                    return response
                error = classify_response(response.status_code, response.content, response.headers)
                if response.status_code >= 500:
                    self.breaker.record_failure()
                    outcome_unknown = True
                else:
                    self.breaker.record_success()
            if not error.retryable or attempt >= policy.attempts:
                raise error
            delay = policy.delay(attempt, error, self._rand)
            if self._clock() - started + delay > policy.total:
                raise error
            log.warning("DataCite %s %s %s: %s; retry %d of %d in %.1f s", self.environment, method, path,
                        error.title or error.error_class, attempt, policy.attempts - 1, delay)
            self._sleep(delay)
            if outcome_unknown and reconcile is not None and method in UNSAFE_METHODS:
                found = reconcile()
                if found is not None:
                    return found

    def _attempt(self, method: str, path: str, credentials: Credentials | None,
                 params: Mapping[str, str] | None, body: Any) -> httpx.Response:
        headers: dict[str, str] = {}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = JSON_API
        auth = credentials.auth() if credentials is not None else None
        began = time.perf_counter()
        try:
            # auth=None means no Authorization header at all (the client has no default auth, no netrc).
            response = self.http.request(method, path, params=params, content=content, headers=headers, auth=auth)
        except httpx.RequestError as exc:
            elapsed = (time.perf_counter() - began) * 1000
            log.warning("DataCite %s %s %s -> %s after %.0f ms", self.environment, method, path,
                        type(exc).__name__, elapsed)
            self._observe(method, path, None, type(exc).__name__, elapsed)
            raise
        elapsed = (time.perf_counter() - began) * 1000
        log.info("DataCite %s %s %s -> %d in %.0f ms", self.environment, method, path, response.status_code, elapsed)
        self._observe(method, path, response.status_code, "", elapsed)
        return response

    def _observe(self, method: str, path: str, status: int | None, failure: str, elapsed_ms: float) -> None:
        if self.observer is not None:
            self.observer(Attempt(method=method, path=path, status=status, failure=failure,
                                  duration_ms=round(elapsed_ms)))
