"""What the metrics engine derives for one customer: contacts, journeys, attributed surveys.

These values are also what the repository stores, so the contributions of the stored state can
be recomputed exactly and subtracted when the customer's history changes. They are named tuples:
immutable values whose construction, equality and hashing run at C speed, because a processor
builds, compares and stores hundreds of thousands of them a minute.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class Contact(NamedTuple):
    source: str
    contact_id: str
    started_at: datetime
    channel: str
    intent: str | None = None
    department: str | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    assisted: bool = False
    self_service: bool = False
    transfers: int = 0
    escalations: int = 0
    handle_ms: int | None = None
    previous_contact_ref: str | None = None
    verified_at: tuple[datetime, ...] = ()
    # Decided across contacts (journeys.py):
    journey_id: str = ""
    repeat: bool = False
    followed_by_repeat: bool = False
    repeated_verifications: int = 0
    switched_from: str | None = None
    blind_handoff: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.contact_id)

    @property
    def order(self) -> tuple[datetime, str, str]:
        return (self.started_at, self.source, self.contact_id)

    @property
    def contained(self) -> bool:
        return self.self_service and not self.assisted


class Journey(NamedTuple):
    id: str
    started_at: datetime
    last_contact_at: datetime
    intent: str | None
    channel: str
    department: str | None
    source: str
    contacts: int
    channels: tuple[str, ...]
    transfers: int = 0
    escalations: int = 0
    channel_switches: int = 0
    blind_handoffs: int = 0
    verifications: int = 0
    first_verified_at: datetime | None = None
    last_verified_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def repeated_verifications(self) -> int:
        return max(0, self.verifications - 1)

    @property
    def effort(self) -> int:
        """Contacts + transfers + channel switches + repeated verifications (DESIGN §4)."""
        return self.contacts + self.transfers + self.channel_switches + self.repeated_verifications


class Survey(NamedTuple):
    """A survey response and the bucket it is attributed to."""

    source: str
    event_id: str
    occurred_at: datetime
    minute: datetime
    channel: str
    intent: str | None
    department: str | None
    bucket_source: str
    contact_source: str | None = None
    contact_id: str | None = None
    csat: int | None = None
    nps: int | None = None
    ces: int | None = None


class Derived(NamedTuple):
    contacts: tuple[Contact, ...] = ()
    journeys: tuple[Journey, ...] = ()
    surveys: tuple[Survey, ...] = ()


def derived_of(
    contacts: tuple[Contact, ...], journeys: tuple[Journey, ...], surveys: tuple[Survey, ...]
) -> Derived:
    """`Derived(contacts, journeys, surveys)` without the named tuple's constructor, a Python
    function (a frame for each of the several made for every customer re-derived)."""
    return tuple.__new__(Derived, (contacts, journeys, surveys))
