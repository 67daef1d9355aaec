"""Health, readiness, processing status and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from journeyflow.api.auth import Principal, principal, require
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.kafka.runtime import KafkaRuntime
from journeyflow.log.postgres import head
from journeyflow.process.locks import EMBEDDED_CONSUMER
from journeyflow.store import migrate

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and schema current")
async def readyz(request: Request) -> Response:
    service: Service = request.app.state.service
    expected = request.app.state.schema_head
    try:
        async with service.pool.acquire(timeout=2) as connection:
            current = await migrate.current_revision(connection)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        return json_response({"status": "unavailable", "database": str(error)}, 503)
    if (failed := service.processing_error) is not None:
        return json_response({"status": "unavailable", "processing": repr(failed)}, 503)
    if current != expected:
        body = {"status": "unavailable", "schema": current, "expected_schema": expected}
        return json_response(body, 503)
    return json_response({"status": "ready", "schema": current})


@router.get("/v1/status", summary="Log head, processed position and lag")
async def processing_status(request: Request, caller: Principal = Depends(principal)) -> Response:
    require(caller, "read")
    service: Service = request.app.state.service
    if service.kafka is not None:
        return json_response(await _kafka_status(service, service.kafka))
    async with service.pool.acquire() as connection:
        log_head = await head(connection)
        processed = await connection.fetchval(
            "SELECT position FROM processor_positions WHERE consumer = $1", EMBEDDED_CONSUMER
        )
    processed = processed or 0
    return json_response(
        {
            "log": "postgres",
            "log_head": log_head,
            "processed": processed,
            "lag_events": log_head - processed,
        }
    )


async def _kafka_status(service: Service, kafka: KafkaRuntime) -> dict[str, Any]:
    """Applied positions from Postgres; lag as this process's consumer last saw it."""
    group = service.settings.kafka.group_id
    rows = await service.pool.fetch(
        "SELECT topic, partition, next_offset FROM kafka_positions WHERE consumer_group = $1"
        " ORDER BY topic, partition",
        group,
    )
    lag = kafka.processor.lag
    return {
        "log": "kafka",
        "group": group,
        "partitions": [
            {
                "topic": r["topic"],
                "partition": r["partition"],
                "next_offset": r["next_offset"],
                "lag_events": lag.get(r["partition"]),
            }
            for r in rows
        ],
        "lag_events": sum(lag.values()) if lag else None,
    }


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    service: Service = request.app.state.service
    return Response(service.metrics.render(), media_type=CONTENT_TYPE_LATEST)
