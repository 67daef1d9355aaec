"""A customer's history, kept sorted by its events' own order as new events are added."""

from __future__ import annotations

from support.journey_events import at, fact

from journeyflow.journeys.facts import by_order, extended

START = fact("contact.started", at(0), contact_id="c")
VERIFY = fact("identity.verified", at(1), contact_id="c")
END = fact("contact.ended", at(5), contact_id="c")
SURVEY = fact("survey.responded", at(9), contact_id="c")


def test_later_events_are_sorted_among_themselves_after_the_history() -> None:
    assert extended((START, VERIFY), [SURVEY, END]) == (START, VERIFY, END, SURVEY)


def test_a_late_event_is_sorted_into_the_history() -> None:
    assert extended((START, END), [SURVEY, VERIFY]) == (START, VERIFY, END, SURVEY)


def test_events_at_the_same_time_are_ordered_by_kind() -> None:
    ended_at_start = fact("contact.ended", at(0), contact_id="c")

    assert extended((ended_at_start,), [START]) == (START, ended_at_start)


def test_nothing_added_is_the_history_itself() -> None:
    history = (START, END)

    assert extended(history, []) is history
    assert extended((), [END, START]) == tuple(sorted((START, END), key=by_order))
