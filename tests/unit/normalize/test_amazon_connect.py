"""`amazon-connect-ctr`: contact records (one per leg) -> contact events of one contact."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from unit.normalize import golden

from journeyflow.events import InteractionEvent, RoutingPoint
from journeyflow.normalize import amazon_connect
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import AmazonConnectSettings, NormalizeSettings

SETTINGS = NormalizeSettings()
FIRST = golden.Case("amazon-connect-ctr", "inbound-call-escalated-then-transferred").body()
TRANSFER = golden.Case("amazon-connect-ctr", "transfer-leg-resolved").body()


def kinds(events: list[InteractionEvent]) -> list[str]:
    return [event.kind for event in events]


def by_kind(events: list[InteractionEvent], kind: str) -> InteractionEvent:
    (event,) = [e for e in events if e.kind == kind]
    return event


def record(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(base)
    result.update(changes)
    return result


@pytest.mark.parametrize("case", golden.cases("amazon-connect-ctr"), ids=str)
def test_golden(case: golden.Case) -> None:
    golden.check(case)


def test_every_leg_of_a_call_shares_the_initial_contact_id() -> None:
    first = amazon_connect.normalize(FIRST, SETTINGS)
    transfer = amazon_connect.normalize(TRANSFER, SETTINGS)

    assert {e.contact_id for e in first + transfer} == {FIRST["ContactId"]}


def test_the_first_leg_starts_in_the_ivr_and_escalates_when_queued() -> None:
    events = amazon_connect.normalize(FIRST, SETTINGS)

    assert kinds(events) == [
        "contact.started",
        "contact.escalated",
        "contact.ended",
        "identity.verified",
    ]
    assert by_kind(events, "contact.started").channel == "ivr"
    escalated = by_kind(events, "contact.escalated")
    assert escalated.occurred_at == datetime(2024, 5, 1, 9, 1, 5, tzinfo=UTC)
    assert escalated.from_ == RoutingPoint(channel="ivr")
    assert escalated.to == RoutingPoint(
        queue="BillingQueue", agent_id="jdoe", channel="voice", department=None
    )


def test_a_transfer_leg_is_one_transfer_and_never_a_start() -> None:
    for method in ("TRANSFER", "QUEUE_TRANSFER"):
        events = amazon_connect.normalize(record(TRANSFER, InitiationMethod=method), SETTINGS)

        assert "contact.started" not in kinds(events)
        assert kinds(events).count("contact.transferred") == 1


def test_event_ids_are_per_leg_and_kind_and_revision_is_the_update_time_in_ms() -> None:
    events = amazon_connect.normalize(TRANSFER, SETTINGS)
    transferred = by_kind(events, "contact.transferred")

    assert transferred.event_id == f"{TRANSFER['ContactId']}:transferred"
    updated = datetime(2024, 5, 1, 9, 14, 40, tzinfo=UTC)
    assert transferred.revision == int(updated.timestamp()) * 1000


def test_a_redelivered_record_gives_the_same_ids_and_a_later_update_a_higher_revision() -> None:
    later = record(FIRST, LastUpdateTimestamp="2024-05-01T10:00:00.250Z")
    before = amazon_connect.normalize(FIRST, SETTINGS)
    again = amazon_connect.normalize(copy.deepcopy(FIRST), SETTINGS)
    after = amazon_connect.normalize(later, SETTINGS)

    assert before == again
    assert [e.event_id for e in after] == [e.event_id for e in before]
    started = by_kind(after, "contact.started").revision
    assert started > by_kind(before, "contact.started").revision
    assert started % 1000 == 250


def test_verification_is_one_event_per_contact_preferring_the_earliest_leg() -> None:
    first = by_kind(amazon_connect.normalize(FIRST, SETTINGS), "identity.verified")
    transfer = by_kind(amazon_connect.normalize(TRANSFER, SETTINGS), "identity.verified")

    assert first.event_id == transfer.event_id == f"{FIRST['ContactId']}:verified"
    assert first.revision > transfer.revision
    assert first.channel == "ivr"


def test_a_newer_copy_of_the_first_leg_updates_its_verification() -> None:
    later = record(FIRST, LastUpdateTimestamp="2024-05-02T00:00:00Z")

    old = by_kind(amazon_connect.normalize(FIRST, SETTINGS), "identity.verified")
    new = by_kind(amazon_connect.normalize(later, SETTINGS), "identity.verified")
    transfer = by_kind(amazon_connect.normalize(TRANSFER, SETTINGS), "identity.verified")

    assert transfer.revision < old.revision < new.revision


@pytest.mark.parametrize(
    ("flag", "verified"),
    [
        ("true", True),
        ("Yes", True),
        ("1", True),
        ("verified", True),
        (True, True),
        ("false", False),
        ("no", False),
        ("", False),
        (0, False),
    ],
)
def test_the_verified_attribute_is_read_as_producers_write_flags(flag: Any, verified: bool) -> None:
    payload = record(FIRST, Attributes={"verified": flag})

    events = amazon_connect.normalize(payload, SETTINGS)

    assert ("identity.verified" in kinds(events)) is verified


def test_handle_time_is_talk_plus_hold_plus_after_contact_work_per_leg() -> None:
    ended = by_kind(amazon_connect.normalize(TRANSFER, SETTINGS), "contact.ended")

    assert ended.measures.talk_seconds == 310
    assert ended.measures.acw_seconds == 45
    assert ended.measures.handle_seconds == 310 + 0 + 45
    assert ended.measures.wait_seconds == 44
    assert ended.agent_id == "asmith"


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({}, "transferred"),
        ({"Attributes": {"outcome": "UNRESOLVED"}}, "unresolved"),
        ({"Attributes": {"outcome": "sort of"}}, "transferred"),
        ({"NextContactId": None}, None),
        ({"NextContactId": None, "Agent": None}, "abandoned"),
    ],
)
def test_outcome_attribute_then_abandoned_in_queue_then_transferred(
    changes: dict[str, Any], outcome: str | None
) -> None:
    ended = by_kind(amazon_connect.normalize(record(FIRST, **changes), SETTINGS), "contact.ended")

    assert ended.outcome == outcome


def test_a_call_that_never_left_the_ivr_ends_in_the_ivr_without_escalation() -> None:
    events = amazon_connect.normalize(record(FIRST, Queue=None, Agent=None), SETTINGS)

    assert "contact.escalated" not in kinds(events)
    assert by_kind(events, "contact.ended").channel == "ivr"


def test_a_callback_leg_of_a_chain_adds_its_measures_but_no_second_start() -> None:
    callback = record(
        TRANSFER, InitiationMethod="CALLBACK", ContactId="cb-1", InitialContactId="first-1"
    )

    events = amazon_connect.normalize(callback, SETTINGS)

    assert kinds(events) == ["contact.ended", "identity.verified"]
    assert events[0].contact_id == "first-1"


def test_identifier_and_intent_attribute_names_are_configuration() -> None:
    settings = NormalizeSettings(
        intent_map={"card lost": "lost_card"},
        amazon_connect=AmazonConnectSettings(
            intent_attribute="ContactReason",
            customer_id_attribute="CRMId",
            account_id_attribute="AccountNo",
            previous_contact_ref_attribute="chat_contact_id",
        ),
    )
    attributes = {
        "ContactReason": "Card Lost",
        "CRMId": "C-9",
        "AccountNo": " 778 ",
        "chat_contact_id": "conv-1",
    }

    started = amazon_connect.normalize(record(FIRST, Attributes=attributes), settings)[0]

    assert started.intent == "lost_card"
    assert started.identifiers == {
        "phone": "+14155550100",
        "customer_id": "C-9",
        "account_id": "778",
    }
    assert started.previous_contact_ref == "conv-1"


def test_only_a_telephone_endpoint_is_a_phone_identifier() -> None:
    payload = record(FIRST, CustomerEndpoint={"Address": "sip:ana@example.com", "Type": "SIP"})

    started = amazon_connect.normalize(payload, SETTINGS)[0]

    assert "phone" not in started.identifiers


def test_channels_are_configuration_so_tasks_can_be_taken_when_wanted() -> None:
    task = golden.Case("amazon-connect-ctr", "task-record").body()
    settings = NormalizeSettings(
        amazon_connect=AmazonConnectSettings(channels={"TASK": "app"}, start_channels={})
    )

    events = amazon_connect.normalize(task, settings)

    assert [(e.kind, e.channel) for e in events] == [("contact.started", "app")]


def test_without_a_self_service_start_a_voice_call_starts_on_voice_with_its_agent() -> None:
    settings = NormalizeSettings(amazon_connect=AmazonConnectSettings(start_channels={}))

    events = amazon_connect.normalize(FIRST, settings)

    assert "contact.escalated" not in kinds(events)
    started = by_kind(events, "contact.started")
    assert (started.channel, started.agent_id) == ("voice", "jdoe")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"ContactId": None}, "$.ContactId"),
        ({"InitiationTimestamp": "yesterday"}, "$.InitiationTimestamp"),
        ({"LastUpdateTimestamp": "2024-05-01T09:08:27"}, "$.LastUpdateTimestamp"),
        ({"Queue": {"Duration": -3}}, "$.Queue.Duration"),
        ({"Agent": {"AgentInteractionDuration": "long"}}, "$.Agent.AgentInteractionDuration"),
        ({"Attributes": ["intent"]}, "$.Attributes"),
        ({"Channel": "FAX"}, "$.Channel"),
    ],
)
def test_a_bad_record_is_rejected_with_the_json_path_of_the_problem(
    change: dict[str, Any], path: str
) -> None:
    with pytest.raises(NormalizeError) as caught:
        amazon_connect.normalize(record(FIRST, **change), SETTINGS)

    assert caught.value.path == path


def test_new_fields_amazon_adds_are_ignored() -> None:
    payload = record(FIRST, ContactLens={"ConversationalAnalytics": {}}, Tags={"a": "b"})

    assert amazon_connect.normalize(payload, SETTINGS) == amazon_connect.normalize(FIRST, SETTINGS)


def test_the_payload_schema_documents_the_record() -> None:
    schema = amazon_connect.FORMAT.payload_schema
    assert schema is not None
    assert {"ContactId", "Channel", "InitiationMethod", "LastUpdateTimestamp"} <= set(
        schema["required"]
    )
    assert orjson.loads(orjson.dumps(schema)) == schema
