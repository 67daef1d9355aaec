"""Post events, process them, and read scorecards and Prometheus totals back over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from journeyflow.bootstrap import Service
from support.processing import drain

ALL_TIME = {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}


async def post_and_process(
    client: httpx.AsyncClient, service: Service, events: Sequence[dict[str, Any]]
) -> None:
    response = await client.post("/v1/events", json={"events": list(events)})
    assert response.status_code == 202, response.text
    assert not response.json()["rejected"], response.json()
    await drain(service)


async def scorecard(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/scorecard", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def total_row(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    """The single `by=none` row over `params` (all time by default)."""
    (row,) = (await scorecard(client, **(params or ALL_TIME)))["rows"]
    return dict(row)


async def prometheus(client: httpx.AsyncClient) -> tuple[Counter[str], Counter[str]]:
    """(sample name -> sum over label sets, corrected metric -> corrections)."""
    text = (await client.get("/metrics")).text
    totals: Counter[str] = Counter()
    corrections: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] += sample.value
            if sample.name == "journeyflow_metric_corrections_total":
                corrections[sample.labels["metric"]] += sample.value
    return totals, corrections


async def net_total(client: httpx.AsyncClient, counter: str) -> float:
    """A counter's total minus the decrements it could not make."""
    totals, corrections = await prometheus(client)
    return totals[f"{counter}_total"] - corrections[counter]
