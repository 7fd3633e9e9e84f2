"""The token bucket never lets more than N requests out in any five-minute window, across threads too."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.datacite import RateLimiter, shared_limiter
from portal.datacite.ratelimit import DEFAULT_RATES
from tests.datacite.fakes import CREDS, FakeClock, Script, doi_document, json_response, make_client

WINDOW = 300.0
EPSILON = 1e-6  # float rounding in the refill arithmetic; counted against the limiter


def most_in_any_window(times: list[float], window: float = WINDOW) -> int:
    """The largest number of timestamps inside one closed window of the given length (erring high)."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] > window + EPSILON:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(limiter: RateLimiter, clock: FakeClock, gaps: list[float]) -> list[float]:
    """Send one request after each gap; return when each actually went out."""
    sent = []
    for gap in gaps:
        clock.now += gap
        limiter.acquire()
        sent.append(clock.now)
    return sent


def test_burst_then_steady_rate():
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock, sleep=clock.sleep)
    sent = run(limiter, clock, [0.0] * 100)
    assert sent[:10] == [1000.0] * 10  # a tenth of the allowance as burst
    assert sent[10] == pytest.approx(1000.0 + 300.0 / 90)  # then the other 90 evenly over the window
    assert sent[-1] == pytest.approx(1000.0 + 300.0)
    assert most_in_any_window(sent) == 100


@given(per_5_min=st.integers(min_value=2, max_value=400),
       gaps=st.lists(st.floats(min_value=0.0, max_value=20.0, allow_nan=False), min_size=1, max_size=600))
def test_never_more_than_n_in_any_window(per_5_min, gaps):
    clock = FakeClock()
    limiter = RateLimiter(per_5_min, clock=clock, sleep=clock.sleep)
    assert most_in_any_window(run(limiter, clock, gaps)) <= per_5_min


def test_idle_time_refills_only_up_to_the_burst():
    clock = FakeClock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    run(limiter, clock, [0.0] * 5)
    clock.now += 10_000
    sent = run(limiter, clock, [0.0] * 6)
    assert sent[:5] == [sent[0]] * 5 and sent[5] > sent[0]  # burst of 5 (50 // 10), not 50


def test_concurrent_acquires_each_get_their_own_slot():
    frozen = FakeClock()
    waits: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = RateLimiter(600, clock=frozen, sleep=record)
    threads = [threading.Thread(target=lambda: [limiter.acquire() for _ in range(60)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 480 acquires with time standing still: 60 burst tokens, then every wait one refill interval longer.
    interval = 300.0 / (600 - 60)
    assert sorted(waits) == pytest.approx([interval * k for k in range(1, 480 - 60 + 1)])
    assert most_in_any_window(sorted([frozen.now] * 60 + [frozen.now + w for w in waits])) <= 600


def test_a_bulk_bucket_also_draws_from_its_parent():
    clock = FakeClock()
    parent = RateLimiter(100, clock=clock, sleep=clock.sleep)
    bulk = RateLimiter(20, clock=clock, sleep=clock.sleep, parent=parent)
    run(bulk, clock, [0.0] * 2)
    sent = run(parent, clock, [0.0] * 9)
    assert sent[-1] > sent[0]  # the parent's burst of 10 was shared with the bulk requests


def test_rates_must_allow_at_least_two_requests():
    with pytest.raises(ValueError):
        RateLimiter(1)


def test_shared_limiters_are_one_per_environment_and_rate_with_defaults_under_datacite_limits():
    assert DEFAULT_RATES["production"] == 2500 and DEFAULT_RATES["test"] == 600
    assert shared_limiter("production") is shared_limiter("production", 2500)
    assert shared_limiter("test").per_5_min == 600
    assert shared_limiter("test", 400) is not shared_limiter("test")


def test_the_client_takes_a_token_for_every_attempt():
    clock = FakeClock()
    limiter = RateLimiter(20, clock=clock, sleep=clock.sleep)  # burst of 2
    script = Script().add(*(json_response(200, doi_document("10.1234/a")) for _ in range(3)))
    with make_client(script, clock, limiter=limiter) as client:
        for _ in range(3):
            client.get_doi("10.1234/a", CREDS)
    assert clock.sleeps == [pytest.approx(300.0 / 18)]
