"""A thread-safe token bucket that keeps the whole process under DataCite's per-IP request limits.

DataCite counts requests per IP over a rolling five-minute window, and every member's traffic leaves
through our one address. The bucket holds at most a tenth of the allowance as a burst and refills the
rest evenly, so any five-minute window sees at most ``per_5_min`` requests (burst + refill = allowance).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

WINDOW_SECONDS = 300.0

# Under DataCite's published limits: 3,000 / 5 min authenticated in production, 750 on the test system;
# bulk work at the 300-500 DataCite asks for.
DEFAULT_RATES: dict[str, int] = {"production": 2500, "test": 600, "sandbox": 600}
DEFAULT_BULK_RATE = 400


class RateLimiter:
    """Token bucket: ``acquire()`` blocks (via the injected sleep) until a request may go out."""

    def __init__(
        self,
        per_5_min: int,
        *,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        parent: RateLimiter | None = None,
    ) -> None:
        if per_5_min < 2:
            raise ValueError(f"a rate limit needs at least 2 requests per window, not {per_5_min}")
        if window <= 0:
            raise ValueError("the window must be positive")
        self.per_5_min = per_5_min
        self.window = window
        self.capacity = max(1, per_5_min // 10)
        self.rate = (per_5_min - self.capacity) / window  # tokens per second
        self.parent = parent
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(self.capacity)
        self._updated = clock()

    def _reserve(self) -> float:
        """Take a token now (possibly going into debt) and return how long to wait until it is ours."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.capacity), self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        """Wait for one request's token here (and in the parent bucket); returns the seconds waited."""
        waited = self._reserve()
        if waited > 0:
            self._sleep(waited)
        if self.parent is not None:
            waited += self.parent.acquire()
        return waited

    def __repr__(self) -> str:
        return f"RateLimiter(per_5_min={self.per_5_min}, capacity={self.capacity})"


_SHARED: dict[tuple[str, int, int], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(environment: str, per_5_min: int | None = None, *, parent: RateLimiter | None = None) -> RateLimiter:
    """The process-wide bucket for an environment at a rate (default: just under DataCite's limit).

    Give a ``parent`` for a bulk bucket, so bulk work counts against the environment's bucket too.
    """
    rate = per_5_min if per_5_min is not None else DEFAULT_RATES.get(environment, DEFAULT_RATES["test"])
    key = (environment, rate, id(parent) if parent is not None else 0)
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(rate, parent=parent)
        return limiter
