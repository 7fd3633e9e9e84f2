"""What each client operation sends, and how it reads DataCite's answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from portal.datacite import QueryError
from portal.datacite.errors import MethodNotAllowed
from tests.datacite.fakes import (
    CREDS,
    Script,
    doi_document,
    json_response,
    make_client,
    rest_recording,
)


def page(*dois: str, next_url: str | None = None, total: int = 0, **meta: object) -> httpx.Response:
    document = {"data": [doi_document(d)["data"] for d in dois],
                "meta": {"total": total or len(dois), "totalPages": 1, **meta},
                "links": {"self": "https://api.test.datacite.org/dois", **({"next": next_url} if next_url else {})}}
    return json_response(200, document)


def params_of(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def test_list_dois_sends_filters_in_datacite_spelling():
    script = Script().add(page("10.1234/a"))
    with make_client(script) as client:
        result = client.list_dois(CREDS, client_id="MPQM.QLDNEC", prefix=["10.1234", "10.5678"],
                                  state=("draft", "registered"), query="titles.title:Mars", created=(2019, 2021),
                                  registered=2024, resource_type_id="journal-article", fields=["doi", "state"],
                                  page=3, size=50, sort="-updated")
    assert params_of(script.requests[0]) == {
        "client-id": "mpqm.qldnec", "prefix": "10.1234,10.5678", "state": "draft,registered",
        "query": "titles.title:Mars", "created": "2019,2021", "registered": "2024",
        "resource-type-id": "journal-article", "fields[dois]": "doi,state", "page[number]": "3",
        "page[size]": "50", "sort": "-updated",
    }
    assert [d.doi for d in result.items] == ["10.1234/a"]


def test_updated_since_becomes_a_range_query():
    script = Script().add(page(), page())
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    with make_client(script) as client:
        client.list_dois(updated=since)
        client.list_dois(query="client.uid:x", updated=(None, datetime(2026, 2, 1, tzinfo=UTC)))
    assert params_of(script.requests[0])["query"] == "updated:[2026-01-02T01:04:05Z TO *]"
    assert params_of(script.requests[1])["query"] == "(client.uid:x) AND (updated:[* TO 2026-02-01T00:00:00Z])"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"page": 401, "size": 25}, "beyond the first 10,000"),
    ({"page": 667, "size": 15}, "the last page is 666"),
    ({"size": 1001}, "between 1 and 1000"),
    ({"size": 0}, "use facets"),
    ({"page": 0}, "page must be 1 or more"),
    ({"sort": "newest"}, "sort 'newest'"),
    ({"state": "published"}, "state 'published'"),
    ({"created": "2020-2022"}, "a year"),
    ({"prefix": "10.12"}, "prefix '10.12'"),
    ({"updated": datetime(2026, 1, 1)}, "timezone-aware"),
])
def test_bad_list_requests_are_refused_before_sending(kwargs, message):
    script = Script()
    with make_client(script) as client:
        with pytest.raises(QueryError, match=message):
            client.list_dois(**kwargs)
    assert script.requests == []


def test_the_last_page_inside_the_window_is_allowed():
    script = Script().add(page())
    with make_client(script) as client:
        client.list_dois(page=666, size=15)
    assert params_of(script.requests[0])["page[number]"] == "666"


def cursor_link(cursor: str) -> str:
    return f"https://api.test.datacite.org/dois?page%5Bcursor%5D={cursor}&page%5Bsize%5D=2"


def test_iter_dois_walks_cursor_pages_and_keeps_every_filter():
    script = Script().add(page("10.1234/a", "10.1234/b", next_url=cursor_link("MTAsYQ")),
                          page("10.1234/c", "10.1234/d", next_url=cursor_link("MjAsYw")),
                          page("10.1234/e"))
    with make_client(script) as client:
        found = [d.doi for d in client.iter_dois(CREDS, client_id="mpqm.qldnec", state="draft", size=2)]
    assert found == ["10.1234/a", "10.1234/b", "10.1234/c", "10.1234/d", "10.1234/e"]
    cursors = [params_of(r)["page[cursor]"] for r in script.requests]
    assert cursors == ["1", "MTAsYQ", "MjAsYw"]
    # DataCite's next link drops state; the client re-sends it on every page.
    assert all(params_of(r)["state"] == "draft" and params_of(r)["page[size]"] == "2" for r in script.requests)


def test_iter_dois_stops_on_a_repeated_cursor_or_an_empty_page():
    script = Script().add(page("10.1234/a", next_url=cursor_link("SAME")), page("10.1234/b", next_url=cursor_link("SAME")))
    with make_client(script) as client:
        assert len(list(client.iter_dois(size=1))) == 2
    assert len(script.requests) == 2
    script = Script().add(page(next_url=cursor_link("X")))
    with make_client(script) as client:
        assert list(client.iter_dois()) == []


def test_iter_dois_refuses_bad_filters_when_called_not_when_first_read():
    with make_client(Script()) as client:
        with pytest.raises(QueryError):
            client.iter_dois(state="gone")
        with pytest.raises(QueryError):
            client.iter_dois(size=5000)


def test_iter_dois_is_lazy():
    script = Script().add(page("10.1234/a", "10.1234/b", next_url=cursor_link("X")))
    with make_client(script) as client:
        iterator = client.iter_dois(size=2)
        assert script.requests == []
        assert next(iterator).doi == "10.1234/a"
        iterator.close()
    assert len(script.requests) == 1


def test_facets_asks_for_counts_only_and_reads_them():
    meta = {"states": [{"id": "findable", "title": "Findable", "count": 7}, {"id": "draft", "title": "Draft", "count": 2}],
            "schemaVersions": [{"id": "4", "title": "Schema 4", "count": 5}, {"id": "4", "title": "Schema 4", "count": 1}],
            "clientTypes": [{"id": "repository", "title": "Repository", "count": 9}],
            "registrationAgencies": [{"id": "datacite", "title": "DataCite", "count": 9}]}
    script = Script().add(page(total=9, **meta))
    with make_client(script) as client:
        facets = client.facets(CREDS, client_id="mpqm.qldnec")
    assert params_of(script.requests[0]) == {"client-id": "mpqm.qldnec", "page[size]": "0", "disable-facets": "false"}
    assert facets.total == 9
    assert facets.counts("states") == {"findable": 7, "draft": 2}
    assert facets.counts("schema_versions") == {"4": 6}
    assert facets.client_types[0].title == "Repository"
    assert facets.other["registrationAgencies"][0].count == 9
    assert "resource_types" not in facets.present and facets.resource_types == []


def test_create_draft_sends_a_json_api_document():
    script = Script().add(json_response(201, doi_document("10.1234/abc")))
    with make_client(script) as client:
        doi = client.create_draft(CREDS, {"url": "https://example.org", "titles": [{"title": "T"}]},
                                  doi="https://doi.org/10.1234/ABC")
    request = script.requests[0]
    assert request.headers["Content-Type"] == "application/vnd.api+json"
    assert json.loads(request.content) == {"data": {"type": "dois", "attributes": {
        "url": "https://example.org", "titles": [{"title": "T"}], "doi": "10.1234/abc"}}}
    assert doi.state == "draft"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "exactly one"), ({"doi": "10.1234/a", "prefix": "10.1234"}, "exactly one"),
    ({"doi": "10.1234/a", "attributes": {"event": "publish"}}, "makes drafts"),
    ({"prefix": "10.1234/abc"}, "not a DOI prefix"), ({"doi": "not-a-doi"}, "not a DOI"),
    ({"doi": "10.1234/a", "attributes": {"doi": "10.1234/b"}}, "attributes name DOI"),
])
def test_create_draft_refuses_unclear_requests(kwargs, message):
    script = Script()
    attributes = kwargs.pop("attributes", {})
    with make_client(script) as client:
        with pytest.raises(ValueError, match=message):
            client.create_draft(CREDS, attributes, **kwargs)
    assert script.requests == []


@pytest.mark.parametrize(("method", "event", "state"), [("register", "register", "registered"),
                                                         ("publish", "publish", "findable"),
                                                         ("hide", "hide", "registered")])
def test_state_events_are_partial_puts(method, event, state):
    script = Script().add(json_response(200, doi_document("10.1234/a", state=state)))
    with make_client(script) as client:
        doi = getattr(client, method)(CREDS, "10.1234/a", {"url": "https://example.org"})
    request = script.requests[0]
    assert (request.method, request.url.path) == ("PUT", "/dois/10.1234/a")
    assert json.loads(request.content)["data"]["attributes"] == {"url": "https://example.org", "event": event}
    assert doi.state == state


def test_an_event_method_cannot_send_another_event():
    with make_client(Script()) as client:
        with pytest.raises(ValueError, match="cannot send event"):
            client.publish(CREDS, "10.1234/a", {"event": "hide"})


def test_delete_draft_and_the_recorded_refusal_for_findable_dois():
    deleted = rest_recording("member_deleteDraftDoi.json")
    refused = rest_recording("member_deleteNonDraftDoi.json")
    script = Script().add(deleted.response(), refused.response())
    with make_client(script) as client:
        assert client.delete_draft(CREDS, "10.82785/x") is None
        with pytest.raises(MethodNotAllowed) as caught:
            client.delete_draft(CREDS, "10.82785/y")
    assert caught.value.key == "cannot-delete-registered"
    assert [r.method for r in script.requests] == ["DELETE", "DELETE"]


@pytest.mark.parametrize(("doi", "path"), [
    ("10.1234/ABC", "/dois/10.1234/abc"),
    ("doi:10.1234/a(1)", "/dois/10.1234/a(1)"),
    ("10.1234/a?b#c", "/dois/10.1234/a%3Fb%23c"),
    ("10.1234/a%2F..%2Fclients", "/dois/10.1234/a%252f..%252fclients"),
])
def test_dois_are_normalised_and_cannot_change_the_path(doi, path):
    script = Script().add(json_response(200, doi_document("10.1234/a")))
    with make_client(script) as client:
        client.get_doi(doi)
    assert script.requests[0].url.raw_path.decode().split("?")[0] == path
    assert script.requests[0].url.query == b""


@pytest.mark.parametrize("doi", ["10.1234/../clients/x", "10.1234/./a", "10.1234/a b", "abc", ""])
def test_dois_that_would_escape_the_path_are_refused(doi):
    with make_client(Script()) as client:
        with pytest.raises(ValueError):
            client.get_doi(doi)


def test_get_doi_asks_for_object_forms_when_wanted():
    recorded = rest_recording("getdoi.json")
    script = Script().add(recorded.response())
    with make_client(script) as client:
        doi = client.get_doi("10.5438/0012", affiliation=True, publisher=True)
    assert params_of(script.requests[0]) == {"affiliation": "true", "publisher": "true"}
    assert doi.doi == "10.5438/0012" and doi.state == "findable"
    assert "Authorization" not in script.requests[0].headers


def test_get_repository_reads_prefixes_and_refuses_bad_ids():
    document = {"data": {"id": "datacite.test", "type": "clients", "attributes": {
        "name": "DataCite Test Repository", "symbol": "DATACITE.TEST", "clientType": "repository",
        "domains": "*", "isActive": True},
        "relationships": {"provider": {"data": {"id": "datacite", "type": "providers"}},
                          "prefixes": {"data": [{"id": "10.5438", "type": "prefixes"},
                                                {"id": "10.14454", "type": "prefixes"}]}}}}
    script = Script().add(json_response(200, document))
    with make_client(script) as client:
        repository = client.get_repository("DATACITE.TEST")
        with pytest.raises(ValueError, match="member"):
            client.get_repository("DATACITE")
        with pytest.raises(ValueError):
            client.get_repository("A.B/../../dois")
    assert script.lines() == ["GET /clients/datacite.test"]
    assert repository.prefixes == ["10.5438", "10.14454"] and repository.provider_id == "datacite"
    assert repository.contact_email is None and not repository.owner_view


@pytest.mark.parametrize("answer", [httpx.Response(500, text="failed"), httpx.ReadTimeout("timed out"),
                                    httpx.Response(200, text="maintenance")])
def test_heartbeat_is_false_when_datacite_is_not_ok_and_never_retries(answer):
    script = Script().add(answer)
    with make_client(script) as client:
        assert client.heartbeat() is False
    assert len(script.requests) == 1


def test_heartbeat_recording_is_ok():
    script = Script().add(rest_recording("getheartbeat.json").response())
    with make_client(script) as client:
        assert client.heartbeat() is True


def test_success_with_a_body_that_is_not_json_is_a_clear_error():
    script = Script().add(httpx.Response(200, text="<html><title>Down for maintenance</title></html>"))
    with make_client(script) as client:
        with pytest.raises(Exception) as caught:
            client.get_doi("10.1234/a")
    assert caught.value.__class__.__name__ == "OutageError"
    assert caught.value.title == "Down for maintenance" and len(script.requests) == 1
