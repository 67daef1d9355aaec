"""The Postgres view Grafana reads: the hourly scorecard by intent and channel, as the API says."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from deploy.scenario import blind_handoff_events
from support.processing import drain

from journeyflow.bootstrap import Service

HOUR = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DASHBOARDS = sorted(
    (Path(__file__).resolve().parents[2] / "deploy/grafana/dashboards").glob("*.json")
)
COUNTS = (
    "contacts",
    "assisted_contacts",
    "self_service_contacts",
    "contained_contacts",
    "repeat_contacts",
    "transfers",
    "transferred_contacts",
    "escalations",
    "channel_switches",
    "blind_handoffs",
    "repeated_verifications",
    "journeys",
    "resolved_journeys",
)


def bot_contact(n: int, escalated: bool) -> list[dict[str, Any]]:
    """A bot conversation with no stated intent, contained or escalated to an agent."""
    at = HOUR + timedelta(minutes=30, seconds=n)
    common = {"source": "bot", "channel": "bot", "contact_id": f"bot-{n}"}
    who = {"chat_user_id": f"user-{n}"}
    events = [
        {
            "event_id": f"bot-{n}-start",
            "kind": "contact.started",
            "occurred_at": at.isoformat(),
            "identifiers": who,
            **common,
        }
    ]
    if escalated:
        events.append(
            {
                "event_id": f"bot-{n}-escalated",
                "kind": "contact.escalated",
                "occurred_at": (at + timedelta(minutes=2)).isoformat(),
                "identifiers": who,
                **common,
            }
        )
    return events


async def view_rows(service: Service) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await service.pool.fetch(
        "SELECT * FROM grafana_scorecard_hourly WHERE hour = $1 ORDER BY intent, channel", HOUR
    )
    return {(r["intent"], r["channel"]): dict(r) for r in rows}


async def scorecard(client: httpx.AsyncClient, by: str) -> dict[str | None, dict[str, Any]]:
    params = {"from": HOUR.isoformat(), "to": (HOUR + timedelta(hours=1)).isoformat(), "by": by}
    answer = await client.get("/v1/scorecard", params=params)
    assert answer.status_code == 200, answer.text
    return {row["key"]: row for row in answer.json()["rows"]}


async def test_hourly_view_states_the_friction_of_each_intent_and_channel(
    client: httpx.AsyncClient, service: Service
) -> None:
    events = blind_handoff_events("eligibility", range(4), HOUR)
    events += bot_contact(1, escalated=False) + bot_contact(2, escalated=True)
    assert (await client.post("/v1/events", json={"events": events})).status_code == 202
    await drain(service)

    rows = await view_rows(service)

    assert set(rows) == {("eligibility", "chat"), ("eligibility", "voice"), ("unknown", "bot")}
    voice = rows[("eligibility", "voice")]
    assert (voice["contacts"], voice["repeat_contacts"], voice["channel_switches"]) == (4, 4, 4)
    assert (voice["blind_handoffs"], voice["blind_handoff_rate"]) == (4, 1.0)
    assert voice["repeat_contact_rate"] == 1.0
    assert voice["aht_seconds"] == 240.0
    assert voice["containment_rate"] is None  # no self-service contact: no denominator
    chat = rows[("eligibility", "chat")]
    assert (chat["contacts"], chat["repeat_contacts"], chat["journeys"]) == (4, 0, 4)
    assert chat["repeat_contact_rate"] == 0.0
    assert chat["blind_handoff_rate"] is None
    bot = rows[("unknown", "bot")]
    assert (bot["self_service_contacts"], bot["contained_contacts"], bot["escalations"]) == (
        2,
        1,
        1,
    )
    assert (bot["containment_rate"], bot["escalation_rate"]) == (0.5, 0.5)


async def test_hourly_view_sums_to_the_scorecard_by_intent_and_by_channel(
    client: httpx.AsyncClient, service: Service
) -> None:
    events = blind_handoff_events("eligibility", range(3), HOUR)
    events += blind_handoff_events("fraud", range(10, 12), HOUR + timedelta(minutes=20))
    events += bot_contact(1, escalated=True)
    assert (await client.post("/v1/events", json={"events": events})).status_code == 202
    await drain(service)
    rows = (await view_rows(service)).items()

    for by, position in (("intent", 0), ("channel", 1)):
        expected = await scorecard(client, by)
        sums: dict[str, dict[str, int]] = {}
        for key, row in rows:
            group = sums.setdefault(key[position], dict.fromkeys(COUNTS, 0))
            for count in COUNTS:
                group[count] += row[count]
        keyed = {("unknown" if k is None else k): v for k, v in expected.items()}
        assert set(sums) == set(keyed)
        for key, group in sums.items():
            assert group == {count: keyed[key][count] for count in COUNTS}, (by, key)


def dashboard_sql() -> list[str]:
    return [
        target["rawSql"]
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
        if "rawSql" in target
    ]


def as_grafana_sends(sql: str, intent: str) -> str:
    """The dashboard's SQL with Grafana's macros expanded: the hours around HOUR, one intent."""
    start, end = HOUR - timedelta(hours=1), HOUR + timedelta(hours=1)
    sql = re.sub(r"\$__timeFilter\((\w+)\)", rf"\1 BETWEEN '{start}' AND '{end}'", sql)
    return sql.replace("${intent:regex}", intent).replace("${channel:regex}", ".*")


async def test_the_dashboard_sql_runs_on_the_view_and_filters_by_intent(
    client: httpx.AsyncClient, service: Service
) -> None:
    events = blind_handoff_events("eligibility", range(2), HOUR)
    events += blind_handoff_events("fraud", range(10, 11), HOUR)
    assert (await client.post("/v1/events", json={"events": events})).status_code == 202
    await drain(service)
    queries = dashboard_sql()
    assert queries, "the friction dashboard has a Postgres panel"

    for sql in queries:
        everything = await service.pool.fetch(as_grafana_sends(sql, ".*"))
        chosen = await service.pool.fetch(as_grafana_sends(sql, "(fraud)"))

        assert {(r["intent"], r["channel"]) for r in everything} == {
            ("eligibility", "chat"),
            ("eligibility", "voice"),
            ("fraud", "chat"),
            ("fraud", "voice"),
        }
        assert {(r["intent"], r["channel"], r["contacts"]) for r in chosen} == {
            ("fraud", "chat", 1),
            ("fraud", "voice", 1),
        }
