"""Whatever JSON arrives, every registered format answers with events or a `NormalizeError`.

Two kinds of input: arbitrary JSON, and each format's own fixtures with one part replaced by
arbitrary JSON (which gets past the first checks and into the mapping code).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unit.normalize import golden

from journeyflow.events import InteractionEvent
from journeyflow.normalize import registry
from journeyflow.normalize.format import NativeFormat, NormalizeError

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "2024-05-01T09:00:00Z", "2024-05-01T09:00:00", "VOICE", "TRANSFER"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
FORMATS = sorted(registry.FORMATS)


def run(fmt: NativeFormat, body: Any, format_name: str) -> None:
    """Split then normalize; anything but events or NormalizeError fails the test."""
    options = golden.settings_for(format_name)
    try:
        payloads = fmt.split(body)
    except NormalizeError:
        return
    for payload in payloads:
        try:
            events = fmt.normalize(payload, options)
        except NormalizeError as error:
            events = []
            message = str(error)
        else:
            message = "ok"
        assert message, "a NormalizeError must say what is wrong"
        assert isinstance(events, list)
        for event in events:
            assert isinstance(event, InteractionEvent)
            event.to_json()


def replace_somewhere(value: Any, data: st.DataObject) -> Any:
    """`value` with one randomly chosen subtree (possibly the whole) replaced by arbitrary JSON."""
    if not isinstance(value, dict | list) or not value or data.draw(st.integers(0, 3)) == 0:
        return data.draw(JSON)
    if isinstance(value, dict):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: replace_somewhere(value[key], data)}
    index = data.draw(st.integers(0, len(value) - 1))
    return [*value[:index], replace_somewhere(value[index], data), *value[index + 1 :]]


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=JSON)
def test_arbitrary_json_gives_events_or_a_normalize_error(name: str, body: Any) -> None:
    run(registry.get(name), body, name)


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_fixture_with_one_part_replaced_gives_events_or_a_normalize_error(
    name: str, data: st.DataObject
) -> None:
    case = data.draw(st.sampled_from(golden.cases(name)))
    run(registry.get(name), replace_somewhere(case.body(), data), name)
