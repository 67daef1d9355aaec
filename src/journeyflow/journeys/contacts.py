"""Group one customer's timeline events into contacts; attribute verifications and surveys.

A contact is the events sharing `(source, contact_id)` that include at least one `contact.*`
event (a survey or case update naming a contact id does not make a contact on its own).
Every function here is pure and works from events sorted by their facts, never by arrival, so
any arrival order of the same events gives the same contacts. Each contact is built in one pass
over its events (this runs for every customer a batch touches; tests hold it equal to a plain
reading of the definitions in `tests/support/reference_journeys.py`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Final

from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts, by_order
from journeyflow.journeys.model import Contact, Survey

SURVEY: Final = "survey.responded"
VERIFIED: Final = "identity.verified"
_STARTED: Final = "contact.started"
_ENDED: Final = "contact.ended"
_TRANSFERRED: Final = "contact.transferred"
_ESCALATED: Final = "contact.escalated"
INTRINSIC: Final = 16
"""Contact fields decided by the contact's own events; the rest are decided across contacts."""
DECIDED_LATER: Final = tuple(Contact._field_defaults[f] for f in Contact._fields[INTRINSIC:])
"""Those fields' defaults. Contacts are made with `tuple.__new__`, which takes every field: a
named tuple's own constructor is a Python function (a frame for each contact re-derived)."""


@lru_cache(maxsize=1 << 15)
def minute_of(at: datetime) -> datetime:
    """The bucket minute of `at` (UTC, as every time here is). Remembered: a customer's contacts
    are bucketed again each time a batch re-derives them, and `replace` costs ~1 us a call."""
    return at.replace(second=0, microsecond=0)


def contacts_of(events: Iterable[EventFacts], definitions: Definitions) -> list[Contact]:
    """The customer's contacts, in start order, with identity verifications attached (their
    cross-contact fields still at their defaults)."""
    return contacts_in(sorted(events, key=by_order), definitions)


def contacts_in(timeline: Sequence[EventFacts], definitions: Definitions) -> list[Contact]:
    """`contacts_of` a timeline already sorted by `EventFacts.order`."""
    return contacts_and_loose(timeline, definitions)[0]


def contacts_and_loose(
    timeline: Sequence[EventFacts], definitions: Definitions
) -> tuple[list[Contact], list[EventFacts]]:
    """`contacts_in`, and the timeline's `events_outside` them (found once, for both)."""
    groups: dict[tuple[str, str], list[EventFacts]] = {}
    for event in timeline:
        if event.contact_id is not None:
            key = (event.source, event.contact_id)
            group = groups.get(key)
            if group is None:
                groups[key] = [event]
            else:
                group.append(event)
    contacts = [
        contact
        for group in groups.values()
        if (contact := _contact(group, definitions.self_service_channels)) is not None
    ]
    contacts.sort(key=_start_order)
    loose = events_outside(timeline, contacts)
    return _attach_loose_verifications(contacts, loose), loose


def _start_order(contact: Contact) -> tuple[datetime, str, str]:
    return (contact.started_at, contact.source, contact.contact_id)


def events_outside(events: Iterable[EventFacts], contacts: Sequence[Contact]) -> list[EventFacts]:
    """Events that belong to none of `contacts` (no contact id, or a contact-less group)."""
    keys = {(c.source, c.contact_id) for c in contacts}
    return [e for e in events if e.contact_id is None or (e.source, e.contact_id) not in keys]


def _contact(events: list[EventFacts], self_service: frozenset[str]) -> Contact | None:
    """The contact made of one group's events (sorted), or None if none is a `contact.*`."""
    is_contact = False
    intent = department = outcome = reference = None
    ended_at = outcome_at = None
    assisted = False
    transfers = escalations = 0
    handle: int | None = None
    verified: list[datetime] = []
    for e in events:
        kind = e.kind
        if kind.startswith("contact."):
            is_contact = True
            if kind == _ENDED:
                ended_at = e.occurred_at
                if e.handle_ms is not None:
                    handle = e.handle_ms if handle is None else handle + e.handle_ms
            elif kind == _TRANSFERRED:
                transfers += 1
            elif kind == _ESCALATED:
                escalations += 1
                assisted = True
        elif kind == VERIFIED:
            verified.append(e.occurred_at)
        if e.intent:
            intent = e.intent
        routed = e.to_department or e.department
        if routed:
            department = routed
        if e.outcome is not None:
            outcome, outcome_at = e.outcome, e.occurred_at
        if e.previous_contact_ref:
            reference = e.previous_contact_ref
        if e.agent_id or e.to_agent_id:
            assisted = True
    if not is_contact:
        return None
    first = events[0]
    assert first.contact_id is not None
    return tuple.__new__(
        Contact,
        (
            first.source,
            first.contact_id,
            first.occurred_at,
            first.channel,
            intent,
            department,
            ended_at,
            outcome,
            outcome_at,
            assisted,
            first.channel in self_service,
            transfers,
            escalations,
            handle,
            reference,
            tuple(verified),
            *DECIDED_LATER,
        ),
    )


def _attach_loose_verifications(
    contacts: list[Contact], loose: Iterable[EventFacts]
) -> list[Contact]:
    """A verification outside any contact counts for the latest contact started by then."""
    starts: list[datetime] | None = None
    extra: dict[int, list[datetime]] = {}
    for event in loose:
        if event.kind != VERIFIED:
            continue
        if starts is None:
            starts = [c.started_at for c in contacts]
        index = bisect_right(starts, event.occurred_at) - 1
        if index >= 0:
            extra.setdefault(index, []).append(event.occurred_at)
    for index, times in extra.items():
        merged = tuple(sorted((*contacts[index].verified_at, *times)))
        contacts[index] = contacts[index]._replace(verified_at=merged)
    return contacts


def surveys_of(events: Iterable[EventFacts], contacts: Sequence[Contact]) -> list[Survey]:
    """Survey responses, each in the bucket of the contact it names, else of its own minute."""
    return surveys_in(sorted(events, key=by_order), contacts)


def surveys_in(timeline: Sequence[EventFacts], contacts: Sequence[Contact]) -> list[Survey]:
    """`surveys_of` a timeline already sorted by `EventFacts.order`."""
    by_key: dict[tuple[str, str], Contact] | None = None
    by_id: dict[str, Contact] = {}
    surveys = []
    for event in timeline:
        if event.kind != SURVEY or (event.csat is None and event.nps is None and event.ces is None):
            continue
        contact: Contact | None = None
        if event.contact_id is not None:
            if by_key is None:
                by_key = {(c.source, c.contact_id): c for c in contacts}
                for known in contacts:
                    by_id.setdefault(known.contact_id, known)
            contact = by_key.get((event.source, event.contact_id)) or by_id.get(event.contact_id)
        surveys.append(_survey(event, contact))
    return surveys


def _survey(event: EventFacts, contact: Contact | None) -> Survey:
    if contact is None:
        return Survey(
            event.source,
            event.event_id,
            event.occurred_at,
            minute_of(event.occurred_at),
            event.channel,
            event.intent,
            event.department,
            event.source,
            csat=event.csat,
            nps=event.nps,
            ces=event.ces,
        )
    return Survey(
        event.source,
        event.event_id,
        event.occurred_at,
        minute_of(contact.started_at),
        contact.channel,
        contact.intent,
        contact.department,
        contact.source,
        contact.source,
        contact.contact_id,
        event.csat,
        event.nps,
        event.ces,
    )
