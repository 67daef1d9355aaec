"""Journeys as the API shows them: one journey with its contacts and handoffs, or a customer's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from journeyflow.query.customer_ids import format_id
from journeyflow.store.database import Connection

JOURNEY_COLUMNS = """customer_id, id, started_at, last_contact_at, intent, channel, department,
    source, contacts, channels, transfers, escalations, channel_switches, blind_handoffs,
    verifications, first_verified_at, last_verified_at, resolved_at"""


async def journey(
    connection: Connection, journey_id: str, now: datetime, window: timedelta
) -> dict[str, Any] | None:
    row = await connection.fetchrow(
        f"SELECT {JOURNEY_COLUMNS} FROM journeys WHERE id = $1 ORDER BY started_at LIMIT 1",
        journey_id,
    )
    if row is None:
        return None
    contacts = await connection.fetch(
        """
        SELECT source, contact_id, channel, started_at, ended_at, intent, department, assisted,
               self_service, transfers, escalations, outcome, repeat, handle_ms, switched_from,
               blind_handoff, previous_contact_ref, cardinality(verified_at) AS verifications
        FROM contacts WHERE customer_id = $1 AND journey_id = $2 ORDER BY started_at, source
        """,
        row["customer_id"],
        journey_id,
    )
    body = summary(row, now, window)
    body["contacts_detail"] = [_contact(c) for c in contacts]
    body["handoffs"] = [
        {
            "at": c["started_at"].isoformat(),
            "from_channel": c["switched_from"],
            "to_channel": c["channel"],
            "context": "lost" if c["blind_handoff"] else "carried",
            "contact_id": c["contact_id"],
        }
        for c in contacts
        if c["switched_from"] is not None
    ]
    return body


async def of_customer(
    connection: Connection, customer: int, now: datetime, window: timedelta, limit: int
) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        f"SELECT {JOURNEY_COLUMNS} FROM journeys WHERE customer_id = $1 "
        "ORDER BY started_at DESC LIMIT $2",
        customer,
        limit,
    )
    return [summary(r, now, window) for r in rows]


def summary(row: asyncpg.Record, now: datetime, window: timedelta) -> dict[str, Any]:
    """A journey row as JSON; `open` while another contact could still join it."""
    repeated = max(0, row["verifications"] - 1)
    effort = row["contacts"] + row["transfers"] + row["channel_switches"] + repeated
    return {
        "id": row["id"],
        "customer_id": format_id(row["customer_id"]),
        "intent": row["intent"],
        "started_at": row["started_at"].isoformat(),
        "last_contact_at": row["last_contact_at"].isoformat(),
        "open": row["last_contact_at"] + window >= now,
        "resolved": row["resolved_at"] is not None,
        "resolved_at": _iso(row["resolved_at"]),
        "first_channel": row["channel"],
        "channels": list(row["channels"]),
        "contacts": row["contacts"],
        "transfers": row["transfers"],
        "escalations": row["escalations"],
        "channel_switches": row["channel_switches"],
        "blind_handoffs": row["blind_handoffs"],
        "verifications": row["verifications"],
        "repeated_verifications": repeated,
        "first_verified_at": _iso(row["first_verified_at"]),
        "last_verified_at": _iso(row["last_verified_at"]),
        "effort": effort,
    }


def _contact(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "source": row["source"],
        "contact_id": row["contact_id"],
        "channel": row["channel"],
        "started_at": row["started_at"].isoformat(),
        "ended_at": _iso(row["ended_at"]),
        "intent": row["intent"],
        "department": row["department"],
        "assisted": row["assisted"],
        "self_service": row["self_service"],
        "transfers": row["transfers"],
        "escalations": row["escalations"],
        "verifications": row["verifications"],
        "outcome": row["outcome"],
        "repeat": row["repeat"],
        "previous_contact_ref": row["previous_contact_ref"],
        "handle_seconds": None if row["handle_ms"] is None else row["handle_ms"] / 1000,
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
