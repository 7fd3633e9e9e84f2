"""Deflection: suggestion events per interaction, who may add to one, and the rate arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.errors import NotFound, ValidationFailed
from portal.models import DocSuggestionEvent, Role
from portal.services.docs import deflection_stats, new_interaction, record_suggestion_event
from portal.services.docs.deflection import DeflectionStats, query_hash

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def member(session, make):
    org = make.organisation(session, "Alpha University")
    return make.user(session, Role.member, org=org)


def play(session, user_id: int, outcomes: list[str], *, at: datetime = NOW) -> str:
    interaction = new_interaction()
    for outcome in outcomes:
        record_suggestion_event(session, interaction=interaction, outcome=outcome, user_id=user_id, now=at,
                                slugs=["troubleshooting/bad-credentials"], slug="troubleshooting/bad-credentials")
    return interaction


def test_stats_arithmetic(session, member) -> None:
    play(session, member.id, ["shown"])
    play(session, member.id, ["shown", "shown", "opened"])
    play(session, member.id, ["shown", "opened", "solved"])
    play(session, member.id, ["shown", "solved"])
    play(session, member.id, ["shown", "opened", "solved", "filed"])  # said solved, filed anyway
    play(session, member.id, ["shown", "filed"])
    play(session, member.id, ["shown", "solved"], at=NOW - timedelta(days=40))  # before the window
    stats = deflection_stats(session, since=NOW - timedelta(days=30))
    assert stats == DeflectionStats(shown=6, opened=4, solved=2, filed=2)
    assert stats.rate == pytest.approx(2 / 6) and stats.percent == "33 %"
    assert deflection_stats(session, since=NOW - timedelta(days=60), until=NOW - timedelta(days=30)) == \
        DeflectionStats(shown=1, opened=1, solved=1, filed=0)


def test_no_suggestions_shown_is_a_zero_rate(session) -> None:
    stats = deflection_stats(session, since=NOW - timedelta(days=30))
    assert stats == DeflectionStats(0, 0, 0, 0) and stats.rate == 0.0


def test_what_is_kept_about_the_query(session, member) -> None:
    interaction = new_interaction()
    record_suggestion_event(session, interaction=interaction, outcome="shown", user_id=member.id, now=NOW,
                            slugs=["a", "b", "a"], subject="  Publishing   fails for UNIX.DATA " + "x" * 200,
                            error_text="Bad credentials.", error_class="auth")
    event = session.exec(select(DocSuggestionEvent)).one()
    assert event.slugs == "a,b"
    assert event.excerpt.startswith("Publishing fails for UNIX.DATA") and len(event.excerpt) == 80
    assert event.query_hash == query_hash("publishing fails for unix.data " + "x" * 200, "bad credentials.")
    assert "Bad credentials" not in event.excerpt


def test_another_persons_interaction_is_refused(session, member, make) -> None:
    other = make.user(session, Role.member, org=make.organisation(session, "Beta"))
    interaction = play(session, member.id, ["shown"])
    with pytest.raises(NotFound):
        record_suggestion_event(session, interaction=interaction, outcome="solved", user_id=other.id, now=NOW)
    with pytest.raises(NotFound):
        record_suggestion_event(session, interaction=interaction, outcome="solved", user_id=None, now=NOW)


@pytest.mark.parametrize(("interaction", "outcome", "field"), [
    ("short", "shown", "interaction"),
    ("x" * 20 + "<script>", "shown", "interaction"),
    ("a" * 22, "loved", "outcome"),
])
def test_bad_input_is_a_validation_error(session, member, interaction, outcome, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record_suggestion_event(session, interaction=interaction, outcome=outcome, user_id=member.id, now=NOW)
    assert field in caught.value.errors
