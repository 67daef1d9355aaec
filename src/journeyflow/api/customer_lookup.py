"""Find the customer an HTTP request means: by public id (merged ids redirect) or by identifier.

Shared by the profile, timeline, journey and agent-briefing routes, so every one of them answers
a bad id or an unusable identifier with the same clear 400/404.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException, status

from journeyflow.identity.keys import IdentifierRules, IdKey
from journeyflow.query import customers
from journeyflow.query.customer_ids import parse_id
from journeyflow.store.database import Connection


async def by_id(connection: Connection, customer_id: str) -> customers.Resolved:
    parsed = parse_id(customer_id)
    if parsed is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{customer_id!r} is not a customer id (cus_<number>)"
        )
    resolved = await customers.resolve(connection, parsed)
    if resolved is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id}")
    return resolved


def identifier_of(params: Mapping[str, str], rules: IdentifierRules) -> IdKey:
    """The one normalized identifier a query string names, e.g. `?phone=…`; else 400."""
    types = ", ".join(sorted(rules.types))
    if len(params) != 1:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"give exactly one identifier, one of: {types}"
        )
    ((type_, raw),) = params.items()
    if type_ not in rules.types:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"unknown identifier type {type_!r}; one of: {types}"
        )
    value = rules.normalize(type_, raw)
    if value is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"{raw!r} is not a usable {type_} (junk or malformed)"
        )
    return IdKey(type_, value)


async def by_identifier(
    connection: Connection, params: Mapping[str, str], rules: IdentifierRules
) -> customers.Resolved:
    key = identifier_of(params, rules)
    found = await customers.find_by_identifier(connection, key)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer has {key.type} {key.value}")
    return customers.Resolved(found, found)
