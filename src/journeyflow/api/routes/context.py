"""The agent briefing: `GET /v1/customers/{id}/context` and screen pop `GET /v1/context?phone=…`."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response

from journeyflow.api import customer_lookup
from journeyflow.api.auth import Principal, reader
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.query import context
from journeyflow.query.customer_ids import format_id
from journeyflow.query.customers import Resolved
from journeyflow.store.database import Connection

router = APIRouter(prefix="/v1", tags=["journeys"])


@router.get(
    "/customers/{customer_id}/context",
    summary="Agent briefing: open journey, channels tried, last actions, verification, surveys",
)
async def get_context(
    customer_id: str, request: Request, _: Principal = Depends(reader)
) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await customer_lookup.by_id(connection, customer_id)
        return json_response(await _briefing(connection, service, resolved))


@router.get("/context", summary="Screen pop: the agent briefing by one identifier, e.g. ?phone=…")
async def find_context(request: Request, _: Principal = Depends(reader)) -> Response:
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        resolved = await customer_lookup.by_identifier(
            connection, dict(request.query_params), service.rules
        )
        return json_response(await _briefing(connection, service, resolved))


async def _briefing(
    connection: Connection, service: Service, resolved: Resolved
) -> dict[str, object]:
    body = await context.briefing(
        connection,
        resolved.customer,
        datetime.now(UTC),
        service.settings.repeat_window,
        service.settings.journeys.recent_actions,
    )
    if resolved.redirected:
        body["requested_id"] = format_id(resolved.requested)
    return body
