"""C28: Idempotency-Key as in the IETF draft (section 2.7): missing, replayed, reused, in flight; per token."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from portal.db import engine_of, session_scope
from portal.models import IdempotencyRecord, IdempotencyStatus, Role
from portal.models.types import utcnow
from portal.services import idempotency
from tests import factories
from tests.conftest import bearer

KEY = "Idempotency-Key"


def writer_token(app, role=Role.agent):
    """A token made outside the test's own session, so threads never share a session."""
    with session_scope(engine_of(app)) as s:
        return factories.api_token(s, factories.user(s, role))


def records(app):
    with session_scope(engine_of(app), write=False) as s:
        return list(s.exec(select(IdempotencyRecord)).all())


def test_missing_key_gets_400_and_nothing_runs(app, testbed, client):
    _t, plaintext = writer_token(app)
    response = client.post("/api/test/items", json={"title": "a"}, headers=bearer(plaintext))
    assert response.status_code == 400
    assert response.get_json()["error"]["title"] == "Idempotency-Key is missing"
    assert testbed.calls == 0 and records(app) == []


@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "schlüssel", "a\tb", '"', '""', '"a\\x"', '"a"b"', 'a"b', "a\\b"])
def test_malformed_key_gets_400(app, testbed, client, key):
    _t, plaintext = writer_token(app)
    response = client.post("/api/test/items", json={"title": "a"}, headers=bearer(plaintext, **{KEY: key}))
    assert response.status_code == 400 and testbed.calls == 0


def test_same_key_and_body_replays_the_stored_response(app, testbed, client):
    _t, plaintext = writer_token(app)
    headers = bearer(plaintext, **{KEY: "8e03978e-40d5-43e8-bc93-6894a57f9324"})
    first = client.post("/api/test/items", json={"title": "a", "count": 2}, headers=headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    # Same JSON, other key order and spacing: the same request.
    again = client.post("/api/test/items", data='{ "count": 2,  "title": "a" }', content_type="application/json",
                        headers=headers)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert testbed.calls == 1
    [record] = records(app)
    assert record.status == IdempotencyStatus.done and record.response_status == 201


def test_quoted_and_bare_keys_are_the_same_key(app, testbed, client):
    _t, plaintext = writer_token(app)
    client.post("/api/test/items", json={"title": "a"}, headers=bearer(plaintext, **{KEY: '"abc-1"'}))
    again = client.post("/api/test/items", json={"title": "a"}, headers=bearer(plaintext, **{KEY: "abc-1"}))
    assert again.headers["Idempotent-Replayed"] == "true" and testbed.calls == 1


def test_same_key_with_another_body_or_path_gets_422(app, testbed, client):
    _t, plaintext = writer_token(app)
    headers = bearer(plaintext, **{KEY: "k-1"})
    assert client.post("/api/test/items", json={"title": "a"}, headers=headers).status_code == 201
    other_body = client.post("/api/test/items", json={"title": "b"}, headers=headers)
    assert other_body.status_code == 422
    assert other_body.get_json()["error"]["title"] == "Idempotency-Key reused"
    other_path = client.post("/api/v1/echo", json={"title": "a"}, headers=headers)
    assert other_path.status_code in (400, 422)  # echo refuses the unknown field first; never a replay
    assert client.post("/api/v1/echo", json={"message": "a"}, headers=headers).status_code == 422
    assert testbed.calls == 1


def test_keys_belong_to_one_token(app, testbed, client):
    _t1, first = writer_token(app)
    _t2, second = writer_token(app)
    a = client.post("/api/test/items", json={"title": "a"}, headers=bearer(first, **{KEY: "shared"}))
    b = client.post("/api/test/items", json={"title": "a"}, headers=bearer(second, **{KEY: "shared"}))
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b.headers
    assert testbed.calls == 2 and len(records(app)) == 2


def test_a_duplicate_while_the_first_runs_gets_409(app, testbed):
    _t, plaintext = writer_token(app)
    headers = bearer(plaintext, **{KEY: "slow-1"})
    testbed.release.clear()  # the first request waits inside the handler until released

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(lambda: app.test_client().post("/api/test/items", json={"title": "a"}, headers=headers))
        assert testbed.entered.wait(10), "the first request never reached the handler"
        [record] = records(app)
        assert record.status == IdempotencyStatus.in_flight
        duplicate = app.test_client().post("/api/test/items", json={"title": "a"}, headers=headers)
        testbed.release.set()
        done = first.result(timeout=20)
    assert duplicate.status_code == 409
    assert duplicate.headers["Retry-After"] == "1"
    assert duplicate.get_json()["error"]["title"] == "Request in progress"
    assert done.status_code == 201
    replay = app.test_client().post("/api/test/items", json={"title": "a"}, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == done.get_json()
    assert testbed.calls == 1


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_simultaneous_duplicates_over_http_run_once(app, testbed, live_server):
    _t, plaintext = writer_token(app)
    testbed.delay = 0.5
    contenders = 4
    start = threading.Barrier(contenders)

    def send(_n: int) -> httpx.Response:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            start.wait(timeout=10)
            return http.post("/api/test/items", json={"title": "race"}, headers=bearer(plaintext, **{KEY: "race-1"}))

    with ThreadPoolExecutor(max_workers=contenders) as pool:
        responses = list(pool.map(send, range(contenders)))
    assert testbed.calls == 1
    fresh = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(fresh) == 1
    for r in responses:
        assert r.status_code == 409 or (r.status_code == 201 and r.json() == fresh[0].json())
    assert any(r.status_code == 409 for r in responses)  # four at once, each 500 ms: some overlapped


def test_a_failed_request_frees_its_key(app, testbed, client):
    _t, plaintext = writer_token(app)
    headers = bearer(plaintext, **{KEY: "retry-me"})
    testbed.fail = True
    crashed = client.post("/api/test/items", json={"title": "a"}, headers=headers)
    assert crashed.status_code == 500 and "reference" in crashed.get_json()["error"]
    assert records(app) == []
    testbed.fail = False
    retried = client.post("/api/test/items", json={"title": "a"}, headers=headers)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers


def test_a_service_refusal_frees_its_key_and_names_the_field(app, testbed, client):
    _t, plaintext = writer_token(app)
    headers = bearer(plaintext, **{KEY: "refused"})
    response = client.post("/api/test/items", json={"title": "refused"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"title": "is refused by the service"}
    assert records(app) == []


def test_an_abandoned_in_flight_key_can_be_taken_over(app, testbed, client):
    token, plaintext = writer_token(app)
    path, body = "/api/test/items", {"title": "a"}
    with session_scope(engine_of(app)) as s:
        s.add(IdempotencyRecord(token_id=token.id, key="orphan", method="POST", path=path,
                                request_hash=idempotency.request_hash("POST", path, body),
                                created_at=utcnow() - idempotency.ABANDONED_AFTER - timedelta(seconds=1)))
        s.commit()
    response = client.post(path, json=body, headers=bearer(plaintext, **{KEY: "orphan"}))
    assert response.status_code == 201 and testbed.calls == 1
    [record] = records(app)
    assert record.status == IdempotencyStatus.done


def test_a_recent_in_flight_key_is_not_taken_over(app, testbed, client):
    token, plaintext = writer_token(app)
    path, body = "/api/test/items", {"title": "a"}
    with session_scope(engine_of(app)) as s:
        s.add(IdempotencyRecord(token_id=token.id, key="busy", method="POST", path=path,
                                request_hash=idempotency.request_hash("POST", path, body), created_at=utcnow()))
        s.commit()
    assert client.post(path, json=body, headers=bearer(plaintext, **{KEY: "busy"})).status_code == 409
    assert testbed.calls == 0


def test_purge_keeps_a_day_and_removes_older_records(app, session):
    token, _ = writer_token(app)
    now = utcnow()
    for key, age in (("fresh", timedelta(hours=1)), ("day-old", timedelta(hours=30)), ("old", timedelta(hours=49))):
        session.add(IdempotencyRecord(token_id=token.id, key=key, method="POST", path="/p", request_hash="h",
                                      status=IdempotencyStatus.done, created_at=now - age))
    session.commit()
    assert idempotency.purge_idempotency(session, now=now) == 1
    assert sorted(r.key for r in session.exec(select(IdempotencyRecord)).all()) == ["day-old", "fresh"]
    assert idempotency.purge_idempotency(session, now=now, older_than=timedelta(hours=24)) == 1
    with pytest.raises(ValueError):
        idempotency.purge_idempotency(session, now=now, older_than=timedelta(hours=23))


def test_the_unique_constraint_decides_not_a_lookup(app, session):
    """Two rows for one (token, key) cannot exist, whatever the code in front of the database does."""
    from sqlalchemy.exc import IntegrityError

    token, _ = writer_token(app)
    for _ in range(2):
        session.add(IdempotencyRecord(token_id=token.id, key="same", method="POST", path="/p", request_hash="h"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_structured_field_keys_are_unescaped():
    from portal.web.api.replay import parse_key

    assert parse_key('"a\\"b\\\\c"') == 'a"b\\c'
    assert parse_key("  plain-key  ") == "plain-key"


def test_request_hash_is_canonical():
    assert idempotency.request_hash("post", "/p", {"a": 1, "b": [1, 2]}) == \
        idempotency.request_hash("POST", "/p", {"b": [1, 2], "a": 1})
    assert idempotency.request_hash("POST", "/p", {"a": 1}) != idempotency.request_hash("POST", "/q", {"a": 1})
    assert idempotency.request_hash("POST", "/p", {"a": 1}) != idempotency.request_hash("POST", "/p", {"a": "1"})
