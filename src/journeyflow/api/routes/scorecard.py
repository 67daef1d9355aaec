"""`GET /v1/scorecard`: journey friction metrics over a window or an absolute range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from journeyflow.api.auth import Principal, reader
from journeyflow.api.responses import json_response
from journeyflow.bootstrap import Service
from journeyflow.query import scorecard
from journeyflow.query.scorecard import WINDOWS, GroupBy

router = APIRouter(prefix="/v1", tags=["journeys"])
MAX_RANGE = timedelta(days=400)
DEFAULT_WINDOW = "24h"


@router.get(
    "/scorecard",
    summary="Journey scorecard: ?window=15m|1h|24h|7d|30d or ?from=…&to=… (RFC 3339), ?by=…",
)
async def get_scorecard(
    request: Request,
    _: Principal = Depends(reader),
    window: Literal["15m", "1h", "24h", "7d", "30d"] | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    by: GroupBy = GroupBy.NONE,
) -> Response:
    service: Service = request.app.state.service
    now = datetime.now(UTC)
    start, end = _range(window, start, end, now)
    scope = scorecard.Scope(start, end, by, now, service.settings.repeat_window)
    async with service.pool.acquire() as connection:
        return json_response(await scorecard.scorecard(connection, scope))


def _range(
    window: str | None, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    if window is not None and (start is not None or end is not None):
        raise _bad("give either window or from/to, not both")
    if window is not None or (start is None and end is None):
        return now - WINDOWS[window or DEFAULT_WINDOW], now
    if start is None or end is None:
        raise _bad("from and to go together: give both (RFC 3339 with offset)")
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            raise _bad(f"{name} must carry a UTC offset (RFC 3339)")
    if end <= start:
        raise _bad("to must be after from")
    if end - start > MAX_RANGE:
        raise _bad(f"the range may span at most {MAX_RANGE.days} days")
    return start.astimezone(UTC), end.astimezone(UTC)


def _bad(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail)
