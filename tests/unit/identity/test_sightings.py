"""When the profiles and identifiers a batch touches were first and last seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from journeyflow.identity.keys import CONTACT, IdKey
from journeyflow.identity.sightings import EventRef, identifier_rows, profile_rows
from journeyflow.identity.stitch import PROVISIONAL_BASE, KnownProfiles, StitchPlan

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
EMAIL = IdKey("email", "ana@example.com")
PHONE = IdKey("phone", "+14155550100")
CHAT = IdKey(CONTACT, "chat/conv-1")
NEW = PROVISIONAL_BASE + 1


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def events(*minutes: int) -> dict[int, EventRef]:
    """Events by seq (1, 2, ...), occurring at these minutes."""
    return {seq: EventRef("chat", f"e{seq}", at(m)) for seq, m in enumerate(minutes, 1)}


def test_a_profile_spans_its_events_earliest_to_latest_whatever_their_order() -> None:
    plan = StitchPlan(assignments={1: 7, 2: 7, 3: 7, 4: NEW})
    real = {7: 7, NEW: 9}

    rows = profile_rows(plan, events(5, -3, 2, 1), real)

    assert rows == [(7, at(-3), at(5)), (9, at(1), at(1))]


def test_profiles_come_in_id_order_by_their_stored_ids() -> None:
    plan = StitchPlan(assignments={1: NEW, 2: 3})

    rows = profile_rows(plan, events(0, 0), {NEW: 2, 3: 3})

    assert [row[0] for row in rows] == [2, 3]


def test_a_new_identifier_is_written_with_its_owners_stored_id_and_its_sightings() -> None:
    plan = StitchPlan(new_keys={EMAIL: NEW}, seen_keys={EMAIL: [1, 2, 3]})

    rows = identifier_rows(plan, events(4, -1, 2), {NEW: 12}, KnownProfiles())

    assert rows == [("email", "ana@example.com", 12, at(-1), at(4))]


def test_a_known_identifier_seen_inside_its_stored_window_is_left_alone() -> None:
    known = KnownProfiles(owner={PHONE: 5}, seen={PHONE: (at(0), at(10))})
    plan = StitchPlan(seen_keys={PHONE: [1, 2]})

    assert identifier_rows(plan, events(0, 10), {}, known) == []


def test_a_known_identifier_seen_outside_its_window_is_widened_keeping_its_owner() -> None:
    known = KnownProfiles(owner={PHONE: 5}, seen={PHONE: (at(0), at(10))})
    plan = StitchPlan(seen_keys={PHONE: [1, 2]})

    rows = identifier_rows(plan, events(3, 11), {}, known)

    assert rows == [("phone", "+14155550100", 0, at(3), at(11))]  # owner 0: the upsert keeps it


def test_a_contact_key_is_written_once_and_then_left_alone() -> None:
    first = StitchPlan(new_keys={CHAT: 5}, seen_keys={CHAT: [1]})
    later = StitchPlan(seen_keys={CHAT: [1]})
    known = KnownProfiles(owner={CHAT: 5}, seen={CHAT: (at(0), at(0))})

    assert identifier_rows(first, events(0), {}, KnownProfiles()) == [
        (CONTACT, "chat/conv-1", 5, at(0), at(0))
    ]
    assert identifier_rows(later, events(30), {}, known) == []
