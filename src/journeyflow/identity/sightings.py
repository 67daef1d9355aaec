"""When the profiles and identifiers a stitch plan touches were first and last seen (pure).

The identity tables keep each profile's and each identifier's first and last sighting, and a
batch widens them by its own events' times. Working that out visits every event and every key
of the batch inside its transaction, so it is compiled with the rest of the hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from journeyflow.identity.keys import CONTACT, IdKey
from journeyflow.identity.stitch import KnownProfiles, StitchPlan


class EventRef(NamedTuple):
    """What the identity tables record about the event behind a change."""

    source: str
    event_id: str
    occurred_at: datetime


ProfileRow = tuple[int, datetime, datetime]
"""`(id, first_seen, last_seen)`, as `customer_delta` takes it."""

IdentifierRow = tuple[str, str, int, datetime, datetime]
"""`(type, value, customer_id, first_seen, last_seen)`, as `identifier_delta` takes it."""


def profile_rows(
    plan: StitchPlan, events: Mapping[int, EventRef], real: Mapping[int, int]
) -> list[ProfileRow]:
    """Each profile the batch assigned events to (by real id, in id order), with the first and
    last time among those events."""
    seen: dict[int, tuple[datetime, datetime]] = {}
    for seq, profile in plan.assignments.items():
        at = events[seq].occurred_at
        customer = real[profile]
        window = seen.get(customer)
        if window is None:
            seen[customer] = (at, at)
        elif at < window[0]:
            seen[customer] = (at, window[1])
        elif at > window[1]:
            seen[customer] = (window[0], at)
    return [(customer, *seen[customer]) for customer in sorted(seen)]


def identifier_rows(
    plan: StitchPlan,
    events: Mapping[int, EventRef],
    real: Mapping[int, int],
    known: KnownProfiles,
) -> list[IdentifierRow]:
    """The identifiers to upsert: every new one (owner 0 for known ones: the upsert keeps the
    stored owner), and every known one the batch saw outside its stored window. Contact keys are
    internal (never shown): once stored, they are left alone."""
    rows: list[IdentifierRow] = []
    new_keys = plan.new_keys
    stored_seen = known.seen
    for key, seqs in plan.seen_keys.items():
        owner = new_keys.get(key)
        if owner is None and key.type == CONTACT:
            continue
        first = last = events[seqs[0]].occurred_at
        for seq in seqs:
            at = events[seq].occurred_at
            if at < first:
                first = at
            elif at > last:
                last = at
        if owner is None:
            stored = stored_seen.get(key)
            if stored is not None and stored[0] <= first and last <= stored[1]:
                continue
            rows.append(_row(key, 0, first, last))
        else:
            rows.append(_row(key, real.get(owner, owner), first, last))
    return rows


def _row(key: IdKey, owner: int, first: datetime, last: datetime) -> IdentifierRow:
    return (key.type, key.value, owner, first, last)
