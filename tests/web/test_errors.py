"""C22: error pages as HTML and, under /api/, as JSON; no traceback ever reaches a user."""

from __future__ import annotations

import logging

import pytest

from portal.models import Role
from portal.web.access import ACCESS, EVERYONE


@pytest.fixture
def boom(app, monkeypatch):
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    @app.route("/api/v1/boom")
    def api_boom() -> str:
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setitem(ACCESS, "boom", EVERYONE)
    monkeypatch.setitem(ACCESS, "api_boom", EVERYONE)


def test_500_shows_a_reference_and_logs_the_traceback(client, boom, caplog):
    caplog.set_level(logging.ERROR)
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body and "secret internals" not in body
    reference = body.split("<code>")[1].split("</code>")[0]
    assert reference in caplog.text and "secret internals" in caplog.text


def test_500_under_api_is_json(client, boom):
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    error = response.json["error"]
    assert error["status"] == 500 and error["title"] and error["reference"]
    assert "secret internals" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no/such/page", 404),
    ("POST", "/", 405),
    ("GET", "/api/v1/no-such-thing", 404),
    ("DELETE", "/api/v1/health", 405),
])
def test_error_statuses(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    if path.startswith("/api/"):
        assert response.json["error"]["status"] == status
        assert set(response.json["error"]) >= {"status", "title", "detail"}
    else:
        assert response.mimetype == "text/html" and "<h1>" in response.get_data(as_text=True)


def test_405_names_the_allowed_methods(client):
    assert "GET" in client.post("/").headers["Allow"]


def test_403_page_for_the_wrong_role(client, session, make, login_as):
    login_as(make.user(session, Role.member, org=make.organisation(session)))
    response = client.get("/admin/")
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)


def test_413_for_oversized_bodies(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.get_data(as_text=True)


def test_429_page_has_retry_after(app, client, session, make):
    user = make.user(session, Role.agent)
    for _ in range(app.config["LOGIN_MAX_FAILURES_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "nope nope nope"})
    response = client.post("/login", data={"email": user.email, "password": "nope nope nope"})
    assert response.status_code == 429 and response.headers["Retry-After"]


def test_unknown_id_is_a_clear_404(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    response = client.get("/desk/members/999999")
    assert response.status_code == 404
    assert "No such member organisation." in response.get_data(as_text=True)


def test_junk_query_arguments_never_crash(client, session, make, login_as):
    login_as(make.user(session, Role.admin))
    for url in ("/admin/users?page=abc&per_page=-5&sort=__class__&dir=sideways",
                "/admin/audit?since=yesterday&until=2026-13-45&page=99999999999",
                "/desk/members?page=0&country=ZZZ&status=maybe"):
        assert client.get(url).status_code == 200, url


def test_numbers_past_the_integer_columns_are_not_found_not_errors(client, session, make, login_as):
    """PostgreSQL refuses an id above 2**31-1 with an error; the route must answer 404 before it gets there."""
    from portal.models import Role

    login_as(make.user(session, Role.agent))
    for path in ("/desk/tickets/2147483648", "/desk/repositories/99999999999", "/desk/organisations/2147483648"):
        assert client.get(path).status_code == 404, path
    assert client.get("/desk/tickets/2147483647").status_code == 404  # the largest id still routes, and is absent
