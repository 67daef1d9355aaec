"""Repeats, journeys, handoffs, verifications and resolution (DESIGN §4, issue 4 item 2)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given, settings
from support.journey_events import at, contact, fact, histories

from journeyflow.journeys.definitions import Definitions, RepeatScope
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact

DEFS = Definitions(repeat_window=timedelta(days=7))


def test_a_contact_within_the_window_with_the_same_intent_is_a_repeat() -> None:
    derived = derive([*contact("c1", at(0)), *contact("c2", at(days=3))], DEFS)
    first, second = derived.contacts
    assert (first.repeat, first.followed_by_repeat) == (False, True)
    assert (second.repeat, second.followed_by_repeat) == (True, False)
    assert len(derived.journeys) == 1
    assert derived.journeys[0].contacts == 2


def test_the_window_boundary_is_inclusive() -> None:
    on_edge = derive([*contact("c1", at(0)), *contact("c2", at(days=7))], DEFS)
    past_edge = derive([*contact("c1", at(0)), *contact("c2", at(1, days=7))], DEFS)
    assert on_edge.contacts[1].repeat
    assert len(on_edge.journeys) == 1
    assert not past_edge.contacts[1].repeat
    assert len(past_edge.journeys) == 2


def test_another_intent_is_not_a_repeat_but_an_unknown_intent_is() -> None:
    other = derive([*contact("c1", at(0)), *contact("c2", at(60), intent="fraud")], DEFS)
    unknown = derive([*contact("c1", at(0)), *contact("c2", at(60), intent=None)], DEFS)
    assert not other.contacts[1].repeat
    assert len(other.journeys) == 2
    assert unknown.contacts[1].repeat
    assert len(unknown.journeys) == 1


def test_any_reason_scope_makes_every_contact_in_the_window_a_repeat() -> None:
    anything = Definitions(repeat_scope=RepeatScope.ANY)
    derived = derive([*contact("c1", at(0)), *contact("c2", at(60), intent="fraud")], anything)
    assert derived.contacts[1].repeat


def test_transfers_inside_one_contact_are_never_repeats() -> None:
    events = [
        fact("contact.started", at(0), contact_id="c", intent="billing"),
        fact("contact.transferred", at(2), contact_id="c", to_department="billing"),
        fact("contact.transferred", at(4), contact_id="c", to_department="care"),
    ]
    derived = derive(events, DEFS)
    assert [c.repeat for c in derived.contacts] == [False]
    assert derived.journeys[0].transfers == 2


def test_a_late_earlier_contact_joins_two_journeys_into_one() -> None:
    apart = [*contact("c1", at(0)), *contact("c3", at(days=10))]
    assert len(derive(apart, DEFS).journeys) == 2
    joined = derive([*apart, *contact("c2", at(days=5))], DEFS)
    assert len(joined.journeys) == 1
    assert [c.repeat for c in joined.contacts] == [False, True, True]


def test_a_late_earlier_contact_takes_over_the_start_of_the_journey() -> None:
    later = derive(contact("c2", at(days=2)), DEFS)
    with_earlier = derive([*contact("c2", at(days=2)), *contact("c1", at(0))], DEFS)
    assert later.contacts[0].repeat is False
    assert [c.contact_id for c in with_earlier.contacts if c.repeat] == ["c2"]
    assert with_earlier.journeys[0].started_at == at(0)


def test_channel_switch_carries_context_only_when_the_next_contact_references_one() -> None:
    events = [
        *contact("p1", at(0), "web", source="web"),
        *contact("ch1", at(10), "chat", source="chat"),
        fact("contact.started", at(20), "voice", contact_id="v1", previous_contact_ref="ch1"),
    ]
    derived = derive(events, DEFS)
    _portal, chat, voice = derived.contacts
    assert (chat.switched_from, chat.blind_handoff) == ("web", True)
    assert (voice.switched_from, voice.blind_handoff) == ("chat", False)
    journey = derived.journeys[0]
    assert (journey.channel_switches, journey.blind_handoffs) == (2, 1)
    assert journey.channels == ("web", "chat", "voice")


def test_verifications_after_the_journeys_first_are_repeated() -> None:
    events = [
        *contact("a", at(0), "ivr"),
        fact("identity.verified", at(1), "ivr", contact_id="a"),
        *contact("b", at(30), "chat", source="chat"),
        fact("identity.verified", at(31), "chat", contact_id="b", source="chat"),
        fact("identity.verified", at(32), "chat", contact_id="b", source="chat"),
    ]
    derived = derive(events, DEFS)
    assert [c.repeated_verifications for c in derived.contacts] == [0, 2]
    journey = derived.journeys[0]
    assert (journey.verifications, journey.first_verified_at) == (3, at(1))


def test_a_journey_resolves_when_its_latest_contact_ends_resolved() -> None:
    events = [
        *contact("c1", at(0), outcome="resolved"),
        *contact("c2", at(60), outcome="unresolved"),
    ]
    assert derive(events, DEFS).journeys[0].resolved_at is None
    fixed = [*events, *contact("c3", at(120), outcome="resolved")]
    assert derive(fixed, DEFS).journeys[0].resolved_at == at(125)


def test_a_resolved_case_resolves_the_journey_it_follows() -> None:
    events = [
        *contact("c1", at(0), intent="billing"),
        fact("case.resolved", at(600), "web", source="crm", intent="billing"),
    ]
    journey = derive(events, DEFS).journeys[0]
    assert journey.resolved_at == at(600)
    assert journey.effort == 1


def test_every_contact_after_a_journeys_first_is_a_repeat() -> None:
    events = [
        *contact("a", at(0), intent=None),
        *contact("b", at(days=2), intent="billing"),
        *contact("c", at(days=3), intent="fraud"),
        *contact("d", at(days=8), intent=None),
    ]
    derived = derive(events, DEFS)
    starts = {j.started_at for j in derived.journeys}
    for c in derived.contacts:
        assert c.repeat or c.started_at in starts


@settings(max_examples=200, deadline=None)
@given(events=histories())
def test_journey_members_after_the_first_are_repeats_within_the_window(
    events: list[EventFacts],
) -> None:
    derived = derive(events, DEFS)
    by_journey: dict[str, list[Contact]] = {}
    for c in derived.contacts:
        by_journey.setdefault(c.journey_id, []).append(c)
    assert {j.id for j in derived.journeys} == set(by_journey)
    for journey in derived.journeys:
        members = by_journey[journey.id]
        assert journey.contacts == len(members)
        assert journey.started_at == members[0].started_at
        assert all(c.repeat for c in members[1:])
        gaps = [b.started_at - a.started_at for a, b in itertools.pairwise(members)]
        assert all(gap <= DEFS.repeat_window for gap in gaps)
