"""Customer profiles: resolve ids (merged ids redirect), look up by identifier, describe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeyflow.identity.keys import CONTACT, IdKey
from journeyflow.query.customer_ids import format_id
from journeyflow.store.database import Connection


@dataclass(frozen=True, slots=True)
class Resolved:
    """The live profile behind a requested id."""

    customer: int
    requested: int

    @property
    def redirected(self) -> bool:
        return self.customer != self.requested


async def resolve(connection: Connection, customer: int) -> Resolved | None:
    row = await connection.fetchrow("SELECT id, merged_into FROM customers WHERE id = $1", customer)
    if row is None:
        return None
    return Resolved(row["merged_into"] or row["id"], customer)


async def find_by_identifier(connection: Connection, key: IdKey) -> int | None:
    value: int | None = await connection.fetchval(
        "SELECT customer_id FROM identifiers WHERE type = $1 AND value = $2", key.type, key.value
    )
    return value


async def profile(connection: Connection, resolved: Resolved) -> dict[str, Any]:
    customer = resolved.customer
    row = await connection.fetchrow(
        "SELECT first_seen, last_seen, created_at FROM customers WHERE id = $1", customer
    )
    assert row is not None
    identifiers = await connection.fetch(
        """
        SELECT type, value, first_seen, last_seen FROM identifiers
        WHERE customer_id = $1 AND type <> $2 ORDER BY type, first_seen, value
        """,
        customer,
        CONTACT,
    )
    contacts = await connection.fetchval(
        "SELECT count(*) FROM identifiers WHERE customer_id = $1 AND type = $2", customer, CONTACT
    )
    merged = await connection.fetch(
        "SELECT id FROM customers WHERE merged_into = $1 ORDER BY id", customer
    )
    merges = await connection.fetch(
        """
        SELECT m.from_customer, m.into_customer, m.rule, m.source, m.event_id, m.merged_at
        FROM identity_merges m
        WHERE m.into_customer = $1
           OR m.into_customer IN (SELECT id FROM customers WHERE merged_into = $1)
        ORDER BY m.id
        """,
        customer,
    )
    events = await connection.fetchval(
        "SELECT count(*) FROM timeline WHERE customer_id = $1", customer
    )
    body: dict[str, Any] = {
        "id": format_id(customer),
        "first_seen": row["first_seen"].isoformat(),
        "last_seen": row["last_seen"].isoformat(),
        "created_at": row["created_at"].isoformat(),
        "events": events,
        "contacts": contacts,
        "identifiers": [
            {
                "type": r["type"],
                "value": r["value"],
                "first_seen": r["first_seen"].isoformat(),
                "last_seen": r["last_seen"].isoformat(),
            }
            for r in identifiers
        ],
        "merged_ids": [format_id(r["id"]) for r in merged],
        "merges": [
            {
                "from": format_id(r["from_customer"]),
                "into": format_id(r["into_customer"]),
                "rule": r["rule"],
                "event": {"source": r["source"], "event_id": r["event_id"]},
                "merged_at": r["merged_at"].isoformat(),
            }
            for r in merges
        ],
    }
    if resolved.redirected:
        body["requested_id"] = format_id(resolved.requested)
        body["merged_into"] = format_id(customer)
    return body
