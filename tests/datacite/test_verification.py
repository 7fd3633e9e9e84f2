"""verify_credentials reads GET /clients/{id} the way DataCite answers it, and never writes."""

from __future__ import annotations

import httpx
import pytest

from portal.datacite import Credentials
from portal.datacite.errors import OutageError
from portal.vault import Secret
from tests.datacite.fakes import CREDS, Script, json_response, make_client


def client_document(owner_view: bool, active: bool = True) -> dict:
    """GET /clients/{id} as the reference records it; contactEmail/hasPassword only for the owner."""
    attributes = {"name": "Quebec Data", "symbol": "MPQM.QLDNEC", "year": 2024, "alternateName": None,
                  "description": None, "language": ["en"], "clientType": "repository", "domains": "*",
                  "re3data": None, "opendoar": None, "issn": {}, "url": None,
                  "created": "2024-02-01T10:00:00.000Z", "updated": "2025-10-01T10:00:00.000Z", "isActive": active}
    if owner_view:
        attributes.update({"contactEmail": "data@quebec.example", "hasPassword": True})
    return {"data": {"id": "mpqm.qldnec", "type": "clients", "attributes": attributes, "relationships": {
        "provider": {"data": {"id": "mpqm", "type": "providers"}},
        "prefixes": {"data": [{"id": "10.82785", "type": "prefixes"}]}}}}


def authenticated(**kwargs: bool) -> httpx.Response:
    return json_response(200, client_document(True, **kwargs), {"X-Credential-Username": "mpqm.qldnec"})


def test_authenticated_answer_is_ok():
    script = Script().add(authenticated())
    with make_client(script) as client:
        result = client.verify_credentials(CREDS)
    assert result.ok and "accepted the password" in result.reason
    assert result.checked_via == "GET /clients/mpqm.qldnec: X-Credential-Username"
    assert result.repository.contact_email == "data@quebec.example" and result.repository.prefixes == ["10.82785"]
    assert script.requests[0].headers["Authorization"].startswith("Basic ")


def test_wrong_password_gets_the_anonymous_view_and_is_not_ok():
    # DataCite does not refuse a wrong password on reads: no X-Credential-Username, no owner-only fields.
    script = Script().add(json_response(200, client_document(False)))
    with make_client(script, environment="production") as client:
        result = client.verify_credentials(CREDS)
    assert not result.ok and result.checked_via.endswith("anonymous view")
    assert "test system" in result.reason  # the usual mix-up is named
    assert result.repository is not None and result.repository.contact_email is None


def test_owner_fields_without_the_header_are_enough():
    script = Script().add(json_response(200, client_document(True)))
    with make_client(script) as client:
        result = client.verify_credentials(CREDS)
    assert result.ok and result.checked_via.endswith("owner-only fields shown")


def test_a_key_of_another_repository_is_not_ok():
    script = Script().add(json_response(200, client_document(False), {"X-Credential-Username": "mpqm.other"}))
    key = Credentials("MPQM.QLDNEC", Secret("DC.abcdefghijklmnopqrstuvwxyz012345"))
    with make_client(script) as client:
        result = client.verify_credentials(key)
    assert not result.ok and "MPQM.OTHER" in result.reason and "API key" in result.reason
    assert script.requests[0].headers["Authorization"].startswith("Bearer DC.")


def test_inactive_repository_is_valid_but_warned_about():
    script = Script().add(authenticated(active=False))
    with make_client(script) as client:
        result = client.verify_credentials(CREDS)
    assert result.ok and "inactive" in result.reason


@pytest.mark.parametrize(("status", "title", "words"), [
    (404, "The resource you are looking for doesn't exist.", "has no repository MPQM.QLDNEC"),
    (401, "Bad credentials.", "refused the credentials"),
    (403, "You are not authorized to access this resource.", "refused access"),
])
def test_refusals_are_verdicts_not_exceptions(status, title, words):
    script = Script().add(json_response(status, {"errors": [{"status": str(status), "title": title}]}))
    with make_client(script) as client:
        result = client.verify_credentials(CREDS)
    assert not result.ok and words in result.reason and result.repository is None
    assert result.checked_via == f"GET /clients/mpqm.qldnec: HTTP {status}"
    assert len(script.requests) == 1


def test_a_member_id_is_refused_without_asking_datacite():
    script = Script()
    with make_client(script) as client:
        result = client.verify_credentials(Credentials("MPQM", Secret("pw")))
    assert not result.ok and "member" in result.reason and script.requests == []


def test_outages_are_raised_because_they_say_nothing_about_the_credential():
    script = Script().add(*(httpx.Response(503) for _ in range(4)))
    with make_client(script) as client:
        with pytest.raises(OutageError):
            client.verify_credentials(CREDS)


def test_verification_only_ever_reads():
    script = Script().add(json_response(200, client_document(False)), authenticated())
    with make_client(script) as client:
        client.verify_credentials(CREDS)
        client.verify_credentials(CREDS)
    assert {r.method for r in script.requests} == {"GET"}
