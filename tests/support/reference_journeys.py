"""The metric definitions read plainly (DESIGN §4): the reference the engine is tested against.

This is the first, straightforward implementation of `journeys.derive`: one small function per
rule, values rebuilt with `_replace` at each step. The engine in `src/` computes the same thing
in a few passes without the intermediate values; property tests hold the two equal on random
histories, so an optimization cannot quietly change a definition. (The chain rule, `_chains`,
and the journey id are the engine's own words, copied as they were: nothing there was rewritten.)
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Derived, Journey, Survey

SURVEY = "survey.responded"
VERIFIED = "identity.verified"
CASE_RESOLVED = "case.resolved"


def reference_derive(events: Iterable[EventFacts], definitions: Definitions) -> Derived:
    timeline = sorted(events, key=lambda e: e.order)
    contacts = contacts_of(timeline, definitions)
    linked, journeys = link(contacts, events_outside(timeline, contacts), definitions)
    return Derived(tuple(linked), tuple(journeys), tuple(surveys_of(timeline, linked)))


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
        contacts[index] = contacts[index]._replace(verified_at=merged)
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
    return survey._replace(
        minute=minute_of(contact.started_at),
        channel=contact.channel,
        intent=contact.intent,
        department=contact.department,
        bucket_source=contact.source,
        contact_source=contact.source,
        contact_id=contact.contact_id,
    )


def journey_id(first: Contact) -> str:
    """Stable while the journey keeps its first contact (and across identity merges)."""
    digest = hashlib.sha256(f"{first.source}\x1f{first.contact_id}".encode()).hexdigest()
    return f"jny_{digest[:20]}"


@dataclass(slots=True)
class _Chain:
    last_start: datetime
    members: list[int] = field(default_factory=list)
    intent: str | None = None


def link(
    contacts: Sequence[Contact], loose: Iterable[EventFacts], definitions: Definitions
) -> tuple[list[Contact], list[Journey]]:
    """Decide the cross-contact facts of `contacts` (sorted by start) and build the journeys."""
    result = [_with_repeats(contacts, i, definitions) for i in range(len(contacts))]
    chains = _chains(result, definitions)
    journeys = []
    for chain in chains:
        members = [result[i] for i in chain.members]
        linked = _handoffs(members)
        for index, contact in zip(chain.members, linked, strict=True):
            result[index] = contact
        journeys.append(_journey(linked, chain.intent))
    return result, _resolve(journeys, result, list(loose), definitions)


def _with_repeats(contacts: Sequence[Contact], i: int, definitions: Definitions) -> Contact:
    me = contacts[i]
    window = definitions.repeat_window
    repeat = any(
        definitions.compatible(other.intent, me.intent)
        for other in _neighbours(contacts, i, -1, window)
    )
    followed = any(
        definitions.compatible(other.intent, me.intent)
        for other in _neighbours(contacts, i, 1, window)
    )
    return me._replace(repeat=repeat, followed_by_repeat=followed)


def _neighbours(
    contacts: Sequence[Contact], i: int, step: int, window: timedelta
) -> Iterator[Contact]:
    """Contacts before (step -1) or after (step 1) contact i, within the window of its start."""
    j = i + step
    while 0 <= j < len(contacts) and abs(contacts[j].started_at - contacts[i].started_at) <= window:
        yield contacts[j]
        j += step


def _chains(contacts: Sequence[Contact], definitions: Definitions) -> list[_Chain]:
    """Each contact joins the compatible journey with the most recent contact within the window."""
    chains: list[_Chain] = []
    active: list[_Chain] = []  # chains a later contact can still join (contacts come in order)
    for index, contact in enumerate(contacts):
        active = [
            c for c in active if contact.started_at - c.last_start <= definitions.repeat_window
        ]
        best: _Chain | None = None
        for chain in active:
            if not definitions.compatible(chain.intent, contact.intent):
                continue
            if best is None or _better(chain, best, contact.intent):
                best = chain
        if best is None:
            best = _Chain(last_start=contact.started_at)
            chains.append(best)
            active.append(best)
        best.members.append(index)
        best.last_start = contact.started_at
        best.intent = best.intent or contact.intent
    return chains


def _better(candidate: _Chain, best: _Chain, intent: str | None) -> bool:
    if candidate.last_start != best.last_start:
        return candidate.last_start > best.last_start
    return candidate.intent == intent and best.intent != intent


def _handoffs(members: Sequence[Contact]) -> list[Contact]:
    """Journey ids, channel switches (carried or blind) and repeated verifications."""
    ident = journey_id(members[0])
    first_verifier = _first_verifier(members)
    seen_ids: set[str] = set()
    linked = []
    previous: Contact | None = None
    for index, contact in enumerate(members):
        switched = previous is not None and previous.channel != contact.channel
        carried = contact.previous_contact_ref in seen_ids
        repeated = len(contact.verified_at) - (1 if index == first_verifier else 0)
        linked.append(
            contact._replace(
                journey_id=ident,
                switched_from=previous.channel if switched and previous else None,
                blind_handoff=switched and not carried,
                repeated_verifications=repeated,
            )
        )
        seen_ids.add(contact.contact_id)
        previous = contact
    return linked


def _first_verifier(members: Sequence[Contact]) -> int | None:
    """Index of the contact holding the journey's first verification (the one not repeated)."""
    times = [(min(c.verified_at), i) for i, c in enumerate(members) if c.verified_at]
    return min(times)[1] if times else None


def _journey(members: Sequence[Contact], intent: str | None) -> Journey:
    first = members[0]
    verified = sorted(t for c in members for t in c.verified_at)
    channels: list[str] = []
    for contact in members:
        if contact.channel not in channels:
            channels.append(contact.channel)
    return Journey(
        id=first.journey_id,
        started_at=first.started_at,
        last_contact_at=members[-1].started_at,
        intent=intent,
        channel=first.channel,
        department=first.department,
        source=first.source,
        contacts=len(members),
        channels=tuple(channels),
        transfers=sum(c.transfers for c in members),
        escalations=sum(c.escalations for c in members),
        channel_switches=sum(c.switched_from is not None for c in members),
        blind_handoffs=sum(c.blind_handoff for c in members),
        verifications=len(verified),
        first_verified_at=verified[0] if verified else None,
        last_verified_at=verified[-1] if verified else None,
    )


def _resolve(
    journeys: list[Journey],
    contacts: Sequence[Contact],
    loose: Sequence[EventFacts],
    definitions: Definitions,
) -> list[Journey]:
    """Resolved at the earliest resolving event not followed by another contact of the journey.

    Resolving events: the latest contact's `resolved` outcome, or a `case.resolved` naming one of
    the journey's contacts (else the latest compatible journey started by then).
    """
    last_contact = {c.journey_id: c for c in contacts}
    by_contact_id = {c.contact_id: c.journey_id for c in contacts}
    candidates: dict[str, list[datetime]] = {j.id: [] for j in journeys}
    for journey in journeys:
        last = last_contact[journey.id]
        if last.outcome == "resolved" and last.outcome_at is not None:
            candidates[journey.id].append(last.outcome_at)
    for event in loose:
        if event.kind != CASE_RESOLVED:
            continue
        target = by_contact_id.get(event.contact_id or "") or _journey_at(
            journeys, event, definitions
        )
        if target is not None:
            candidates[target].append(event.occurred_at)
    resolved = []
    for journey in journeys:
        valid = [t for t in candidates[journey.id] if t >= journey.last_contact_at]
        resolved.append(journey._replace(resolved_at=min(valid)) if valid else journey)
    return resolved


def _journey_at(
    journeys: Sequence[Journey], event: EventFacts, definitions: Definitions
) -> str | None:
    found = None
    for journey in sorted(journeys, key=lambda j: (j.started_at, j.id)):
        if journey.started_at <= event.occurred_at and definitions.compatible(
            journey.intent, event.intent
        ):
            found = journey.id
    return found
