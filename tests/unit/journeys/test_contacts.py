"""Contacts from timeline events (issue 4 item 1)."""

from __future__ import annotations

from datetime import timedelta

from support.journey_events import at, contact, fact

from journeyflow.journeys.contacts import contacts_of, surveys_of
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts, handle_ms

DEFS = Definitions()


def test_events_sharing_a_contact_id_within_a_source_are_one_contact() -> None:
    events = [
        fact("contact.started", at(0), "ivr", contact_id="c1", intent="billing"),
        fact("contact.escalated", at(3), "voice", contact_id="c1", to_agent_id="a7"),
        fact("contact.ended", at(9), "voice", contact_id="c1", outcome="resolved"),
        fact("contact.started", at(1), "chat", contact_id="c1", source="chat"),
    ]
    by_key = {c.key: c for c in contacts_of(events, DEFS)}
    assert set(by_key) == {("ivr", "c1"), ("chat", "c1")}
    call = by_key[("ivr", "c1")]
    assert (call.channel, call.started_at, call.ended_at) == ("ivr", at(0), at(9))
    assert call.escalations == 1
    assert call.assisted
    assert call.self_service
    assert not call.contained
    assert call.outcome == "resolved"


def test_intent_and_department_are_the_latest_non_empty_values() -> None:
    events = [
        fact("contact.started", at(0), contact_id="c", intent="billing", department="care"),
        fact("contact.transferred", at(2), contact_id="c", to_department="provisioning"),
        fact("contact.transferred", at(4), contact_id="c", intent="plan_change"),
        fact("contact.ended", at(6), contact_id="c"),
    ]
    (only,) = contacts_of(events, DEFS)
    assert (only.intent, only.department, only.transfers) == ("plan_change", "provisioning", 2)


def test_channel_is_that_of_the_earliest_event_whatever_the_arrival_order() -> None:
    events = [
        fact("contact.ended", at(5), "voice", contact_id="c"),
        fact("contact.started", at(0), "bot", contact_id="c"),
    ]
    assert contacts_of(events, DEFS)[0].channel == "bot"
    assert contacts_of(list(reversed(events)), DEFS)[0].channel == "bot"


def test_self_service_contact_without_a_human_is_contained() -> None:
    (bot,) = contacts_of(contact("c", at(0), "bot"), DEFS)
    assert bot.self_service
    assert not bot.assisted
    assert bot.contained
    (agent,) = contacts_of(contact("c", at(0), "chat", agent_id="a1"), DEFS)
    assert agent.assisted
    assert not agent.self_service
    assert not agent.contained


def test_self_service_channels_are_a_setting() -> None:
    only_bots = Definitions(self_service_channels=frozenset({"bot"}))
    (ivr,) = contacts_of(contact("c", at(0), "ivr"), only_bots)
    assert not ivr.self_service


def test_events_without_a_contact_id_or_without_contact_events_are_not_contacts() -> None:
    events = [
        fact("billing.payment_failed", at(0), "billing", source="billing"),
        fact("case.opened", at(1), "web", source="crm", contact_id="case-9"),
        fact("touchpoint.viewed", at(2), "web", source="web"),
    ]
    assert contacts_of(events, DEFS) == []


def test_handle_time_sums_every_ended_leg() -> None:
    events = [
        fact("contact.started", at(0), contact_id="c", agent_id="a1"),
        fact("contact.ended", at(5), contact_id="c", handle_ms=120_000),
        fact("contact.ended", at(9), contact_id="c", handle_ms=30_500),
    ]
    (only,) = contacts_of(events, DEFS)
    assert only.handle_ms == 150_500


def test_handle_time_falls_back_to_talk_hold_and_after_contact_work() -> None:
    assert handle_ms({"handle_seconds": 61.5, "talk_seconds": 1}) == 61_500
    assert handle_ms({"talk_seconds": 60, "hold_seconds": 30, "acw_seconds": 15.25}) == 105_250
    assert handle_ms({"wait_seconds": 60}) is None


def test_a_verification_outside_any_contact_counts_for_the_latest_contact_by_then() -> None:
    events = [
        *contact("c1", at(0)),
        *contact("c2", at(30)),
        fact("identity.verified", at(31), "web", source="web"),
        fact("identity.verified", at(1), "ivr", contact_id="c1"),
    ]
    first, second = contacts_of(events, DEFS)
    assert (first.verified_at, second.verified_at) == ((at(1),), (at(31),))


def test_a_survey_lands_in_the_bucket_of_the_contact_it_names_else_its_own() -> None:
    events: list[EventFacts] = [
        *contact("c1", at(0), "chat", source="chat", intent="billing"),
        fact("survey.responded", at(60), "email", source="survey", contact_id="c1", csat=5),
        fact("survey.responded", at(90), "email", source="survey", nps=3),
    ]
    named, loose = surveys_of(events, contacts_of(events, DEFS))
    assert (named.minute, named.channel, named.intent, named.bucket_source) == (
        at(0),
        "chat",
        "billing",
        "chat",
    )
    assert (loose.minute, loose.channel, loose.bucket_source, loose.nps) == (
        at(90),
        "email",
        "survey",
        3,
    )


def test_payload_times_are_read_in_utc_so_buckets_align_to_utc_hours() -> None:
    payload = {
        "source": "ivr",
        "event_id": "e1",
        "occurred_at": "2026-03-02T10:45:00+05:30",
        "kind": "contact.started",
        "channel": "ivr",
        "to": {"department": "care", "agent_id": "a1"},
        "measures": {"talk_seconds": 10, "acw_seconds": 2.5},
    }
    facts = EventFacts.from_payload(payload)
    assert facts.occurred_at.utcoffset() == timedelta(0)
    assert facts.occurred_at.hour == 5
    assert (facts.to_department, facts.to_agent_id, facts.handle_ms) == ("care", "a1", 12_500)
