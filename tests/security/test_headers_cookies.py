"""C12/C13: cookie attributes and security headers on every kind of response."""

from __future__ import annotations

import secrets

import pytest

from portal.db import engine_of
from portal.models import Role
from tests.conftest import base_config, build_app, make_key_ring
from tests.factories import PASSWORD


@pytest.fixture
def production_app(database_url, tmp_path):
    config = base_config(database_url, tmp_path, ENV="production", BASE_URL="https://portal.example",
                         SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEYS=make_key_ring(),
                         PASSWORD_HASH_PROFILE="standard", REQUIRE_2FA=False)
    application = build_app(config)
    yield application
    engine_of(application).dispose()


def set_cookies(response):
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_secure_host_only_and_lax(production_app, database_url):
    from portal.db import session_scope
    from portal.passwords import hash_password

    with session_scope(engine_of(production_app)) as s:
        from portal.models import User

        s.add(User(email="agent@portal.example", name="Agent", role=Role.agent,
                   password_hash=hash_password(PASSWORD)))
        s.commit()
    client = production_app.test_client()
    client.get("/login", base_url="https://portal.example")
    response = client.post("/login", base_url="https://portal.example",
                           data={"email": "agent@portal.example", "password": PASSWORD, "remember": "y"})
    cookies = set_cookies(response)
    assert set(cookies) == {"__Host-portal_session", "__Host-portal_remember"}
    for header in cookies.values():
        lowered = header.lower()
        assert "; secure" in lowered and "; httponly" in lowered and "samesite=lax" in lowered
        assert "path=/" in lowered and "domain=" not in lowered
    logout = client.post("/logout", base_url="https://portal.example")
    deleting = set_cookies(logout)["__Host-portal_remember"].lower()
    assert "expires=thu, 01 jan 1970" in deleting
    assert "; secure" in deleting and "; httponly" in deleting and "samesite=lax" in deleting


def test_production_sends_hsts(production_app):
    response = production_app.test_client().get("/", base_url="https://portal.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_production_refuses_other_hosts(production_app):
    response = production_app.test_client().get("/", base_url="https://evil.example")
    assert response.status_code == 400


def test_production_has_no_debugger_or_testing(production_app):
    assert not production_app.debug and not production_app.testing
    assert production_app.test_client().get("/console", base_url="https://portal.example").status_code == 404


@pytest.mark.parametrize("path", ["/", "/login", "/does-not-exist", "/api/v1/health", "/api/v1/nothing",
                                  "/static/style.css"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Server" not in response.headers
    response.close()


def test_signed_in_pages_are_not_cached(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    assert client.get("/desk/").headers["Cache-Control"] == "no-store"


def test_error_responses_carry_headers_too(app, client, monkeypatch):
    @app.route("/boom-headers")
    def boom() -> str:
        raise RuntimeError("kaput")

    from portal.web.access import ACCESS, EVERYONE

    monkeypatch.setitem(ACCESS, "boom", EVERYONE)
    response = client.get("/boom-headers")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_request_size_limits_are_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] and app.config["MAX_FORM_PARTS"]
