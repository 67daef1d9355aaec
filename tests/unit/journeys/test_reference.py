"""The engine derives exactly what a plain reading of the definitions derives."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from support.journey_events import histories
from support.reference_journeys import reference_derive

from journeyflow.journeys.definitions import Definitions, RepeatScope
from journeyflow.journeys.derive import derive
from journeyflow.journeys.facts import EventFacts

definitions = st.builds(
    Definitions,
    repeat_window=st.sampled_from([timedelta(hours=1), timedelta(days=1), timedelta(days=7)]),
    repeat_scope=st.sampled_from(list(RepeatScope)),
    self_service_channels=st.sampled_from([frozenset({"bot", "web"}), frozenset({"voice"})]),
)


@settings(max_examples=400, deadline=None)
@given(events=histories(), definitions=definitions)
def test_the_engine_equals_the_reference_on_any_history(
    events: list[EventFacts], definitions: Definitions
) -> None:
    assert derive(events, definitions) == reference_derive(events, definitions)
