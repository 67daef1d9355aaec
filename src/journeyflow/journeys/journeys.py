"""Contacts -> repeats, journeys, channel switches, repeated verifications and resolution.

DESIGN §4: a contact is a repeat when another contact of the customer started within the
repeat window before it (inclusive) with a compatible intent; a journey chains compatible
contacts, each within the window of the previous one. Everything is decided from the sorted
contacts alone, so a late, earlier contact re-splits or re-joins journeys on the next recompute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Journey

CASE_RESOLVED = "case.resolved"


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
    return replace(me, repeat=repeat, followed_by_repeat=followed)


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
            replace(
                contact,
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
        resolved.append(replace(journey, resolved_at=min(valid)) if valid else journey)
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
