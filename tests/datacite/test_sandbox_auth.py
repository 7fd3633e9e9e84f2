"""Authentication exactly like DataCite: identity headers, the silent findable filter, 401/403/404 quirks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portal.datacite.sandbox import Sandbox, SandboxRepository
from tests.datacite.conftest import creds
from tests.datacite.sandbox_support import client

BAD_CREDENTIALS = {"errors": [{"status": "401", "title": "Bad credentials."}]}
NOT_FOUND = {"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]}
FORBIDDEN = {"errors": [{"status": "403", "title": "You are not authorized to access this resource."}]}


def _doc(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "dois", "attributes": attributes}}


def _complete(event: str | None = None, url: str = "https://data.example.org/landing") -> dict[str, Any]:
    attributes: dict[str, Any] = {"titles": [{"title": "T"}], "creators": [{"name": "Doe, Jane"}], "publisher": "P",
                                  "publicationYear": 2024, "types": {"resourceTypeGeneral": "Dataset"}, "url": url}
    if event:
        attributes["event"] = event
    return attributes


@pytest.fixture
def populated(sandbox: Sandbox, test_repo: SandboxRepository) -> Sandbox:
    """A draft, a registered and a findable DOI of DATACITE.TEST."""
    with client(sandbox, creds(test_repo)) as owner:
        assert owner.put("/dois/10.5072/draft", json=_doc(doi="10.5072/draft")).status_code == 201
        assert owner.put("/dois/10.5072/registered", json=_doc(**_complete("register"))).status_code == 201
        assert owner.put("/dois/10.5072/findable", json=_doc(**_complete("publish"))).status_code == 201
    return sandbox


def _dois(response: httpx.Response) -> set[str]:
    return {item["id"] for item in response.json()["data"]}


def test_identity_headers(sandbox: Sandbox, test_repo: SandboxRepository) -> None:
    with client(sandbox) as anonymous:
        answer = anonymous.get("/dois")
    assert answer.headers["x-anonymous-consumer"] == "true" and "x-credential-username" not in answer.headers
    with client(sandbox, ("DataCite.Test", test_repo.password)) as member:
        answer = member.get("/dois")
    assert answer.headers["x-credential-username"] == "datacite.test" and "x-anonymous-consumer" not in answer.headers
    with client(sandbox, (test_repo.uid, "wrong")) as wrong:
        answer = wrong.get("/dois")
    assert "x-credential-username" not in answer.headers and "x-anonymous-consumer" not in answer.headers


def test_anonymous_and_wrong_password_lists_are_silently_findable_only(populated: Sandbox, test_repo: SandboxRepository) -> None:
    for auth in (None, (test_repo.uid, "wrong"), ("NOT.KNOWN", "x")):
        with client(populated, auth) as caller:
            answer = caller.get("/dois", params={"client-id": "datacite.test", "state": "draft,registered,findable"})
        assert answer.status_code == 200
        assert _dois(answer) == {"10.5072/findable"}
        assert answer.json()["meta"]["states"] == [{"id": "findable", "title": "Findable", "count": 1}]
    with client(populated, creds(test_repo)) as owner:
        answer = owner.get("/dois", params={"client-id": "datacite.test"})
    assert _dois(answer) == {"10.5072/draft", "10.5072/registered", "10.5072/findable"}
    assert {s["id"] for s in answer.json()["meta"]["states"]} == {"draft", "registered", "findable"}


def test_other_repositories_never_see_drafts(populated: Sandbox, other_repo: SandboxRepository) -> None:
    with client(populated, creds(other_repo)) as other:
        listed = other.get("/dois", params={"state": "draft"})
        draft = other.get("/dois/10.5072/draft")
        findable = other.get("/dois/10.5072/findable")
    assert _dois(listed) == set()
    assert draft.status_code == 404 and draft.json() == NOT_FOUND
    assert findable.status_code == 200


def test_anonymous_get_of_draft_or_registered_is_404(populated: Sandbox) -> None:
    with client(populated) as anonymous:
        for name in ("draft", "registered", "unknown"):
            answer = anonymous.get(f"/dois/10.5072/{name}")
            assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_post_without_credentials_is_401_and_with_wrong_password_404(sandbox: Sandbox, test_repo: SandboxRepository) -> None:
    with client(sandbox) as anonymous:
        answer = anonymous.post("/dois", json=_doc(doi="10.5072/new"))
    assert (answer.status_code, answer.json()) == (401, BAD_CREDENTIALS)
    assert "www-authenticate" not in answer.headers
    with client(sandbox, (test_repo.uid, "wrong")) as wrong:
        answer = wrong.post("/dois", json=_doc(doi="10.5072/new"))
    assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_put_of_a_new_doi_without_valid_credentials_is_404(sandbox: Sandbox, test_repo: SandboxRepository) -> None:
    for auth in (None, (test_repo.uid, "wrong")):
        with client(sandbox, auth) as caller:
            answer = caller.put("/dois/10.5072/new", json=_doc())
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_put_and_delete_of_an_existing_doi_without_valid_credentials_is_401(populated: Sandbox, test_repo: SandboxRepository) -> None:
    for auth in (None, (test_repo.uid, "wrong")):
        with client(populated, auth) as caller:
            assert caller.put("/dois/10.5072/draft", json=_doc(url="https://x.example.org")).json() == BAD_CREDENTIALS
            answer = caller.delete("/dois/10.5072/draft")
            assert (answer.status_code, answer.json()) == (401, BAD_CREDENTIALS)


def test_another_repositorys_prefix_or_doi_is_403(populated: Sandbox, other_repo: SandboxRepository) -> None:
    with client(populated, creds(other_repo)) as other:
        for answer in (other.post("/dois", json=_doc(doi="10.5072/mine-now")),
                       other.post("/dois", json=_doc(prefix="10.5072")),
                       other.put("/dois/10.5072/not-yet", json=_doc()),
                       other.put("/dois/10.5072/draft", json=_doc(url="https://x.org")),
                       other.delete("/dois/10.5072/draft")):
            assert (answer.status_code, answer.json()) == (403, FORBIDDEN)


def test_inactive_repository_may_read_but_not_write(sandbox: Sandbox, test_repo: SandboxRepository) -> None:
    sandbox.add_repository(SandboxRepository(symbol="SLEEPY.REPO", password="pw", prefixes=["10.7777"], active=False))
    with client(sandbox, ("sleepy.repo", "pw")) as sleepy:
        assert sleepy.get("/dois").headers["x-credential-username"] == "sleepy.repo"
        answer = sleepy.post("/dois", json=_doc(doi="10.7777/x"))
    assert (answer.status_code, answer.json()) == (403, FORBIDDEN)


def test_api_keys_work_as_username_password_or_bearer(sandbox: Sandbox) -> None:
    key = "DC." + "a1" * 16
    sandbox.add_repository(SandboxRepository(symbol="KEYED.REPO", password="pw", prefixes=["10.8888"], api_key=key))
    for kwargs in ({"auth": (key, "")}, {"auth": ("keyed.repo", key)}, {"headers": {"Authorization": f"Bearer {key}"}}):
        with httpx.Client(transport=httpx.WSGITransport(app=sandbox), base_url="http://sandbox", **kwargs) as keyed:
            assert keyed.get("/dois").headers.get("x-credential-username") == "keyed.repo"
    with client(sandbox, ("DC." + "b2" * 16, "")) as wrong:
        assert "x-credential-username" not in wrong.get("/dois").headers


def test_malformed_authorization_is_treated_as_wrong_credentials(sandbox: Sandbox) -> None:
    with client(sandbox) as caller:
        for header in ("Basic !!!not-base64", "Digest abc", "Basic " + "w4g="):
            answer = caller.post("/dois", json=_doc(doi="10.5072/x"), headers={"Authorization": header})
            assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_client_endpoint_shows_contact_details_only_to_the_repository(sandbox: Sandbox, test_repo: SandboxRepository,
                                                                     other_repo: SandboxRepository) -> None:
    with client(sandbox, creds(test_repo)) as owner:
        mine = owner.get("/clients/DATACITE.TEST").json()["data"]
    assert mine["id"] == "datacite.test" and mine["type"] == "clients"
    assert mine["attributes"]["contactEmail"] == "support@example.org"
    assert mine["attributes"]["hasPassword"] is True
    assert mine["attributes"]["symbol"] == "DATACITE.TEST" and mine["attributes"]["domains"] == "*.example.org,example.com"
    assert mine["relationships"]["prefixes"]["data"] == [{"id": "10.5072", "type": "prefixes"}, {"id": "10.14454", "type": "prefixes"}]
    assert mine["relationships"]["provider"]["data"] == {"id": "datacite", "type": "providers"}
    for auth in (None, creds(other_repo), (test_repo.uid, "wrong")):
        with client(sandbox, auth) as caller:
            theirs = caller.get("/clients/datacite.test").json()["data"]["attributes"]
        assert "contactEmail" not in theirs and "hasPassword" not in theirs
    with client(sandbox) as anonymous:
        answer = anonymous.get("/clients/nobody.here")
    assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


def test_passwords_never_appear_in_reprs_or_errors(test_repo: SandboxRepository) -> None:
    assert test_repo.password not in repr(test_repo)
    with pytest.raises(ValueError) as caught:
        from portal.datacite.sandbox import parse_repository_spec

        parse_repository_spec("BAD:hunter2:10.5072")
    assert "hunter2" not in str(caught.value)
