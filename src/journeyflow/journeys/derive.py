"""One customer's timeline -> its contacts, journeys and attributed surveys (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from journeyflow.journeys.contacts import SURVEY, VERIFIED, contacts_and_loose, surveys_in
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts, by_order
from journeyflow.journeys.journeys import CASE_RESOLVED, link
from journeyflow.journeys.model import Derived, derived_of

LOOSE_KINDS: Final = frozenset({VERIFIED, SURVEY, CASE_RESOLVED})
"""Kinds that count for contacts and journeys even without a contact id."""


def derive(events: Iterable[EventFacts], definitions: Definitions) -> Derived:
    return derive_sorted(sorted(events, key=by_order), definitions)


def derive_sorted(timeline: Sequence[EventFacts], definitions: Definitions) -> Derived:
    """`derive` of a timeline already sorted by `EventFacts.order`."""
    contacts, loose = contacts_and_loose(timeline, definitions)
    linked, journeys = link(contacts, loose, definitions)
    surveys = surveys_in(timeline, contacts)
    return derived_of(tuple(linked), tuple(journeys), tuple(surveys))


def derivable(facts: EventFacts) -> bool:
    """Whether `derive` looks at this event at all: the others (contact-less page views, billing
    events, case updates) never change its result, so histories need not hold them."""
    return facts.contact_id is not None or facts.kind in LOOSE_KINDS


def can_change(kind: str, contact_id: str | None, revision: int) -> bool:
    """Whether adding this event to a timeline can change what `derive` makes of it.

    Contact-less page views, billing events and case updates never do (a processor need not
    re-derive a customer for them); a revision might replace an event that did, so it always may.
    """
    return contact_id is not None or kind in LOOSE_KINDS or revision > 0
