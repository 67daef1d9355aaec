"""`parse_event`: raw JSON items in, an event or a rejection a producer can act on out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.events import raw

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import Rejected, parse_event

NAIVE_MESSAGE = "timestamp must carry a UTC offset, e.g. 2024-05-01T09:30:00Z"
FIELDS = (
    "event_id", "source", "format", "occurred_at", "received_at", "kind", "channel", "contact_id",
    "previous_contact_ref", "identifiers", "intent", "queue", "department", "agent_id", "from",
    "to", "outcome", "measures", "attributes",
)  # fmt: skip


def rejected(index: int, item: Any) -> Rejected:
    outcome = parse_event(index, item)
    assert isinstance(outcome, Rejected), f"expected a rejection, got {outcome!r}"
    return outcome


def test_a_valid_item_becomes_an_event() -> None:
    outcome = parse_event(0, raw(intent="billing"))

    assert isinstance(outcome, InteractionEvent)
    assert outcome.intent == "billing"


@pytest.mark.parametrize(
    ("item", "json_type"),
    [([], "array"), ("evt", "string"), (7, "number"), (2.5, "number"), (True, "boolean"),
     (None, "null")],
)  # fmt: skip
def test_an_item_that_is_not_an_object_is_rejected_with_its_json_type(
    item: Any, json_type: str
) -> None:
    outcome = rejected(4, item)

    assert outcome == Rejected(4, None, [f"(event): expected a JSON object, got {json_type}"])


def test_a_naive_timestamp_gets_the_clear_message() -> None:
    outcome = rejected(0, raw(occurred_at="2024-05-01T09:30:00"))

    assert outcome.errors == [f"occurred_at: {NAIVE_MESSAGE}"]


def test_an_unknown_top_level_field_points_to_attributes() -> None:
    outcome = rejected(0, raw(tier="gold"))

    assert outcome.errors == ["tier: unknown field (put custom data in 'attributes')"]


def test_an_unknown_nested_field_is_named_by_its_path_without_the_attributes_hint() -> None:
    outcome = rejected(0, raw(measures={"mood": 3}))

    assert outcome.errors == ["measures.mood: unknown field"]


def test_a_missing_field_is_named() -> None:
    item = raw()
    del item["channel"]

    assert rejected(0, item).errors == ["channel: Field required"]


def test_validator_messages_are_shown_without_pydantic_prefixes() -> None:
    outcome = rejected(0, raw(kind="contact.start"))

    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith("kind: unknown kind 'contact.start'; expected one of ")
    assert "billing.*" in outcome.errors[0]
    assert "Value error" not in outcome.errors[0]


def test_every_problem_gets_its_own_line() -> None:
    outcome = rejected(
        0,
        raw(occurred_at="2024-05-01T09:30:00", tier="gold", measures={"csat": 9}, channel="fax"),
    )

    assert len(outcome.errors) == 4
    assert {line.split(":")[0] for line in outcome.errors} == {
        "occurred_at",
        "tier",
        "measures.csat",
        "channel",
    }


def test_a_rejection_carries_the_item_index_and_its_event_id() -> None:
    outcome = rejected(17, raw(event_id="evt-42", channel="fax"))

    assert outcome.index == 17
    assert outcome.event_id == "evt-42"
    assert outcome.as_json() == {"index": 17, "event_id": "evt-42", "errors": outcome.errors}


@pytest.mark.parametrize("event_id", [42, None, ["evt-1"], {"id": "x"}])
def test_a_non_string_event_id_is_not_echoed(event_id: Any) -> None:
    outcome = rejected(3, raw(event_id=event_id))

    assert outcome.event_id is None
    assert outcome.errors[0].startswith("event_id: ")


def test_a_missing_event_id_is_reported_as_none() -> None:
    item = raw()
    del item["event_id"]

    assert rejected(0, item).event_id is None


# -- never raises --------------------------------------------------------------------------------

# JSON as orjson (the service's parser) produces it: integers within 64 bits, finite floats.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _check(index: int, item: Any) -> None:
    outcome = parse_event(index, item)

    if isinstance(outcome, InteractionEvent):
        return
    assert isinstance(outcome, Rejected)
    assert outcome.index == index
    claimed = item.get("event_id") if isinstance(item, dict) else None
    assert outcome.event_id == (claimed if isinstance(claimed, str) else None)
    assert outcome.errors
    assert all(isinstance(line, str) and line for line in outcome.errors)


@settings(max_examples=300, deadline=None)
@given(index=st.integers(min_value=0, max_value=10_000), item=json_values)
def test_parse_event_never_raises_on_arbitrary_json(index: int, item: Any) -> None:
    _check(index, item)


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    replaced=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=3),
)
def test_parse_event_never_raises_on_a_valid_event_with_fields_replaced(
    index: int, replaced: dict[str, Any]
) -> None:
    _check(index, raw(**replaced))


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def test_deeply_nested_attributes_are_rejected_not_raised() -> None:
    assert isinstance(parse_event(0, raw(attributes={"a": _nested(300)})), Rejected)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_a_timestamp_outside_the_utc_range_is_rejected_not_raised(moment: str) -> None:
    assert isinstance(parse_event(0, raw(occurred_at=moment)), Rejected)


def test_an_integer_beyond_64_bits_in_attributes_is_rejected_not_raised() -> None:
    assert isinstance(parse_event(0, raw(attributes={"n": 2**64})), Rejected)
