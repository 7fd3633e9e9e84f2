"""Fault injection: latency, 5xx bodies, timeouts, rate limiting, request counting; all changeable at run time."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from portal.datacite.sandbox import Faults, Sandbox, SimulatedTimeout
from portal.datacite.sandbox.faults import OUTAGE_BODY
from tests.datacite.sandbox_support import client


def test_request_count_and_reset(sandbox: Sandbox) -> None:
    with client(sandbox) as http:
        for _ in range(3):
            http.get("/heartbeat")
        assert sandbox.request_count == 3
        sandbox.reset_counters()
        http.get("/dois")
    assert sandbox.request_count == 1


def test_latency_delays_every_answer(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(latency_ms=120)
    with client(sandbox) as http:
        started = time.perf_counter()
        assert http.get("/heartbeat").status_code == 200
    assert time.perf_counter() - started >= 0.12


def test_every_nth_request_is_rate_limited_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(rate_limit_every=3, retry_after_seconds=7)
    with client(sandbox) as http:
        statuses = [http.get("/heartbeat") for _ in range(7)]
    assert [r.status_code for r in statuses] == [200, 200, 429, 200, 200, 429, 200]
    assert statuses[2].headers["retry-after"] == "7"
    assert "Too Many Requests" in statuses[2].text


def test_error_rate_one_answers_only_realistic_5xx(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(error_rate=1.0, seed=4)
    with client(sandbox) as http:
        answers = [http.get("/dois") for _ in range(40)]
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {500, 502, 503, 504} and len(statuses) > 1
    outage = next(a for a in answers if a.status_code == 500)
    assert outage.json() == OUTAGE_BODY
    assert outage.headers["content-type"] == "application/json; charset=utf-8"
    gateway = next(a for a in answers if a.status_code != 500)
    assert gateway.headers["content-type"].startswith("text/html") and "nginx" in gateway.text


def test_error_rate_is_a_fraction_and_seeded(sandbox: Sandbox) -> None:
    def run() -> list[int]:
        sandbox.faults = Faults(error_rate=0.3, seed=11)
        with client(sandbox) as http:
            return [http.get("/heartbeat").status_code for _ in range(200)]

    first, second = run(), run()
    assert first == second
    failures = sum(s >= 500 for s in first)
    assert 30 <= failures <= 90


def test_timeouts_reach_the_client_as_httpx_timeouts(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(timeout_rate=1.0)
    with client(sandbox) as http, pytest.raises(httpx.TimeoutException) as caught:
        http.get("/dois")
    assert isinstance(caught.value, SimulatedTimeout)


def test_faults_can_be_switched_off_at_run_time(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(error_rate=1.0)
    with client(sandbox) as http:
        assert http.get("/heartbeat").status_code >= 500
        sandbox.faults = None
        assert http.get("/heartbeat").status_code == 200
        sandbox.faults = Faults()
        sandbox.faults.rate_limit_every = 1
        assert http.get("/heartbeat").status_code == 429
