"""`GET /v1/journeys/{id}` and `GET /v1/customers/{id}/journeys`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from journeyflow.api import customer_lookup
from journeyflow.api.auth import Principal, reader
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.query import journeys
from journeyflow.query.customer_ids import format_id

router = APIRouter(prefix="/v1", tags=["journeys"])


@router.get("/journeys/{journey_id}", summary="A journey: its contacts, channels, handoffs, effort")
async def get_journey(
    journey_id: str, request: Request, _: Principal = Depends(reader)
) -> Response:
    if not journey_id.startswith("jny_") or len(journey_id) > 64:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{journey_id!r} is not a journey id (jny_…)"
        )
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        body = await journeys.journey(
            connection, journey_id, datetime.now(UTC), service.settings.repeat_window
        )
    if body is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no journey {journey_id}")
    return json_response(body)


@router.get("/customers/{customer_id}/journeys", summary="A customer's journeys, newest first")
async def get_customer_journeys(
    customer_id: str,
    request: Request,
    _: Principal = Depends(reader),
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await customer_lookup.by_id(connection, customer_id)
        found = await journeys.of_customer(
            connection,
            resolved.customer,
            datetime.now(UTC),
            service.settings.repeat_window,
            limit,
        )
    return json_response({"customer_id": format_id(resolved.customer), "journeys": found})
