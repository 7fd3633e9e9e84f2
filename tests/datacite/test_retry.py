"""C30: bounded retries with backoff, Retry-After, no retry of client errors, look-before-retry on creates."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from portal.datacite import RetryPolicy
from portal.datacite.errors import (
    AuthError,
    DuplicateDoi,
    NotFound,
    OutageError,
    PermissionDenied,
    RateLimited,
    ValidationError,
)
from portal.datacite.retry import CircuitBreaker
from tests.datacite.fakes import (
    CREDS,
    FakeClock,
    Script,
    doi_document,
    errors_body,
    json_response,
    make_client,
)

DOI = "10.82785/jjye-nx41"


def ok_doi(doi: str = DOI, **kwargs: str) -> httpx.Response:
    return json_response(200, doi_document(doi, **kwargs))


def status(code: int, title: str = "x", **headers: str) -> httpx.Response:
    return json_response(code, errors_body({"status": str(code), "title": title}), headers)


def test_429_waits_for_retry_after_then_succeeds():
    clock = FakeClock()
    script = Script().add(status(429, "Your request has been rate limited", **{"Retry-After": "7"}), ok_doi())
    with make_client(script, clock) as client:
        assert client.get_doi(DOI).doi == DOI
    assert clock.sleeps == [7.0]
    assert len(script.requests) == 2


def test_retry_after_is_capped():
    clock = FakeClock()
    script = Script().add(status(429, **{"Retry-After": "120"}), ok_doi())
    with make_client(script, clock, retry=RetryPolicy(max_retry_after=10.0)) as client:
        client.get_doi(DOI)
    assert clock.sleeps == [10.0]


def test_retry_after_beyond_the_time_budget_gives_up_at_once():
    clock = FakeClock()
    script = Script().add(status(429, **{"Retry-After": "45"}))
    with make_client(script, clock, retry=RetryPolicy(max_retry_after=60.0, total=30.0)) as client:
        with pytest.raises(RateLimited) as caught:
            client.get_doi(DOI)
    assert caught.value.retry_after == 45.0  # the caller can schedule a later run
    assert clock.sleeps == []


@pytest.mark.parametrize("codes", [(500, 502, 503, 504), (503, 503, 503, 503)])
def test_server_errors_back_off_exponentially_within_bounds(codes):
    clock = FakeClock()
    script = Script().add(*(status(c) for c in codes))
    policy = RetryPolicy(attempts=4, base=0.5, cap=8.0, total=30.0)
    with make_client(script, clock, retry=policy) as client:
        with pytest.raises(OutageError) as caught:
            client.get_doi(DOI)
    assert caught.value.status == codes[-1]
    assert len(script.requests) == 4  # bounded attempts
    assert len(clock.sleeps) == 3
    for attempt, slept in enumerate(clock.sleeps, start=1):
        assert 0 <= slept <= min(8.0, 0.5 * 2 ** (attempt - 1))  # full jitter under the exponential ceiling


def test_server_retry_after_is_honoured_too():
    clock = FakeClock()
    script = Script().add(status(503, "Service Unavailable", **{"Retry-After": "3"}), ok_doi())
    with make_client(script, clock) as client:
        client.get_doi(DOI)
    assert clock.sleeps == [3.0]


def test_backoff_ceiling_grows_then_caps():
    policy = RetryPolicy(base=0.5, cap=8.0)
    assert [policy.backoff(n, rand=lambda: 1.0) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert policy.backoff(3, rand=lambda: 0.25) == 0.5


def test_total_time_bounds_retries_even_with_attempts_left():
    clock = FakeClock()
    script = Script().add(*(status(503) for _ in range(10)))
    policy = RetryPolicy(attempts=10, base=8.0, cap=8.0, total=20.0)
    with make_client(script, clock, retry=policy) as client:
        with pytest.raises(OutageError):
            client.get_doi(DOI)
    assert sum(clock.sleeps) <= 20.0
    assert len(script.requests) < 10


def test_server_error_then_success_returns_the_result():
    clock = FakeClock()
    script = Script().add(status(502), ok_doi())
    with make_client(script, clock) as client:
        assert client.get_doi(DOI).state == "draft"
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("timed out"),
                                     httpx.ConnectTimeout("timed out"), httpx.RemoteProtocolError("dropped")])
def test_network_failures_on_reads_are_retried(failure):
    script = Script().add(failure, ok_doi())
    with make_client(script) as client:
        assert client.get_doi(DOI).doi == DOI
    assert script.lines() == [f"GET /dois/{DOI}"] * 2


def test_network_failures_that_persist_become_an_outage_error():
    script = Script().add(*(httpx.ReadTimeout("timed out") for _ in range(4)))
    with make_client(script) as client:
        with pytest.raises(OutageError) as caught:
            client.get_doi(DOI)
    assert caught.value.status is None and caught.value.key == "datacite-unavailable"
    assert "Timed out" in caught.value.title


@pytest.mark.parametrize(("code", "error_type"), [
    (400, ValidationError), (401, AuthError), (403, PermissionDenied), (404, NotFound), (422, ValidationError),
])
def test_client_errors_are_never_retried(code, error_type):
    clock = FakeClock()
    script = Script().add(status(code, "nope"))
    with make_client(script, clock) as client:
        with pytest.raises(error_type):
            client.get_doi(DOI)
    assert len(script.requests) == 1 and clock.sleeps == []


# ---------------------------------------------------------------- creates: look before retrying


def test_post_timeout_is_followed_by_a_get_and_the_existing_doi_is_returned():
    script = Script().add(httpx.ReadTimeout("timed out"), ok_doi())
    with make_client(script) as client:
        doi = client.create_draft(CREDS, {"url": "https://example.org"}, doi=DOI)
    assert doi.doi == DOI and doi.client_id == "mpqm.qldnec"
    assert script.lines() == ["POST /dois", f"GET /dois/{DOI}"]  # never a second POST


def test_post_timeout_then_get_404_retries_the_post():
    script = Script().add(httpx.ReadTimeout("timed out"), status(404), json_response(201, doi_document(DOI)))
    with make_client(script) as client:
        assert client.create_draft(CREDS, {}, doi=DOI).doi == DOI
    assert script.lines() == ["POST /dois", f"GET /dois/{DOI}", "POST /dois"]


def test_post_server_error_is_also_checked_before_retrying():
    script = Script().add(status(504), ok_doi())
    with make_client(script) as client:
        client.create_draft(CREDS, {}, doi=DOI)
    assert script.lines() == ["POST /dois", f"GET /dois/{DOI}"]


def test_post_timeout_and_the_doi_is_someone_elses():
    script = Script().add(httpx.ReadTimeout("timed out"), ok_doi(client_id="other.repo"))
    with make_client(script) as client:
        with pytest.raises(DuplicateDoi):
            client.create_draft(CREDS, {}, doi=DOI)
    assert script.lines() == ["POST /dois", f"GET /dois/{DOI}"]


def test_post_that_never_connected_is_retried_without_looking():
    script = Script().add(httpx.ConnectError("refused"), json_response(201, doi_document(DOI)))
    with make_client(script) as client:
        client.create_draft(CREDS, {}, doi=DOI)
    assert script.lines() == ["POST /dois", "POST /dois"]


def test_prefix_create_names_the_doi_first_so_a_timeout_can_be_checked():
    seen: list[str] = []

    def created(request: httpx.Request) -> httpx.Response:
        doi = request.url.path.removeprefix("/dois/")
        seen.append(doi)
        return ok_doi(doi)

    script = Script().add(httpx.ReadTimeout("timed out"), created)
    with make_client(script) as client:
        doi = client.create_draft(CREDS, {}, prefix="10.82785")
    sent = json.loads(script.requests[0].content)["data"]["attributes"]["doi"]
    assert sent == seen[0] == doi.doi
    assert re.fullmatch(r"10\.82785/[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{3}[0-9a-hjkmnp-tv-z*~$=u]", sent)
    assert script.lines() == ["POST /dois", f"GET /dois/{sent}"]


def taken() -> httpx.Response:
    return json_response(422, errors_body({"source": "doi", "title": "This DOI has already been taken", "uid": DOI}))


def test_already_taken_is_resolved_by_get_when_the_doi_is_ours():
    script = Script().add(taken(), ok_doi())
    with make_client(script) as client:
        assert client.create_draft(CREDS, {}, doi=DOI).doi == DOI
    assert script.lines() == ["POST /dois", f"GET /dois/{DOI}"]


@pytest.mark.parametrize("lookup", [ok_doi(client_id="other.repo"), status(404)])
def test_already_taken_by_someone_else_is_a_duplicate_error(lookup):
    script = Script().add(taken(), lookup)
    with make_client(script) as client:
        with pytest.raises(DuplicateDoi) as caught:
            client.create_draft(CREDS, {}, doi=DOI)
    assert caught.value.title == "This DOI has already been taken" and caught.value.status == 422


@pytest.mark.parametrize("method", ["create", "update"])
def test_404_on_a_write_means_bad_credentials(method):
    # DataCite's quirk: a wrong password on POST (or PUT of a new DOI) answers 404, not 401.
    script = Script().add(status(404, "The resource you are looking for doesn't exist."))
    with make_client(script) as client:
        with pytest.raises(AuthError) as caught:
            if method == "create":
                client.create_draft(CREDS, {}, doi=DOI)
            else:
                client.update_doi(CREDS, DOI, {"url": "https://example.org"})
    assert caught.value.key == "bad-credentials" and caught.value.status == 404
    assert caught.value.title == "The resource you are looking for doesn't exist."


def test_delete_that_timed_out_counts_as_done_when_the_draft_is_gone():
    script = Script().add(httpx.ReadTimeout("timed out"), status(404))
    with make_client(script) as client:
        assert client.delete_draft(CREDS, DOI) is None
    assert script.lines() == [f"DELETE /dois/{DOI}", f"GET /dois/{DOI}"]


# ---------------------------------------------------------------- circuit breaker


def test_breaker_opens_after_consecutive_failures_and_fails_fast():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=60.0, clock=clock)
    script = Script().add(status(503), httpx.ReadTimeout("timed out"), status(500))
    with make_client(script, clock, breaker=breaker, retry=RetryPolicy(attempts=1)) as client:
        for _ in range(3):
            with pytest.raises(OutageError):
                client.get_doi(DOI)
        with pytest.raises(OutageError) as caught:
            client.get_doi(DOI)
        assert "paused" in caught.value.title and caught.value.retry_after == 60.0
        assert len(script.requests) == 3  # the fourth call never left

        clock.now += 61  # cooldown over: one trial call goes through and closes the breaker
        script.add(ok_doi(), ok_doi())
        client.get_doi(DOI)
        client.get_doi(DOI)
    assert not breaker.is_open and len(script.requests) == 5


def test_breaker_reopens_when_the_trial_call_fails():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cooldown=30.0, clock=clock)
    script = Script().add(status(503), status(503))
    with make_client(script, clock, breaker=breaker, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(OutageError):
            client.get_doi(DOI)
        clock.now += 31
        with pytest.raises(OutageError):
            client.get_doi(DOI)  # the trial
        with pytest.raises(OutageError, match="paused"):
            client.get_doi(DOI)
    assert len(script.requests) == 2


def test_client_errors_do_not_trip_the_breaker():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=2, clock=clock)
    script = Script().add(status(503), status(404), status(503), ok_doi())
    with make_client(script, clock, breaker=breaker, retry=RetryPolicy(attempts=1)) as client:
        for _ in range(3):
            with pytest.raises((OutageError, NotFound)):
                client.get_doi(DOI)
        client.get_doi(DOI)
    assert not breaker.is_open
