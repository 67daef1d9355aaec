"""`POST /v1/events`: one unified event or `{"events": [...]}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from journeyflow.api.auth import Principal, principal
from journeyflow.api.body import read_json
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service

router = APIRouter(prefix="/v1", tags=["ingest"])

EXAMPLE = {
    "event_id": "ivr-1001-start",
    "source": "ivr",
    "occurred_at": "2026-11-24T09:30:00+01:00",
    "kind": "contact.started",
    "channel": "ivr",
    "contact_id": "call-1001",
    "identifiers": {"phone": "+1 (415) 555-0100", "account_id": "AC-778"},
    "intent": "billing_dispute",
}


@router.post(
    "/events",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ingest unified events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/InteractionEvent"},
                            {
                                "type": "object",
                                "properties": {
                                    "events": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/InteractionEvent"},
                                    }
                                },
                                "required": ["events"],
                            },
                        ]
                    },
                    "example": EXAMPLE,
                }
            },
        }
    },
    responses={
        202: {"description": "Valid events are durable in the log; per-item report"},
        400: {"description": "Malformed JSON or not UTF-8"},
        413: {"description": "Body over the size limit or too many events"},
        422: {"description": "No item was valid; per-item report"},
    },
)
async def post_events(request: Request, caller: Principal = Depends(principal)) -> Response:
    if not caller.ingests_anything:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this API key has no ingest:<source> scope")
    service: Service = request.app.state.service
    settings = service.settings
    body = await read_json(request, settings.max_body_bytes)
    items = _items(body, settings.max_events_per_request)
    report = await service.ingest.ingest(items, caller.may_ingest)
    code = status.HTTP_202_ACCEPTED
    if report.accepted == 0 and report.duplicates == 0:
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
    service.metrics.ingest_requests.labels(status=str(code)).inc()
    return json_response(report.as_json(), status_code=code)


def _items(body: Any, max_events: int) -> list[Any]:
    if isinstance(body, dict) and "events" in body:
        if set(body) != {"events"}:
            extra = ", ".join(sorted(set(body) - {"events"}))
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"unexpected top-level keys: {extra}")
        items = body["events"]
        if not isinstance(items, list):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "'events' must be an array")
    elif isinstance(body, dict):
        items = [body]
    else:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, 'body must be one event object or {"events": [...]}'
        )
    if not items:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "'events' is empty")
    if len(items) > max_events:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{len(items)} events in one request; at most {max_events}",
        )
    return items
