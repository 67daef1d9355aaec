"""A real Prometheus, loaded with the shipped rules and alerts, scraping a running journeyflow.

A burst of blind chat -> voice handoffs for one intent, posted over HTTP, must show up as the
matching alert (pending or firing) in Prometheus' own HTTP API, while a carried handoff for
another intent raises nothing. The shipped `for:` durations are kept: an alert whose condition
holds is `pending` at the first evaluation, which is what this test waits for.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from deploy.scenario import blind_handoff_events
from support.subprocesses import free_port, journeyflow

from journeyflow.bootstrap import ADMIN_KEY_FILE

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
WAIT = 60.0


def wait_for(what: str, check: Callable[[], Any], output: Callable[[], str]) -> Any:
    """Poll `check` until it returns something truthy, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            if result := check():
                return result
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{output()}"
        time.sleep(0.25)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Stack:
    """journeyflow serve and a Prometheus scraping it every second, each on a free port."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.logs = [home / "serve.log", home / "prometheus.log"]
        self.processes: list[subprocess.Popen[bytes]] = []
        service_port = prometheus_port = free_port()
        while prometheus_port == service_port:
            prometheus_port = free_port()
        self.service = f"http://127.0.0.1:{service_port}"
        self.prometheus = f"http://127.0.0.1:{prometheus_port}"
        env = {"JOURNEYFLOW_DATA_DIR": str(home / "data"), "JOURNEYFLOW_PORT": str(service_port)}
        self.processes.append(journeyflow("serve", env=env, cwd=home, log=self.logs[0]))
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(PROMETHEUS_DIR / "rules.yml"), str(PROMETHEUS_DIR / "alerts.yml")],
            "scrape_configs": [
                {
                    "job_name": "journeyflow",
                    "static_configs": [{"targets": [f"127.0.0.1:{service_port}"]}],
                }
            ],
        }
        (home / "prometheus.yml").write_text(yaml.safe_dump(config))
        binary = shutil.which("prometheus")
        assert binary, (
            "prometheus not found: install Debian's `prometheus` package (make test does)"
        )
        with self.logs[1].open("ab") as log:
            self.processes.append(
                subprocess.Popen(
                    [
                        binary,
                        f"--config.file={home / 'prometheus.yml'}",
                        f"--storage.tsdb.path={home / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{prometheus_port}",
                        "--log.level=warn",
                    ],
                    cwd=home,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for log in self.logs)

    def alive(self) -> None:
        for process in self.processes:
            assert process.poll() is None, self.output()

    def service_client(self) -> httpx.Client:
        key = (self.home / "data" / ADMIN_KEY_FILE).read_text().strip()
        headers = {"Authorization": f"Bearer {key}"}
        return httpx.Client(base_url=self.service, headers=headers, timeout=10)

    def query(self, expr: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": expr}, timeout=5)
        body: dict[str, Any] = answer.json()
        return body

    def ready(self) -> bool:
        self.alive()
        service = httpx.get(f"{self.service}/readyz", timeout=1).status_code == 200
        prometheus = httpx.get(f"{self.prometheus}/-/ready", timeout=1).status_code == 200
        return service and prometheus

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("prometheus-e2e"))
    try:
        wait_for("journeyflow and Prometheus to be ready", running.ready, running.output)
        yield running
    finally:
        running.close()


def post_and_process(stack: Stack, events: list[dict[str, Any]]) -> None:
    with stack.service_client() as client:
        posted = client.post("/v1/events", json={"events": events})
        assert posted.status_code == 202, posted.text
        assert posted.json()["accepted"] == len(events), posted.text

        def caught_up() -> bool:
            stack.alive()
            return bool(client.get("/v1/status").json()["lag_events"] == 0)

        wait_for("the processor to catch up", caught_up, stack.output)


def scraped(stack: Stack, expr: str, value: float) -> Callable[[], bool]:
    def check() -> bool:
        result = stack.query(expr)["data"]["result"]
        return any(float(sample["value"][1]) == value for sample in result)

    return check


def alerts(stack: Stack, name: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{stack.prometheus}/api/v1/alerts", timeout=5).json()
    return [a for a in answer["data"]["alerts"] if a["labels"]["alertname"] == name]


def test_a_burst_of_blind_chat_to_voice_handoffs_raises_the_blind_handoff_alert(
    stack: Stack,
) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    blind = 'journeyflow_blind_handoffs_total{intent="eligibility",channel="voice"}'
    # One handoff first, so the series exist in Prometheus before the burst (a counter's first
    # sample is its baseline: a burst that created the series would show no increase).
    post_and_process(stack, blind_handoff_events("eligibility", range(1), start))
    post_and_process(
        stack, blind_handoff_events("order_status", range(100, 101), start, carried=True)
    )
    wait_for("the first handoff to be scraped", scraped(stack, f"sum({blind})", 1), stack.output)

    post_and_process(stack, blind_handoff_events("eligibility", range(1, 31), start))
    post_and_process(
        stack, blind_handoff_events("order_status", range(101, 131), start, carried=True)
    )

    def raised() -> list[dict[str, Any]]:
        return [
            a
            for a in alerts(stack, "JourneyflowBlindHandoffRateHigh")
            if a["state"] in ("pending", "firing")
        ]

    (alert,) = wait_for("JourneyflowBlindHandoffRateHigh", raised, stack.output)
    assert alert["labels"] == {
        "alertname": "JourneyflowBlindHandoffRateHigh",
        "intent": "eligibility",
        "channel": "voice",
        "severity": "warning",
        "category": "friction",
    }
    assert alert["annotations"]["runbook_url"] == "docs/runbooks.md#journeyflowblindhandoffratehigh"
    assert "eligibility" in alert["annotations"]["summary"]
    assert float(alert["value"]) == 1.0  # every voice contact about eligibility arrived blind
    carried = stack.query(
        'journeyflow_channel_switches_total{from_channel="chat",to_channel="voice"}'
    )["data"]["result"]
    assert {s["metric"]["context"]: float(s["value"][1]) for s in carried} == {
        "lost": 31.0,
        "carried": 31.0,
    }
    assert alerts(stack, "JourneyflowProcessorStalled") == []


def test_every_rule_evaluates_without_error_against_the_live_service(stack: Stack) -> None:
    def evaluated() -> list[dict[str, Any]]:
        groups = httpx.get(f"{stack.prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return (
            rules if all(rule.get("lastEvaluation", "").startswith("20") for rule in rules) else []
        )

    rules = wait_for("every rule to be evaluated", evaluated, stack.output)

    shipped = [
        rule
        for name in ("rules.yml", "alerts.yml")
        for group in yaml.safe_load((PROMETHEUS_DIR / name).read_text())["groups"]
        for rule in group["rules"]
    ]
    assert len(rules) == len(shipped)
    assert [(r["name"], r["lastError"]) for r in rules if r["health"] != "ok"] == []


def test_every_dashboard_query_is_accepted_by_prometheus(stack: Stack) -> None:
    macros = {"$__range": "1h", "$__rate_interval": "1m"}
    rejected = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                if "expr" not in target:
                    continue
                expr = target["expr"]
                for macro, value in macros.items():
                    expr = expr.replace(macro, value)
                expr = re.sub(r"\$\w+", ".*", expr)  # every template variable at "All"
                answer = stack.query(expr)
                if answer["status"] != "success":
                    rejected.append((path.name, panel["title"], answer.get("error")))

    assert rejected == []
