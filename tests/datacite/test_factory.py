"""client_for builds a client from the configuration: identity, timeout, sandbox URL, rate limits."""

from __future__ import annotations

import httpx
import pytest

from portal import __version__, settings
from portal.datacite import client_for
from portal.datacite.ratelimit import shared_limiter
from portal.settings import ConfigError


def config(**overrides: object) -> dict:
    values = settings.defaults()
    values.update(BASE_URL="https://portal.rsp.example", **overrides)
    return values


def test_client_for_identifies_the_portal_and_applies_the_timeout():
    script_requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        script_requests.append(request)
        return httpx.Response(200, text="OK")

    with client_for(config(CONTACT_EMAIL="desk@rsp.example", DATACITE_TIMEOUT_SECONDS=7.5), "test",
                    transport=httpx.MockTransport(answer)) as client:
        assert client.heartbeat()
        assert client._http.timeout.read == 7.5
    assert script_requests[0].headers["User-Agent"] == \
        f"RSP-Portal/{__version__} (https://portal.rsp.example; mailto:desk@rsp.example)"
    assert script_requests[0].url.host == "api.test.datacite.org"


def test_sandbox_url_comes_from_the_configuration():
    with client_for(config(DATACITE_SANDBOX_URL="http://127.0.0.1:6001/"), "sandbox") as client:
        assert client.base_url == "http://127.0.0.1:6001"
    with client_for(config(), "production") as client:
        assert client.base_url == "https://api.datacite.org"


def test_rate_limits_come_from_the_configuration_and_bulk_counts_within_the_environment():
    with client_for(config(DATACITE_RATE_TEST=500, DATACITE_RATE_BULK=300), "test", bulk=True) as client:
        limiter = client._sender.limiter
    assert limiter is shared_limiter("test", 300, parent=shared_limiter("test", 500))
    assert limiter.per_5_min == 300 and limiter.parent.per_5_min == 500


@pytest.mark.parametrize(("overrides", "message"), [
    ({"CONTACT_EMAIL": "not-an-address"}, "CONTACT_EMAIL"),
    ({"DATACITE_TIMEOUT_SECONDS": 0}, "positive"),
    ({"DATACITE_TIMEOUT_SECONDS": "soon"}, "number of seconds"),
    ({"DATACITE_RATE_PRODUCTION": 1}, "at least 2"),
])
def test_bad_configuration_is_a_clear_error(overrides, message):
    with pytest.raises(ConfigError, match=message):
        client_for(config(**overrides), "production")


def test_unknown_environment_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown DataCite environment"):
        client_for(config(), "staging")


def test_settings_are_documented_and_typed_from_the_environment():
    names = {s.name for s in settings.SETTINGS}
    assert {"DATACITE_SANDBOX_URL", "DATACITE_TIMEOUT_SECONDS", "CONTACT_EMAIL", "DATACITE_RATE_PRODUCTION",
            "DATACITE_RATE_TEST", "DATACITE_RATE_BULK"} <= names
    values = settings.from_environ({"PORTAL_DATACITE_TIMEOUT_SECONDS": "12.5", "PORTAL_DATACITE_RATE_BULK": "300"})
    assert values == {"DATACITE_TIMEOUT_SECONDS": 12.5, "DATACITE_RATE_BULK": 300}
    with pytest.raises(ConfigError, match="must be a number"):
        settings.from_environ({"PORTAL_DATACITE_TIMEOUT_SECONDS": "fast"})


def test_the_app_configuration_builds_a_client(app):
    with client_for(app.config, "test") as client:
        assert client.environment == "test"
    assert app.config["CONTACT_EMAIL"] == "support@rsp.example"
