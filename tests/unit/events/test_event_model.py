"""The unified `InteractionEvent` (DESIGN §2): what it accepts, refuses, and how it serializes."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support.events import raw

from journeyflow.events import Channel, InteractionEvent, Measures, Outcome
from journeyflow.events.model import KINDS, MAX_ATTRIBUTES, MAX_ATTRIBUTES_BYTES

REQUIRED = ("event_id", "source", "occurred_at", "kind", "channel")


def event(**overrides: Any) -> InteractionEvent:
    return InteractionEvent.model_validate(raw(**overrides))


def error_types(error: pytest.ExceptionInfo[ValidationError]) -> dict[tuple[Any, ...], str]:
    return {tuple(e["loc"]): e["type"] for e in error.value.errors()}


# -- required fields and defaults ----------------------------------------------------------------


def test_an_event_with_only_the_required_fields_is_valid_and_gets_defaults() -> None:
    parsed = event()

    assert parsed.event_id == "evt-1"
    assert parsed.format == "unified"
    assert parsed.identifiers == {}
    assert parsed.attributes == {}
    assert parsed.measures == Measures()
    assert parsed.outcome is None
    assert parsed.received_at is None


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field_is_required(field: str) -> None:
    item = raw()
    del item[field]

    with pytest.raises(ValidationError) as error:
        InteractionEvent.model_validate(item)

    assert error_types(error) == {(field,): "missing"}


@pytest.mark.parametrize("blank", ["", "   "])
def test_event_id_must_not_be_blank(blank: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(event_id=blank)

    assert ("event_id",) in error_types(error)


def test_text_fields_are_trimmed() -> None:
    parsed = event(event_id="  evt-7 ", source=" ivr ", intent=" billing ")

    assert (parsed.event_id, parsed.source, parsed.intent) == ("evt-7", "ivr", "billing")


@pytest.mark.parametrize("source", ["Chat", "9chat", "chat.v2", "chat system", ""])
def test_source_must_be_a_lower_case_slug(source: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(source=source)

    assert ("source",) in error_types(error)


def test_events_are_immutable() -> None:
    parsed = event()

    with pytest.raises(ValidationError):
        parsed.kind = "contact.ended"  # type: ignore[misc]


# -- timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2024-05-01T09:30:00+02:00", datetime(2024, 5, 1, 7, 30, tzinfo=UTC)),
        ("2024-05-01T09:30:00-05:30", datetime(2024, 5, 1, 15, 0, tzinfo=UTC)),
        ("2024-05-01T09:30:00Z", datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
        ("2024-12-31T23:30:00-01:00", datetime(2025, 1, 1, 0, 30, tzinfo=UTC)),
    ],
)
def test_occurred_at_with_an_offset_is_stored_in_utc(written: str, utc: datetime) -> None:
    parsed = event(occurred_at=written, received_at=written)

    assert parsed.occurred_at == utc
    assert parsed.occurred_at.utcoffset() == timedelta(0)
    assert parsed.received_at is not None
    assert parsed.received_at.utcoffset() == timedelta(0)
    assert parsed.received_at == utc


@pytest.mark.parametrize("field", ["occurred_at", "received_at"])
@pytest.mark.parametrize("naive", ["2024-05-01T09:30:00", "2024-05-01 09:30:00.123"])
def test_timestamps_without_an_offset_are_rejected(field: str, naive: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(**{field: naive})

    assert error_types(error) == {(field,): "timezone_aware"}


def test_a_naive_python_datetime_is_rejected_too() -> None:
    with pytest.raises(ValidationError) as error:
        event(occurred_at=datetime(2024, 5, 1, 9, 30))

    assert error_types(error) == {("occurred_at",): "timezone_aware"}


# -- unknown fields ------------------------------------------------------------------------------


def test_an_unknown_top_level_field_is_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        event(customer_tier="gold")

    assert error_types(error) == {("customer_tier",): "extra_forbidden"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("measures", {"csat": 4, "mood": 3}), ("from", {"queue": "q", "floor": 2})],
)
def test_unknown_nested_fields_are_rejected(field: str, value: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        event(**{field: value})

    assert set(error_types(error).values()) == {"extra_forbidden"}


def test_custom_data_is_welcome_in_attributes() -> None:
    parsed = event(attributes={"customer_tier": "gold", "nested": {"a": [1, 2.5, None, True]}})

    assert parsed.attributes["customer_tier"] == "gold"
    assert parsed.attributes["nested"] == {"a": [1, 2.5, None, True]}


# -- closed vocabularies -------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_every_listed_channel_is_accepted(channel: str) -> None:
    assert event(channel=channel).channel is Channel(channel)


def test_the_channel_vocabulary_is_the_documented_one() -> None:
    assert {c.value for c in Channel} == {
        "voice", "ivr", "chat", "bot", "email", "sms", "web", "app", "social", "store", "billing",
    }  # fmt: skip


@pytest.mark.parametrize("channel", ["phone", "Voice", "whatsapp", ""])
def test_unlisted_channels_are_rejected(channel: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(channel=channel)

    assert ("channel",) in error_types(error)


@pytest.mark.parametrize("outcome", ["resolved", "unresolved", "abandoned", "transferred"])
def test_every_listed_outcome_is_accepted(outcome: str) -> None:
    assert event(outcome=outcome).outcome is Outcome(outcome)


@pytest.mark.parametrize("outcome", ["closed", "RESOLVED", "success", ""])
def test_unlisted_outcomes_are_rejected(outcome: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(outcome=outcome)

    assert ("outcome",) in error_types(error)


def test_the_kind_vocabulary_is_the_documented_one() -> None:
    assert set(KINDS) == {
        "contact.started",
        "contact.ended",
        "contact.transferred",
        "contact.escalated",
        "identity.verified",
        "identity.linked",
        "case.opened",
        "case.updated",
        "case.resolved",
        "survey.responded",
        "touchpoint.viewed",
    }


@pytest.mark.parametrize(
    "kind",
    [*KINDS, "billing.payment_failed", "billing.dispute_opened", "billing.x", "billing.a1_b"],
)
def test_listed_kinds_and_billing_subkinds_are_accepted(kind: str) -> None:
    assert event(kind=kind).kind == kind


@pytest.mark.parametrize(
    "kind",
    [
        "contact.start",
        "Contact.started",
        "contact",
        "billing",
        "billing.",
        "billing.Payment",
        "billing.1st",
        "billing.payment.failed",
        "billing.payment-failed",
        "billing." + "x" * 65,
        "survey.sent",
        "",
    ],
)
def test_other_kinds_are_rejected(kind: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(kind=kind)

    assert ("kind",) in error_types(error)


def test_a_billing_kind_with_a_trailing_newline_is_rejected() -> None:
    with pytest.raises(ValidationError):
        event(kind="billing.payment_failed\n")


# -- measures ------------------------------------------------------------------------------------

RANGES = [
    ("csat", [1, 3, 5], [0, 6, -1]),
    ("nps", [0, 7, 10], [-1, 11]),
    ("ces", [1, 4, 7], [0, 8]),
    ("sentiment", [-1, -0.25, 0, 1], [-1.01, 1.01, 2]),
    ("handle_seconds", [0, 0.5, 86_400], [-0.001, -1]),
    ("talk_seconds", [0, 12.5], [-1]),
    ("hold_seconds", [0, 30], [-1]),
    ("acw_seconds", [0, 45], [-1]),
    ("wait_seconds", [0, 3.25], [-0.5]),
]


@pytest.mark.parametrize(
    ("measure", "value"), [(m, v) for m, good, _ in RANGES for v in good]
)  # fmt: skip
def test_measures_inside_their_published_range_are_accepted(measure: str, value: float) -> None:
    assert getattr(event(measures={measure: value}).measures, measure) == value


@pytest.mark.parametrize(
    ("measure", "value"), [(m, v) for m, _, bad in RANGES for v in bad]
)  # fmt: skip
def test_measures_outside_their_published_range_are_rejected(measure: str, value: float) -> None:
    with pytest.raises(ValidationError) as error:
        event(measures={measure: value})

    assert ("measures", measure) in error_types(error)


@pytest.mark.parametrize("measure", ["csat", "nps", "ces"])
def test_survey_scores_are_whole_numbers(measure: str) -> None:
    with pytest.raises(ValidationError) as error:
        event(measures={measure: 3.5})

    assert ("measures", measure) in error_types(error)


@pytest.mark.parametrize("measure", ["sentiment", "handle_seconds"])
def test_not_a_number_is_outside_every_range(measure: str) -> None:
    with pytest.raises(ValidationError):
        event(measures={measure: float("nan")})


def test_an_infinite_duration_is_rejected() -> None:
    with pytest.raises(ValidationError):
        event(measures={"handle_seconds": float("inf")})


# -- attributes bounds ---------------------------------------------------------------------------


def test_attributes_may_hold_up_to_the_key_limit() -> None:
    attributes = {f"k{i}": i for i in range(MAX_ATTRIBUTES)}

    assert len(event(attributes=attributes).attributes) == 64


def test_attributes_beyond_the_key_limit_are_rejected() -> None:
    attributes = {f"k{i}": i for i in range(MAX_ATTRIBUTES + 1)}

    with pytest.raises(ValidationError) as error:
        event(attributes=attributes)

    assert error_types(error) == {("attributes",): "value_error"}
    assert "at most 64 attributes, got 65" in str(error.value)


def _attributes_of_size(size: int) -> dict[str, str]:
    attributes = {"blob": "x" * (size - len(b'{"blob":""}'))}
    assert len(orjson.dumps(attributes)) == size
    return attributes


def test_attributes_may_take_up_to_16_kib() -> None:
    assert MAX_ATTRIBUTES_BYTES == 16 * 1024

    parsed = event(attributes=_attributes_of_size(16 * 1024))

    assert len(parsed.attributes["blob"]) > 16_000


def test_attributes_beyond_16_kib_are_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        event(attributes=_attributes_of_size(16 * 1024 + 1))

    assert error_types(error) == {("attributes",): "value_error"}
    assert "16385 bytes, at most 16384" in str(error.value)


# -- routing points and the `from` alias ---------------------------------------------------------


def test_from_is_read_from_the_json_name_from() -> None:
    parsed = event(
        kind="contact.transferred",
        **{"from": {"queue": "billing", "channel": "voice"}, "to": {"department": "retention"}},
    )

    assert parsed.from_ is not None
    assert parsed.from_.queue == "billing"
    assert parsed.from_.channel is Channel.VOICE
    assert parsed.to is not None
    assert parsed.to.department == "retention"


def test_to_json_writes_from_under_its_json_name() -> None:
    written = orjson.loads(event(**{"from": {"agent_id": "a-1"}}).to_json())

    assert written["from"] == {"agent_id": "a-1"}
    assert "from_" not in written


# -- JSON round trip -----------------------------------------------------------------------------


def test_to_json_is_compact_utc_and_omits_absent_fields() -> None:
    written = orjson.loads(event(occurred_at="2024-05-01T09:30:00+02:00").to_json())

    assert written["occurred_at"] == "2024-05-01T07:30:00Z"
    assert "received_at" not in written
    assert "outcome" not in written
    assert written["measures"] == {}


def test_a_full_event_round_trips_through_json() -> None:
    original = event(
        occurred_at="2024-05-01T09:30:00.123456-07:00",
        received_at="2024-05-01T16:30:01Z",
        kind="contact.transferred",
        channel="voice",
        format="amazon-connect-ctr",
        contact_id="c-1",
        previous_contact_ref="c-0",
        identifiers={"phone": "+14155550100", "email": "ana@example.com"},
        intent="billing_dispute",
        queue="billing",
        department="care",
        agent_id="a-9",
        to={"queue": "retention", "agent_id": "a-10"},
        outcome="transferred",
        measures={"handle_seconds": 312.5, "csat": 4, "nps": 9, "ces": 2, "sentiment": -0.4},
        attributes={"tier": "gold", "n": [1, 2.5, None, {"deep": True}]},
        **{"from": {"queue": "billing", "agent_id": "a-9"}},
    )

    assert InteractionEvent.model_validate_json(original.to_json()) == original


_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# Text without characters that trimming would remove, so a value equals what the model keeps.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)
_slug = st.from_regex(r"\A[a-z][a-z0-9_\-]{0,10}\Z")
_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=_offsets
)
_durations = st.none() | st.floats(min_value=0, max_value=1e7, allow_nan=False)
_routing = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "queue": _text,
        "department": _text,
        "agent_id": _text,
        "channel": st.sampled_from([c.value for c in Channel]),
    },
)

_events = st.fixed_dictionaries(
    {
        "event_id": _text,
        "source": _slug,
        "occurred_at": _moments,
        "kind": st.sampled_from(KINDS) | st.from_regex(r"\Abilling\.[a-z][a-z0-9_]{0,8}\Z"),
        "channel": st.sampled_from([c.value for c in Channel]),
    },
    optional={
        "format": _slug,
        "received_at": _moments,
        "contact_id": _text,
        "previous_contact_ref": _text,
        "identifiers": st.dictionaries(_slug, st.text(max_size=20), max_size=3),
        "intent": _text,
        "agent_id": _text,
        "from": _routing,
        "to": _routing,
        "outcome": st.sampled_from([o.value for o in Outcome]),
        "measures": st.fixed_dictionaries(
            {},
            optional={
                "handle_seconds": _durations,
                "hold_seconds": _durations,
                "csat": st.integers(1, 5),
                "nps": st.integers(0, 10),
                "ces": st.integers(1, 7),
                "sentiment": st.floats(-1, 1),
            },
        ),
        "attributes": st.dictionaries(
            st.text(string.ascii_letters, max_size=6), _json_values, max_size=5
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(_events)
def test_any_valid_event_round_trips_through_to_json(item: dict[str, Any]) -> None:
    original = InteractionEvent.model_validate(item)

    assert InteractionEvent.model_validate_json(original.to_json()) == original
