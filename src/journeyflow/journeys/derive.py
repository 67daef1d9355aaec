"""One customer's timeline -> its contacts, journeys and attributed surveys (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from journeyflow.journeys.contacts import contacts_of, events_outside, surveys_of
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.journeys import link
from journeyflow.journeys.model import Derived


def derive(events: Iterable[EventFacts], definitions: Definitions) -> Derived:
    timeline = sorted(events, key=lambda e: e.order)
    contacts = contacts_of(timeline, definitions)
    linked, journeys = link(contacts, events_outside(timeline, contacts), definitions)
    return Derived(tuple(linked), tuple(journeys), tuple(surveys_of(timeline, linked)))
