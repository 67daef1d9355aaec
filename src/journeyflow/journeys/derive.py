"""One customer's timeline -> its contacts, journeys and attributed surveys (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from journeyflow.journeys.contacts import SURVEY, VERIFIED, contacts_of, events_outside, surveys_of
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.journeys import CASE_RESOLVED, link
from journeyflow.journeys.model import Derived

LOOSE_KINDS = frozenset({VERIFIED, SURVEY, CASE_RESOLVED})
"""Kinds that count for contacts and journeys even without a contact id."""


def derive(events: Iterable[EventFacts], definitions: Definitions) -> Derived:
    timeline = sorted(events, key=lambda e: e.order)
    contacts = contacts_of(timeline, definitions)
    linked, journeys = link(contacts, events_outside(timeline, contacts), definitions)
    return Derived(tuple(linked), tuple(journeys), tuple(surveys_of(timeline, linked)))


def can_change(kind: str, contact_id: str | None, revision: int) -> bool:
    """Whether adding this event to a timeline can change what `derive` makes of it.

    Contact-less page views, billing events and case updates never do (a processor need not
    re-derive a customer for them); a revision might replace an event that did, so it always may.
    """
    return contact_id is not None or kind in LOOSE_KINDS or revision > 0
