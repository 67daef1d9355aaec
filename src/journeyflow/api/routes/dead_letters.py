"""`GET /v1/dead-letters`: what could not be decoded or validated, and why (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from journeyflow.api.auth import Principal, principal, require
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.query import dead_letters

router = APIRouter(prefix="/v1", tags=["operations"])


@router.get("/dead-letters", summary="Dead letters, oldest first; `next_after` pages on")
async def list_dead_letters(
    request: Request,
    caller: Principal = Depends(principal),
    after: Annotated[int, Query(ge=0, description="id of the last letter already seen")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    replayed: Annotated[bool | None, Query(description="only (not) replayed ones")] = None,
) -> Response:
    require(caller, "admin")
    service: Service = request.app.state.service
    async with service.pool.acquire() as connection:
        letters, next_after = await dead_letters.page(connection, after, limit, replayed)
    return json_response({"dead_letters": letters, "next_after": next_after})
