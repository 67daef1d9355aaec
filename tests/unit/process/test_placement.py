"""A stitched batch's events placed on their customers: who is re-derived, and from what."""

from __future__ import annotations

from support.journey_events import at, fact

from journeyflow.identity.stitch import PROVISIONAL_BASE, StitchPlan
from journeyflow.journeys.facts import EventFacts
from journeyflow.process.decode import BatchEvent
from journeyflow.process.placement import (
    affected,
    appended,
    customers_of,
    merged_profiles,
    row_tail,
    timeline_rows,
)
from journeyflow.timeline.writer import TimelineWrite

NEW = PROVISIONAL_BASE + 1


def event(seq: int, facts: EventFacts, revision: int = 0) -> BatchEvent:
    return BatchEvent(seq, f'{{"seq": {seq}}}', facts, revision, None, {})


CALL = event(1, fact("contact.started", at(0), contact_id="c1", event_id="e1"))
PAGE_VIEW = event(2, fact("page.viewed", at(1), "web", event_id="e2"))
BILL = event(3, fact("invoice.paid", at(2), "web", event_id="e3"))


def test_events_land_on_the_stored_ids_of_their_profiles() -> None:
    plan = StitchPlan(assignments={1: NEW, 2: 4})

    assert customers_of([CALL, PAGE_VIEW], plan, {NEW: 30, 4: 4}) == {1: 30, 2: 4}


def test_timeline_rows_put_the_customer_before_the_row_made_ahead() -> None:
    rows = timeline_rows([CALL], [row_tail(CALL)], {1: 30})

    assert rows[0].customer_id == 30
    assert rows[0][1:] == row_tail(CALL)
    assert rows[0].received_at == CALL.facts.occurred_at  # no received_at: when it occurred
    assert rows[0].payload == CALL.payload


def test_only_events_that_can_change_a_derivation_make_their_customer_re_derived() -> None:
    customer_of = {1: 10, 2: 20, 3: 30}

    assert affected([CALL, PAGE_VIEW, BILL], customer_of, set()) == {10}


def test_a_revision_may_replace_an_event_that_counted_so_its_customer_is_re_derived() -> None:
    revised = event(2, PAGE_VIEW.facts, revision=1)

    assert affected([revised], {2: 20}, set()) == {20}


def test_both_sides_of_a_merge_are_re_derived() -> None:
    plan = StitchPlan(survivor={NEW: 5})

    merged = merged_profiles(plan, {NEW: 31})

    assert merged == {31, 5}
    assert affected([PAGE_VIEW], {2: 5}, merged) == {31, 5}


def test_customers_that_only_gained_inserts_get_their_derivable_new_events() -> None:
    rows = timeline_rows([CALL, PAGE_VIEW], [row_tail(CALL), row_tail(PAGE_VIEW)], {1: 10, 2: 10})
    write = TimelineWrite(2, rows)

    assert appended({10, 11}, write, [CALL, PAGE_VIEW], set()) == {10: [CALL.facts], 11: []}


def test_customers_whose_timelines_changed_otherwise_or_merged_are_read_again() -> None:
    rows = timeline_rows([CALL], [row_tail(CALL)], {1: 10})
    write = TimelineWrite(1, rows, changed={11})

    assert appended({10, 11, 12}, write, [CALL], {12}) == {10: [CALL.facts]}
