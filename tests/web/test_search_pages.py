"""Search in the agents' queue, the members' list and the ticket API: ranked, highlighted, escaped, scoped."""

from __future__ import annotations

from portal.models import Role, Visibility
from portal.models.types import utcnow
from portal.services.tickets.messages import add_message
from tests.conftest import bearer
from tests.helpdesk import ctx_for_tests


def world(session, make):
    a, b = make.organisation(session, "Org A"), make.organisation(session, "Org B")
    member_a = make.user(session, Role.member, org=a)
    member_b = make.user(session, Role.member, org=b)
    agent = make.user(session, Role.agent)
    own = make.ticket(session, requester=member_a, subject="Schema <em>4.5</em> rejected",
                      body="The validator rejects our schema for 10.5438/own-1.")
    theirs = make.ticket(session, requester=member_b, subject="Schema trouble", body="schema again 10.5438/theirs-2")
    add_message(session, own, author=agent, body="Note: the schema platypus is to blame", ctx=ctx_for_tests(),
                now=utcnow(), visibility=Visibility.internal)
    return {"member_a": member_a, "agent": agent, "own": own, "theirs": theirs}


def test_desk_queue_searches_all_tickets_with_highlights(client, session, make, login_as):
    w = world(session, make)
    login_as(w["agent"])
    html = client.get("/desk/tickets?q=schema").get_data(as_text=True)
    assert f"#{w['own'].id}" in html and f"#{w['theirs'].id}" in html
    assert "<mark>Schema</mark> &lt;em&gt;4.5&lt;/em&gt; rejected" in html
    assert "<em>4.5</em>" not in html
    note = client.get("/desk/tickets?q=platypus").get_data(as_text=True)
    assert "Internal note" in note and "<mark>platypus</mark>" in note
    by_prefix = client.get("/desk/tickets?q=10.5438&from=2000-01-01&to=2999-12-31").get_data(as_text=True)
    assert f"#{w['own'].id}" in by_prefix and f"#{w['theirs'].id}" in by_prefix
    assert client.get("/desk/tickets?q=%22%28NEAR*&from=bad").status_code == 200


def test_member_search_stays_in_their_organisation_and_out_of_notes(client, session, make, login_as):
    w = world(session, make)
    login_as(w["member_a"])
    html = client.get("/member/tickets?q=schema").get_data(as_text=True)
    assert f"#{w['own'].id}" in html and f"#{w['theirs'].id}" not in html
    assert "platypus" not in html
    assert f"#{w['own'].id}" not in client.get("/member/tickets?q=schema+platypus").get_data(as_text=True)
    assert f"#{w['own'].id}" not in client.get("/member/tickets?q=platypus").get_data(as_text=True)
    assert f"#{w['theirs'].id}" not in client.get("/member/tickets?q=10.5438/theirs-2").get_data(as_text=True)


def test_api_lists_search_results(client, session, make):
    w = world(session, make)
    token = make.api_token(session, w["agent"])[1]
    listing = client.get("/api/v1/tickets?view=all&q=validator", headers=bearer(token)).json
    assert [item["number"] for item in listing["items"]] == [w["own"].id] and listing["total"] == 1
    doi = client.get("/api/v1/tickets?q=doi:10.5438/THEIRS-2", headers=bearer(token)).json
    assert [item["number"] for item in doi["items"]] == [w["theirs"].id]
