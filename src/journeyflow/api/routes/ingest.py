"""`POST /v1/ingest/{format}`: native payloads as their systems send them.

Same contract as `/v1/events` (202 with a per-payload report, 422 when nothing was valid, 413, 400),
plus: 404 for an unknown format (listing the known ones), 401 for a forged signature and 400 for a
stale one on formats that sign their deliveries. The signature is checked over the raw bytes
before anything is parsed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi import Path as PathParam

from journeyflow.api.auth import Principal, authenticated_caller, optional_principal
from journeyflow.api.body import parse_json, read_body
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.normalize import registry
from journeyflow.normalize.format import (
    ForgedSignature,
    NativeFormat,
    NormalizeError,
    StaleSignature,
)
from journeyflow.schema import format_schema, inline_refs

router = APIRouter(prefix="/v1", tags=["ingest"])


def _request_body() -> dict[str, Any]:
    schemas = [format_schema(name) for name in registry.names()]
    return {
        "required": True,
        "description": "One native payload, a JSON array of them, or the format's own batch "
        "envelope. Schemas: one per format (`schemas/formats/<format>.v1.json`).",
        "content": {
            "application/json": {
                "schema": {"oneOf": [inline_refs(s) for s in schemas if s is not None]}
            }
        },
    }


@router.post(
    "/ingest/{format}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ingest native payloads (Amazon Connect, Stripe, Salesforce CDC, …)",
    openapi_extra={"requestBody": _request_body()},
    responses={
        202: {"description": "Events of the valid payloads are durable in the log; per-payload"},
        400: {"description": "Malformed JSON, not UTF-8, a bad envelope, or a stale signature"},
        401: {"description": "Missing/unknown API key, or a forged signature"},
        403: {"description": "The API key lacks ingest:<source> for this format"},
        404: {"description": "Unknown format; the message lists the known ones"},
        413: {"description": "Body over the size limit or too many payloads"},
        422: {"description": "No payload was valid; per-payload report"},
    },
)
async def post_native(
    request: Request,
    format: str = PathParam(description="one of: " + ", ".join(registry.names())),
    presented: Principal | None = Depends(optional_principal),
) -> Response:
    try:
        fmt = registry.get(format)
    except registry.UnknownFormat as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    service: Service = request.app.state.service
    settings = service.settings
    signed = fmt.signed is not None and fmt.signed(settings.normalize)
    if presented is None and not signed:
        authenticated_caller(request)  # raises the usual 401
    raw = await read_body(request, settings.max_body_bytes)
    _verify(fmt, raw, request, service)
    # A webhook (e.g. Stripe) cannot send our API key: its verified signature stands in for one.
    caller = presented or Principal(frozenset({f"ingest:{fmt.source}"}))
    _authorize(caller, fmt)
    payloads = _payloads(fmt, parse_json(raw), settings.max_events_per_request)
    report = await service.ingest.ingest_native(
        fmt, payloads, caller.may_ingest, settings.normalize
    )
    code = (
        status.HTTP_422_UNPROCESSABLE_CONTENT if report.nothing_valid else status.HTTP_202_ACCEPTED
    )
    service.metrics.ingest_requests.labels(status=str(code)).inc()
    return json_response(report.as_json(), status_code=code)


def _authorize(caller: Principal, fmt: NativeFormat) -> None:
    if fmt.source is None:
        if not caller.ingests_anything:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "this API key has no ingest:<source> scope"
            )
    elif not caller.may_ingest(fmt.source):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"format {fmt.name!r} carries {fmt.source!r} events: this API key lacks the "
            f"'ingest:{fmt.source}' scope",
        )


def _verify(fmt: NativeFormat, raw: bytes, request: Request, service: Service) -> None:
    if fmt.verify is None:
        return
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        fmt.verify(raw, headers, service.settings.normalize, datetime.now(UTC))
    except ForgedSignature as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from None
    except StaleSignature as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    except NormalizeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None


def _payloads(fmt: NativeFormat, body: Any, max_payloads: int) -> list[Any]:
    try:
        payloads = list(fmt.split(body))
    except NormalizeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    if not payloads:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the request holds no payload")
    if len(payloads) > max_payloads:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{len(payloads)} payloads in one request; at most {max_payloads}",
        )
    return payloads
