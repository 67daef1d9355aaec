"""`unified`: journeyflow's own event as a format, validated exactly as on `POST /v1/events`."""

from __future__ import annotations

from typing import Any

import pytest
from unit.normalize import golden

from journeyflow.normalize import unified
from journeyflow.normalize.format import NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

SETTINGS = NormalizeSettings()
EVENT = {
    "event_id": "e-1",
    "source": "web",
    "occurred_at": "2026-11-24T09:30:00Z",
    "kind": "touchpoint.viewed",
    "channel": "web",
}


@pytest.mark.parametrize("case", golden.cases("unified"), ids=str)
def test_golden(case: golden.Case) -> None:
    golden.check(case)


def test_the_event_comes_out_as_it_went_in() -> None:
    (event,) = unified.normalize(EVENT, SETTINGS)

    assert event.event_id == "e-1"
    assert event.source == "web"
    assert event.format == "unified"


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (EVENT, 1),
        ([EVENT, EVENT, EVENT], 3),
        ({"events": [EVENT, EVENT]}, 2),
        ({"events": "not a list"}, 1),
        ({"events": [EVENT], "extra": 1}, 1),
    ],
)
def test_split_takes_one_event_an_array_or_the_events_envelope(body: Any, count: int) -> None:
    assert len(unified.split(body)) == count


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "$: expected an object, got array"),
        ({**EVENT, "colour": "red"}, "colour: unknown field (put custom data in 'attributes')"),
        ({**EVENT, "kind": "contact.exploded"}, "kind: unknown kind 'contact.exploded'"),
        ({k: v for k, v in EVENT.items() if k != "source"}, "source: Field required"),
    ],
)
def test_invalid_events_are_rejected_with_the_model_message(payload: Any, message: str) -> None:
    with pytest.raises(NormalizeError) as caught:
        unified.normalize(payload, SETTINGS)

    assert message in str(caught.value)
