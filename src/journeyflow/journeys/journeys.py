"""Contacts -> repeats, journeys, channel switches, repeated verifications and resolution.

DESIGN §4: a contact is a repeat when another contact of the customer started within the
repeat window before it (inclusive) with a compatible intent; a journey chains compatible
contacts, each within the window of the previous one. Everything is decided from the sorted
contacts alone, so a late, earlier contact re-splits or re-joins journeys on the next recompute.
Each contact's cross-contact fields are decided first and the final values built once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Final

from journeyflow.journeys.contacts import INTRINSIC
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.facts import EventFacts
from journeyflow.journeys.model import Contact, Journey

CASE_RESOLVED: Final = "case.resolved"


@lru_cache(maxsize=65_536)
def _journey_id(source: str, contact_id: str) -> str:
    digest = hashlib.sha256(f"{source}\x1f{contact_id}".encode()).hexdigest()
    return f"jny_{digest[:20]}"


def journey_id(first: Contact) -> str:
    """Stable while the journey keeps its first contact (and across identity merges)."""
    return _journey_id(first.source, first.contact_id)


@dataclass(slots=True)
class _Chain:
    last_start: datetime
    members: list[int] = field(default_factory=list)
    intent: str | None = None


def link(
    contacts: Sequence[Contact], loose: Iterable[EventFacts], definitions: Definitions
) -> tuple[list[Contact], list[Journey]]:
    """Decide the cross-contact facts of `contacts` (sorted by start) and build the journeys."""
    repeat, followed = _repeats(contacts, definitions)
    linked: list[Contact] = list(contacts)
    journeys: list[Journey] = []
    for chain in _chains(contacts, definitions):
        members = [contacts[i] for i in chain.members]
        ident = journey_id(members[0])
        verifier = _first_verifier(members)
        seen_ids: set[str] = set()
        previous: Contact | None = None
        switches = blind = 0
        for position, (index, contact) in enumerate(zip(chain.members, members, strict=True)):
            switched = previous is not None and previous.channel != contact.channel
            is_blind = switched and contact.previous_contact_ref not in seen_ids
            switches += switched
            blind += is_blind
            linked[index] = tuple.__new__(
                Contact,
                (
                    *contact[:INTRINSIC],
                    ident,
                    repeat[index],
                    followed[index],
                    len(contact.verified_at) - (position == verifier),
                    previous.channel if switched and previous is not None else None,
                    is_blind,
                ),
            )
            seen_ids.add(contact.contact_id)
            previous = contact
        journeys.append(_journey(members, ident, chain.intent, switches, blind))
    return linked, _resolve(journeys, linked, list(loose), definitions)


def _repeats(
    contacts: Sequence[Contact], definitions: Definitions
) -> tuple[list[bool], list[bool]]:
    """For each contact: a compatible contact started within the window before it (a repeat),
    and one within the window after it (followed by a repeat)."""
    window = definitions.repeat_window
    compatible = definitions.compatible
    count = len(contacts)
    repeat = [False] * count
    followed = [False] * count
    for i in range(count):
        me = contacts[i]
        j = i + 1
        while j < count and contacts[j].started_at - me.started_at <= window:
            if compatible(me.intent, contacts[j].intent):
                followed[i] = True
                repeat[j] = True
            j += 1
    return repeat, followed


def _chains(contacts: Sequence[Contact], definitions: Definitions) -> list[_Chain]:
    """Each contact joins the compatible journey with the most recent contact within the window."""
    window = definitions.repeat_window
    compatible = definitions.compatible
    chains: list[_Chain] = []
    active: list[_Chain] = []  # chains a later contact can still join (contacts come in order)
    for index, contact in enumerate(contacts):
        active = [c for c in active if contact.started_at - c.last_start <= window]
        best: _Chain | None = None
        for chain in active:
            if not compatible(chain.intent, contact.intent):
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


def _first_verifier(members: Sequence[Contact]) -> int | None:
    """Index of the contact holding the journey's first verification (the one not repeated)."""
    times = [(min(c.verified_at), i) for i, c in enumerate(members) if c.verified_at]
    return min(times)[1] if times else None


def _journey(
    members: Sequence[Contact], ident: str, intent: str | None, switches: int, blind: int
) -> Journey:
    first = members[0]
    channels: list[str] = []
    verified: list[datetime] = []
    transfers = escalations = 0
    for contact in members:
        if contact.channel not in channels:
            channels.append(contact.channel)
        verified.extend(contact.verified_at)
        transfers += contact.transfers
        escalations += contact.escalations
    return tuple.__new__(
        Journey,
        (
            ident,
            first.started_at,
            members[-1].started_at,
            intent,
            first.channel,
            first.department,
            first.source,
            len(members),
            tuple(channels),
            transfers,
            escalations,
            switches,
            blind,
            len(verified),
            min(verified) if verified else None,
            max(verified) if verified else None,
            None,  # resolved_at: decided by `_resolve`
        ),
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
    candidates: dict[str, list[datetime]] = {}
    for journey in journeys:
        last = last_contact[journey.id]
        if last.outcome == "resolved" and last.outcome_at is not None:
            candidates[journey.id] = [last.outcome_at]
    cases = [e for e in loose if e.kind == CASE_RESOLVED]
    if cases:
        by_contact_id = {c.contact_id: c.journey_id for c in contacts}
        by_start = sorted(journeys, key=lambda j: (j.started_at, j.id))
        for event in cases:
            target = by_contact_id.get(event.contact_id or "") or _journey_at(
                by_start, event, definitions
            )
            if target is not None:
                candidates.setdefault(target, []).append(event.occurred_at)
    if not candidates:
        return journeys
    resolved = []
    for journey in journeys:
        times = candidates.get(journey.id)
        valid = [t for t in times if t >= journey.last_contact_at] if times else None
        resolved.append(_resolved(journey, min(valid)) if valid else journey)
    return resolved


def _resolved(journey: Journey, at: datetime) -> Journey:
    """`journey._replace(resolved_at=at)`, its last field, without a named tuple's Python."""
    return tuple.__new__(Journey, (*journey[:-1], at))


def _journey_at(
    by_start: Sequence[Journey], event: EventFacts, definitions: Definitions
) -> str | None:
    found = None
    for journey in by_start:
        if journey.started_at <= event.occurred_at and definitions.compatible(
            journey.intent, event.intent
        ):
            found = journey.id
    return found
