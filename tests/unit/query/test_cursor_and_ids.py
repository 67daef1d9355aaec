"""Opaque timeline cursors and public customer ids (`cus_<number>`)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyflow.query.customer_ids import format_id, parse_id
from journeyflow.query.timeline import InvalidCursor, decode_cursor, encode_cursor

_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def _cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


# -- cursors ------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=_offsets
    ),
    row_id=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_a_cursor_decodes_to_the_position_it_encodes(at: datetime, row_id: int) -> None:
    decoded_at, decoded_id = decode_cursor(encode_cursor(at, row_id))

    assert decoded_at == at
    assert decoded_at.utcoffset() == at.utcoffset()
    assert decoded_id == row_id


def test_a_cursor_is_url_safe_and_unpadded() -> None:
    cursor = encode_cursor(datetime(2024, 5, 1, 9, 30, 0, 123456, tzinfo=UTC), 2**40 + 3)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "!!!!",
        "é",
        _cursor_of(["2024-05-01T09:30:00+00:00"]),
        _cursor_of(["2024-05-01T09:30:00+00:00", 1, 2]),
        _cursor_of(["2024-05-01T09:30:00+00:00", "17"]),
        _cursor_of(["2024-05-01T09:30:00+00:00", 1.5]),
        _cursor_of(["2024-05-01T09:30:00", 17]),  # naive
        _cursor_of(["not a time", 17]),
        _cursor_of([20240501, 17]),
        _cursor_of({"at": "2024-05-01T09:30:00+00:00", "id": 17}),
        _cursor_of(17),
        _cursor_of(None),
        base64.urlsafe_b64encode(b"\xff\xfe not json").decode(),
    ],
)
def test_a_cursor_this_service_did_not_issue_is_invalid(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_invalid_cursor_is_a_value_error() -> None:
    assert issubclass(InvalidCursor, ValueError)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet="ABCDEFGHIJabcdefgh0123456789-_=", max_size=60))
def test_decoding_arbitrary_text_raises_only_invalid_cursor(cursor: str) -> None:
    try:
        at, row_id = decode_cursor(cursor)
    except InvalidCursor:
        return
    assert at.tzinfo is not None
    assert isinstance(row_id, int)


# -- customer ids ---------------------------------------------------------------------------------


def test_a_customer_id_is_prefixed() -> None:
    assert format_id(42) == "cus_42"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**18 - 1))
def test_a_public_id_parses_back_to_the_internal_one(customer: int) -> None:
    assert parse_id(format_id(customer)) == customer


@pytest.mark.parametrize(
    "text",
    [
        "123",
        "cus_",
        "cus_x",
        "cus_-1",
        "cus_+1",
        "cus_1.5",
        "cus_ 1",
        "cus_1 ",
        "CUS_1",
        "cus_cus_1",
        "cus_١٢",  # Arabic-Indic digits
        "cus_\uff11\uff12",  # full-width digits
        "cus_²",  # superscript two (isdigit() is true)
        "cus_" + "9" * 19,
        "",
    ],
)
def test_text_that_is_not_a_public_id_parses_to_none(text: str) -> None:
    assert parse_id(text) is None
