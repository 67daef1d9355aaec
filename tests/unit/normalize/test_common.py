"""Shared helpers of the format modules: accessors with JSON paths, timestamps, vocabularies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from journeyflow.normalize.common import (
    child,
    department_of,
    epoch_millis,
    is_truthy,
    make_event,
    map_intent,
    optional_number,
    optional_object,
    optional_str,
    parse_timestamp,
    require,
    require_str,
)
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

SETTINGS = NormalizeSettings(
    intent_map={"Billing Question": "billing"},
    queue_departments={"BillingQueue": "billing"},
)


def test_child_paths_read_like_json_paths() -> None:
    assert child(child(child("$", "data"), "items"), 2) == "$.data.items[2]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T09:30:00Z", datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
        ("2024-05-01T11:30:00+02:00", datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
        ("2024-05-01T09:30:00.250z", datetime(2024, 5, 1, 9, 30, 0, 250000, tzinfo=UTC)),
        (1714555800, datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
        (1714555800.5, datetime(2024, 5, 1, 9, 30, 0, 500000, tzinfo=UTC)),
    ],
)
def test_timestamps_with_an_offset_or_epoch_seconds_are_read_in_utc(
    value: Any, expected: datetime
) -> None:
    assert parse_timestamp(value, "$.created") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-05-01T09:30:00", "must carry a UTC offset"),
        ("yesterday", "not an RFC 3339 timestamp"),
        ("", "not an RFC 3339 timestamp"),
        (True, "got boolean"),
        (None, "got null"),
        (-5, "out of range"),
        (1e300, "out of range"),
        ({"at": 1}, "got object"),
    ],
)
def test_bad_timestamps_are_errors_at_their_path(value: Any, message: str) -> None:
    with pytest.raises(NormalizeError) as caught:
        parse_timestamp(value, "$.created")

    assert caught.value.path == "$.created"
    assert message in str(caught.value)


def test_epoch_millis_is_the_revision_of_an_update_time() -> None:
    assert epoch_millis(datetime(2024, 5, 1, 9, 30, 0, 250000, tzinfo=UTC)) == 1714555800250


def test_require_names_the_missing_field() -> None:
    with pytest.raises(NormalizeError) as caught:
        require({"a": None}, "a", "$.data")

    assert str(caught.value) == "$.data.a: required field is missing"


def test_strings_are_trimmed_and_blank_is_absent() -> None:
    assert require_str({"id": " cus_1 "}, "id") == "cus_1"
    assert optional_str({"id": "   "}, "id") is None
    assert optional_str({}, "id") is None
    with pytest.raises(NormalizeError, match=r"\$\.id: must not be empty"):
        require_str({"id": " "}, "id")
    with pytest.raises(NormalizeError, match=r"\$\.id: expected a string, got number"):
        optional_str({"id": 5}, "id")


def test_numbers_accept_numeric_strings_but_not_booleans() -> None:
    assert optional_number({"n": "12.5"}, "n") == 12.5
    assert optional_number({"n": 3}, "n") == 3.0
    with pytest.raises(NormalizeError, match="got boolean"):
        optional_number({"n": True}, "n")
    with pytest.raises(NormalizeError, match="expected a number"):
        optional_number({"n": "twelve"}, "n")
    with pytest.raises(NormalizeError, match="finite"):
        optional_number({"n": "inf"}, "n")


def test_objects_absent_are_empty_and_others_are_errors() -> None:
    assert optional_object({}, "o") == {}
    with pytest.raises(NormalizeError, match=r"\$\.o: expected an object, got array"):
        optional_object({"o": []}, "o")


@pytest.mark.parametrize(
    ("raw", "intent"),
    [
        ("billing question", "billing"),
        ("  Billing Question ", "billing"),
        ("Lost  Card", "lost_card"),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_intents_go_through_the_map_else_are_kept_as_slugs(raw: Any, intent: str | None) -> None:
    assert map_intent(raw, SETTINGS) == intent


def test_departments_come_from_the_queue_map_only() -> None:
    assert department_of("BillingQueue", SETTINGS) == "billing"
    assert department_of("billingqueue", SETTINGS) == "billing"
    assert department_of("Sales", SETTINGS) is None
    assert department_of(None, SETTINGS) is None


@pytest.mark.parametrize("flag", [True, 1, "true", "YES", " y ", "1", "verified"])
def test_truthy_flags(flag: Any) -> None:
    assert is_truthy(flag)


@pytest.mark.parametrize("flag", [False, 0, 2, "false", "no", "", None, [], {"a": 1}])
def test_falsy_flags(flag: Any) -> None:
    assert not is_truthy(flag)


def test_make_event_turns_a_model_refusal_into_a_normalize_error() -> None:
    fields = {
        "event_id": "e",
        "source": "billing",
        "occurred_at": datetime(2024, 5, 1, tzinfo=UTC),
        "kind": "billing.payment_failed",
        "channel": "billing",
        "measures": {"csat": 9},
    }

    with pytest.raises(NormalizeError) as caught:
        make_event(fields, "$.data.object")

    assert caught.value.path == "$.data.object"
    assert "measures.csat" in str(caught.value)
