"""Group one customer's timeline events into contacts; attribute verifications and surveys.

A contact is the events sharing `(source, contact_id)` that include at least one `contact.*`
event (a survey or case update naming a contact id does not make a contact on its own).
Every function here is pure and sorts by event facts, never by arrival, so any arrival order
of the same events gives the same contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Survey

SURVEY = "survey.responded"
VERIFIED = "identity.verified"


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def contacts_of(events: Iterable[EventFacts], definitions: Definitions) -> list[Contact]:
    """The customer's contacts, in start order, with identity verifications attached."""
    groups: dict[tuple[str, str], list[EventFacts]] = defaultdict(list)
    for event in events:
        if event.contact_id is not None:
            groups[(event.source, event.contact_id)].append(event)
    contacts = [
        _contact(sorted(group, key=lambda e: e.order), definitions)
        for group in groups.values()
        if any(e.kind.startswith("contact.") for e in group)
    ]
    contacts.sort(key=lambda c: c.order)
    return _attach_loose_verifications(contacts, events_outside(events, contacts))


def events_outside(events: Iterable[EventFacts], contacts: Sequence[Contact]) -> list[EventFacts]:
    """Events that belong to none of `contacts` (no contact id, or a contact-less group)."""
    keys = {c.key for c in contacts}
    return [e for e in events if e.contact_id is None or (e.source, e.contact_id) not in keys]


def _contact(events: list[EventFacts], definitions: Definitions) -> Contact:
    first = events[0]
    assert first.contact_id is not None
    ended = [e for e in events if e.kind == "contact.ended"]
    handles = [e.handle_ms for e in ended if e.handle_ms is not None]
    with_outcome = [e for e in events if e.outcome is not None]
    escalations = sum(e.kind == "contact.escalated" for e in events)
    return Contact(
        source=first.source,
        contact_id=first.contact_id,
        started_at=first.occurred_at,
        channel=first.channel,
        intent=_latest(e.intent for e in events),
        department=_latest(e.routed_department for e in events),
        ended_at=ended[-1].occurred_at if ended else None,
        outcome=with_outcome[-1].outcome if with_outcome else None,
        outcome_at=with_outcome[-1].occurred_at if with_outcome else None,
        assisted=escalations > 0 or any(e.agent_id or e.to_agent_id for e in events),
        self_service=first.channel in definitions.self_service_channels,
        transfers=sum(e.kind == "contact.transferred" for e in events),
        escalations=escalations,
        handle_ms=sum(handles) if handles else None,
        previous_contact_ref=_latest(e.previous_contact_ref for e in events),
        verified_at=tuple(e.occurred_at for e in events if e.kind == VERIFIED),
    )


def _latest(values: Iterable[str | None]) -> str | None:
    found = None
    for value in values:
        if value:
            found = value
    return found


def _attach_loose_verifications(
    contacts: list[Contact], loose: Iterable[EventFacts]
) -> list[Contact]:
    """A verification outside any contact counts for the latest contact started by then."""
    extra: dict[int, list[datetime]] = defaultdict(list)
    for event in loose:
        if event.kind != VERIFIED:
            continue
        index = _latest_started_by(contacts, event.occurred_at)
        if index is not None:
            extra[index].append(event.occurred_at)
    for index, times in extra.items():
        merged = tuple(sorted((*contacts[index].verified_at, *times)))
        contacts[index] = replace(contacts[index], verified_at=merged)
    return contacts


def _latest_started_by(contacts: Sequence[Contact], at: datetime) -> int | None:
    found = None
    for index, contact in enumerate(contacts):
        if contact.started_at > at:
            break
        found = index
    return found


def surveys_of(events: Iterable[EventFacts], contacts: Sequence[Contact]) -> list[Survey]:
    """Survey responses, each in the bucket of the contact it names, else of its own minute."""
    by_key = {c.key: c for c in contacts}
    by_id: dict[str, Contact] = {}
    for known in contacts:
        by_id.setdefault(known.contact_id, known)
    surveys = []
    for event in sorted(events, key=lambda e: e.order):
        if event.kind != SURVEY or (event.csat, event.nps, event.ces) == (None, None, None):
            continue
        contact: Contact | None = None
        if event.contact_id is not None:
            contact = by_key.get((event.source, event.contact_id)) or by_id.get(event.contact_id)
        surveys.append(_survey(event, contact))
    return surveys


def _survey(event: EventFacts, contact: Contact | None) -> Survey:
    survey = Survey(
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
    if contact is None:
        return survey
    return replace(
        survey,
        minute=minute_of(contact.started_at),
        channel=contact.channel,
        intent=contact.intent,
        department=contact.department,
        bucket_source=contact.source,
        contact_source=contact.source,
        contact_id=contact.contact_id,
    )
