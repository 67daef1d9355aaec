"""The agent briefing: what this caller was doing before they reached the agent.

Three index range scans (`journeys_by_customer`, `timeline_by_customer` backwards,
`journey_surveys_by_customer`), each reading a handful of rows: milliseconds whatever the
history's length.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from journeyflow.query.customer_ids import format_id
from journeyflow.query.journeys import JOURNEY_COLUMNS, summary
from journeyflow.store.database import Connection

SURVEYS = 3


async def briefing(
    connection: Connection,
    customer: int,
    now: datetime,
    window: timedelta,
    recent_actions: int,
) -> dict[str, Any]:
    latest = await connection.fetchrow(
        f"SELECT {JOURNEY_COLUMNS} FROM journeys WHERE customer_id = $1 "
        "ORDER BY started_at DESC LIMIT 1",
        customer,
    )
    journey = None
    if latest is not None and latest["last_contact_at"] + window >= now:
        journey = summary(latest, now, window)
        journey["age_seconds"] = max(0.0, (now - latest["started_at"]).total_seconds())
        journey["verified"] = latest["verifications"] > 0
    actions = await connection.fetch(
        """
        SELECT occurred_at, kind, channel, source, contact_id, payload->>'intent' AS intent,
               payload->>'outcome' AS outcome, payload->>'department' AS department
        FROM timeline WHERE customer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2
        """,
        customer,
        recent_actions,
    )
    surveys = await connection.fetch(
        """
        SELECT occurred_at, channel, contact_id, csat, nps, ces FROM journey_surveys
        WHERE customer_id = $1 ORDER BY occurred_at DESC LIMIT $2
        """,
        customer,
        SURVEYS,
    )
    return {
        "customer_id": format_id(customer),
        "open_journey": journey,
        "recent_actions": [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in dict(r).items()}
            for r in actions
        ],
        "recent_surveys": [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in dict(r).items()}
            for r in surveys
        ],
    }
