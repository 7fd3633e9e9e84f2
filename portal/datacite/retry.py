"""When to try a DataCite call again, how long to wait, and when to stop trying for a while (C30)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from portal.datacite.errors import DataCiteError, OutageError


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: exponential backoff with full jitter, Retry-After honoured up to a cap."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    total: float = 30.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")
        if min(self.base, self.cap, self.total, self.max_retry_after) < 0:
            raise ValueError("retry delays cannot be negative")

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter delay after the given failed attempt (1-based): uniform in [0, min(cap, base·2^(n-1))]."""
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return ceiling * rand()

    def delay(self, attempt: int, error: DataCiteError, rand: Callable[[], float] = random.random) -> float:
        """How long to wait before the next attempt after this error."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        return self.backoff(attempt, rand)


NO_RETRY = RetryPolicy(attempts=1)


class CircuitBreaker:
    """Opens after ``threshold`` consecutive outages and fails fast for ``cooldown`` seconds.

    After the cooldown one trial call goes through (half-open): success closes the breaker, failure
    opens it again for another cooldown.
    """

    def __init__(self, threshold: int = 5, cooldown: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if threshold < 1 or cooldown < 0:
            raise ValueError("a circuit breaker needs threshold >= 1 and cooldown >= 0")
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        """True while calls fail fast."""
        with self._lock:
            return self._open_until is not None and self._clock() < self._open_until

    def check(self) -> None:
        """Raise the outage error when open; let one trial call through once the cooldown is over."""
        with self._lock:
            if self._open_until is None:
                return
            now = self._clock()
            if now < self._open_until or self._trial_running:
                wait = max(0.0, self._open_until - now)
                raise OutageError(
                    key="datacite-unavailable", title="DataCite calls paused after repeated failures",
                    retry_after=wait,
                    explanation="Several calls to DataCite failed in a row, so the portal stopped calling it "
                    f"for {self.cooldown:.0f} seconds instead of adding to the load.",
                    fix="Nothing to change on your side: the portal tries again by itself shortly. "
                    "Check status.datacite.org if it lasts.",
                )
            self._trial_running = True

    def record_success(self) -> None:
        """A call got an answer that shows DataCite is up (any non-5xx response)."""
        with self._lock:
            self._failures = 0
            self._open_until = None
            self._trial_running = False

    def record_failure(self) -> None:
        """A call ended in a 5xx, a timeout or a connection error."""
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.threshold:
                self._open_until = self._clock() + self.cooldown
            self._trial_running = False


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def shared_breaker(environment: str) -> CircuitBreaker:
    """The process-wide circuit breaker of an environment."""
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(environment)
        if breaker is None:
            breaker = _BREAKERS[environment] = CircuitBreaker()
        return breaker
