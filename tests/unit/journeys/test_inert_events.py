"""Events that `can_change()` calls inert never change what is derived from a timeline."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from support.journey_events import at, fact, histories

from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import can_change, derive
from journeyflow.journeys.facts import EventFacts

DEFS = Definitions()
KINDS = [
    "touchpoint.viewed",
    "billing.payment_failed",
    "case.opened",
    "case.updated",
    "case.resolved",
    "identity.verified",
    "survey.responded",
    "contact.started",
]

extra = st.builds(
    lambda kind, minute, csat: fact(kind, at(minute), "web", source="web", csat=csat),
    st.sampled_from(KINDS),
    st.integers(0, 14 * 24 * 60),
    st.sampled_from([None, 2, 5]),
)


@given(events=histories(), more=st.lists(extra, max_size=6))
def test_contactless_events_of_other_kinds_change_nothing(
    events: list[EventFacts], more: list[EventFacts]
) -> None:
    inert = [e for e in more if not can_change(e.kind, e.contact_id, 0)]
    assert derive([*events, *inert], DEFS) == derive(events, DEFS)


def test_loose_verifications_surveys_resolutions_and_revisions_may_change_it() -> None:
    assert can_change("identity.verified", None, 0)
    assert can_change("survey.responded", None, 0)
    assert can_change("case.resolved", None, 0)
    assert can_change("case.updated", "call-1", 0)
    assert can_change("touchpoint.viewed", None, 2)
    assert not can_change("touchpoint.viewed", None, 0)
    assert not can_change("billing.payment_failed", None, 0)


def test_the_excluded_kinds_would_be_noticed() -> None:
    """The property above can fail: a loose case.resolved does change a journey."""
    events = [
        fact("contact.started", at(0), "voice", contact_id="c1", intent="billing"),
        fact("contact.ended", at(5), "voice", contact_id="c1", intent="billing"),
    ]
    resolved = fact("case.resolved", at(10), "email", source="crm")
    assert derive([*events, resolved], DEFS) != derive(events, DEFS)
