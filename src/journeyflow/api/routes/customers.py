"""Customer profiles and timelines: `GET /v1/customers…`; erasure: `DELETE /v1/customers/{id}`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from journeyflow import erasure
from journeyflow.api import customer_lookup as lookup_customer
from journeyflow.api.auth import Principal, principal, reader, require
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.events import Channel
from journeyflow.journeys.definitions import from_settings
from journeyflow.query import customers, timeline
from journeyflow.query.customer_ids import format_id

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get("", summary="Find a customer by any identifier, e.g. ?phone=… or ?email=…")
async def lookup(request: Request, _: Principal = Depends(reader)) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await lookup_customer.by_identifier(
            connection, dict(request.query_params), service.rules
        )
        return json_response(await customers.profile(connection, resolved))


@router.get("/{customer_id}", summary="A customer's profile, identifiers and merge history")
async def get_customer(
    customer_id: str, request: Request, _: Principal = Depends(reader)
) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await lookup_customer.by_id(connection, customer_id)
        return json_response(await customers.profile(connection, resolved))


@router.delete(
    "/{customer_id}",
    summary="Erase a person: their profile, every profile merged into it, and their counts",
    responses={404: {"description": "No such customer"}},
)
async def delete_customer(
    customer_id: str, request: Request, caller: Principal = Depends(principal)
) -> Response:
    require(caller, "admin")
    service: Service = request.app.state.service
    definitions = from_settings(service.settings)
    async with service.pool.acquire() as connection:
        resolved = await lookup_customer.by_id(connection, customer_id)
        erased = await erasure.erase(connection, resolved.customer, definitions)
    service.metrics.journeys.record(erased.changes, definitions)
    body = {
        "erased": format_id(erased.customer),
        "profiles": [format_id(p) for p in erased.profiles],
        "events": erased.events,
        "identifiers": erased.identifiers,
    }
    if resolved.redirected:
        body["requested_id"] = format_id(resolved.requested)
    return json_response(body)


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
        resolved = await lookup_customer.by_id(connection, customer_id)
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
