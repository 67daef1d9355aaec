"""Customer profiles and timelines: `GET /v1/customers…`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from journeyflow.api.auth import Principal, principal, require
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.events import Channel
from journeyflow.identity.keys import IdKey
from journeyflow.query import customers, timeline
from journeyflow.query.customer_ids import format_id, parse_id

router = APIRouter(prefix="/v1/customers", tags=["customers"])


def reader(caller: Principal = Depends(principal)) -> Principal:
    require(caller, "read")
    return caller


@router.get("", summary="Find a customer by any identifier, e.g. ?phone=… or ?email=…")
async def lookup(request: Request, _: Principal = Depends(reader)) -> Response:
    service: Service = request.app.state.service
    params = dict(request.query_params)
    if len(params) != 1:
        types = ", ".join(sorted(service.rules.types))
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"give exactly one identifier, one of: {types}"
        )
    ((type_, raw),) = params.items()
    if type_ not in service.rules.types:
        types = ", ".join(sorted(service.rules.types))
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"unknown identifier type {type_!r}; one of: {types}"
        )
    value = service.rules.normalize(type_, raw)
    if value is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"{raw!r} is not a usable {type_} (junk or malformed)"
        )
    async with service.pool.acquire() as connection:
        found = await customers.find_by_identifier(connection, IdKey(type_, value))
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer has {type_} {value}")
        resolved = customers.Resolved(found, found)
        return json_response(await customers.profile(connection, resolved))


@router.get("/{customer_id}", summary="A customer's profile, identifiers and merge history")
async def get_customer(
    customer_id: str, request: Request, _: Principal = Depends(reader)
) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await _resolve(connection, customer_id)
        return json_response(await customers.profile(connection, resolved))


@router.get("/{customer_id}/timeline", summary="A customer's events by event time")
async def get_timeline(
    customer_id: str,
    request: Request,
    _: Principal = Depends(reader),
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
    channel: Channel | None = None,
) -> Response:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, f"{name} must carry a UTC offset (RFC 3339)"
            )
    service: Service = request.app.state.service
    filters = timeline.TimelineFilter(since, until, kind, channel.value if channel else None)
    async with service.pool.acquire() as connection:
        resolved = await _resolve(connection, customer_id)
        try:
            events, next_cursor = await timeline.page(
                connection, resolved.customer, filters, limit, cursor
            )
        except timeline.InvalidCursor as error:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error
    body: dict[str, Any] = {
        "customer_id": format_id(resolved.customer),
        "events": events,
        "next_cursor": next_cursor,
    }
    return json_response(body)


async def _resolve(connection: Any, customer_id: str) -> customers.Resolved:
    parsed = parse_id(customer_id)
    if parsed is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{customer_id!r} is not a customer id (cus_<number>)"
        )
    resolved = await customers.resolve(connection, parsed)
    if resolved is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id}")
    return resolved
