"""Grafana dashboards are valid, provisioned, and only chart metrics the service really exports."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from deploy.scenario import blind_handoff_events
from prometheus_client.parser import text_string_to_metric_families
from support.processing import drain

from journeyflow.bootstrap import Service

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))

# Moved only by the Kafka transport, yet declared (at zero) in every mode so that dashboards and
# alerts can name them; the test asserts they are declared.
KAFKA_MODE_METRICS = frozenset(
    {
        "journeyflow_kafka_consumer_lag_records",
        "journeyflow_dlq_records_total",
        "journeyflow_kafka_rebalances_total",
        "journeyflow_kafka_records_consumed_total",
        "journeyflow_kafka_records_produced_total",
    }
)
RECORDED = re.compile(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b")  # level:metric:operations
METRIC = re.compile(r"\bjourneyflow_[a-z0-9_]+\b")


def load_dashboard(path: Path) -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(path.read_text())
    return dashboard


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    nested = [p for row in dashboard["panels"] for p in row.get("panels", [])]
    return [*dashboard["panels"], *nested]


def queries() -> list[str]:
    """Every PromQL expression of the dashboards, rules and alerts."""
    found = [
        target["expr"]
        for path in DASHBOARDS
        for panel in panels(load_dashboard(path))
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    for name in ("rules.yml", "alerts.yml"):
        for group in yaml.safe_load((PROMETHEUS / name).read_text())["groups"]:
            found += [rule["expr"] for rule in group["rules"]]
    return found


def referenced_metrics() -> set[str]:
    """Raw metric names the queries read; recording-rule outputs are excluded."""
    return {name for q in queries() for name in METRIC.findall(RECORDED.sub(" ", q))}


def provisioned_datasources() -> dict[str, str]:
    provisioning = GRAFANA / "provisioning" / "datasources" / "journeyflow.yml"
    sources = yaml.safe_load(provisioning.read_text())["datasources"]
    return {source["uid"]: source["type"] for source in sources}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_valid_grafana_json(path: Path) -> None:
    dashboard = load_dashboard(path)
    sources = provisioned_datasources()

    assert dashboard["schemaVersion"] >= 39
    assert re.fullmatch(r"[a-z0-9-]{1,40}", dashboard["uid"])
    assert dashboard["title"].startswith("journeyflow / ")
    assert "id" not in dashboard or dashboard["id"] is None  # provisioning assigns ids
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    every = panels(dashboard)
    assert len({p["id"] for p in every}) == len(every)
    for panel in every:
        position = panel["gridPos"]
        assert position["x"] >= 0, panel["title"]
        assert position["x"] + position["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["title"]
        assert sources[panel["datasource"]["uid"]] == panel["datasource"]["type"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert sources[target["datasource"]["uid"]] == target["datasource"]["type"]
            query = target.get("expr") or target.get("rawSql")
            assert query, panel["title"]
            used = set(re.findall(r"\$\{?(\w+)", query)) - {
                "__range",
                "__rate_interval",
                "__timeFilter",
            }
            assert used <= variables, f"{panel['title']}: undefined {used - variables}"


def test_panels_do_not_overlap() -> None:
    for path in DASHBOARDS:
        taken: set[tuple[int, int]] = set()
        for panel in load_dashboard(path)["panels"]:
            p = panel["gridPos"]
            cells = {
                (x, y)
                for x in range(p["x"], p["x"] + p["w"])
                for y in range(p["y"], p["y"] + p["h"])
            }
            assert not cells & taken, f"{path.name}: {panel['title']} overlaps"
            taken |= cells


def test_the_three_dashboards_with_intent_and_channel_filters_where_friction_is_shown() -> None:
    boards = {load_dashboard(p)["uid"]: load_dashboard(p) for p in DASHBOARDS}

    assert set(boards) == {
        "journeyflow-friction",
        "journeyflow-contact-centre",
        "journeyflow-pipeline",
    }
    for uid in ("journeyflow-friction", "journeyflow-contact-centre"):
        names = {v["name"] for v in boards[uid]["templating"]["list"]}
        assert {"intent", "channel"} <= names


def test_every_recording_rule_a_dashboard_reads_is_defined() -> None:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text())["groups"]
    recorded = {rule["record"] for group in rules for rule in group["rules"]}
    read = {name for q in queries() for name in RECORDED.findall(q)}

    assert read <= recorded, read - recorded


def test_the_dashboard_provider_reads_where_compose_mounts_the_dashboards() -> None:
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "journeyflow.yml").read_text()
    )
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]

    assert f"./grafana/dashboards:{provider['providers'][0]['options']['path']}:ro" in mounts
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    assert "./prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]


def exported(text: str) -> tuple[set[str], dict[str, list[Any]]]:
    """Sample names /metrics can carry (declared families, even at zero) and samples by family."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    names: set[str] = set()
    samples: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        names |= {family.name + suffix for suffix in suffixes.get(family.type, ("",))}
        samples[family.name] = family.samples
    return names, samples


async def test_every_metric_a_dashboard_or_rule_reads_is_exported(
    client: httpx.AsyncClient, service: Service
) -> None:
    posted = await client.post(
        "/v1/events",
        json={
            "events": blind_handoff_events(
                "eligibility", range(3), datetime.now(UTC) - timedelta(hours=1)
            )
        },
    )
    assert posted.status_code == 202, posted.text
    assert await drain(service) == 12

    names, samples = exported((await client.get("/metrics")).text)

    missing = referenced_metrics() - names
    assert not missing, f"dashboards or rules read metrics the service does not export: {missing}"
    assert names >= KAFKA_MODE_METRICS
    blind = {
        (s.labels["intent"], s.labels["channel"], s.value)
        for s in samples["journeyflow_blind_handoffs"]
        if s.name == "journeyflow_blind_handoffs_total"
    }
    assert blind == {("eligibility", "voice", 3.0)}
    switches = {
        (s.labels["from_channel"], s.labels["to_channel"], s.labels["context"], s.value)
        for s in samples["journeyflow_channel_switches"]
        if s.name == "journeyflow_channel_switches_total"
    }
    assert switches == {("chat", "voice", "lost", 3.0)}


def test_the_reference_check_sees_the_metrics_of_every_panel_and_rule() -> None:
    """The extraction itself: names from both sources, recording outputs left out."""
    names = referenced_metrics()

    assert {"journeyflow_contacts_total", "journeyflow_ingest_events_total"} <= names
    assert "journeyflow_processing_lag_events" in names
    assert "journeyflow_contact_handle_seconds_bucket" in names
    assert not any(":" in n or n.endswith("_ratio") for n in names)
