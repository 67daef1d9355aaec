"""The shipped Prometheus rules and alerts, checked and unit-tested by promtool itself.

promtool comes with Debian's `prometheus` package; `make test` installs it when it is missing, so
a missing promtool is a failure here, never a skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
RUNBOOKS = ROOT / "docs" / "runbooks.md"


def promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool not found: install Debian's `prometheus` package (make test does)"
    return subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def rules(path: Path) -> list[dict[str, Any]]:
    return [rule for group in load(path)["groups"] for rule in group["rules"]]


ALERTS = rules(PROMETHEUS / "alerts.yml")
RECORDS = rules(PROMETHEUS / "rules.yml")


def test_rules_alerts_and_the_compose_config_pass_promtool_checks() -> None:
    for args in (
        ("check", "rules", "rules.yml", "alerts.yml"),
        ("check", "config", "prometheus.yml"),
    ):
        checked = promtool(*args)
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("test_file", RULE_TESTS, ids=lambda p: p.name)
def test_promtool_rule_unit_tests_pass(test_file: Path) -> None:
    result = promtool("test", "rules", test_file.name, cwd=test_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_expectation_makes_promtool_fail(tmp_path: Path) -> None:
    """The harness can fail: an alert that fires, expected quiet, is reported."""
    wrong = {
        "rule_files": [str(PROMETHEUS / "alerts.yml")],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'up{job="journeyflow",instance="a"}', "values": "0x10"}
                ],
                "alert_rule_test": [
                    {"alertname": "JourneyflowDown", "eval_time": "10m", "exp_alerts": []}
                ],
            }
        ],
    }
    (tmp_path / "wrong_test.yml").write_text(yaml.safe_dump(wrong))

    result = promtool("test", "rules", "wrong_test.yml", cwd=tmp_path)

    assert result.returncode != 0
    assert "JourneyflowDown" in result.stdout + result.stderr


def test_every_recording_rule_has_a_promtool_expectation() -> None:
    tested = {
        case["expr"].strip()
        for path in RULE_TESTS
        for test in load(path)["tests"]
        for case in test.get("promql_expr_test", [])
    }
    untested = {rule["record"] for rule in RECORDS} - tested
    assert not untested


def test_every_alert_is_tested_firing_and_quiet() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for test in load(path)["tests"]:
            for case in test.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = {alert["alert"] for alert in ALERTS}
    assert names - fires == set(), "alerts never seen firing in a test"
    assert names - quiet == set(), "alerts never seen staying quiet in a test"


def test_recording_rules_follow_the_level_metric_operations_convention() -> None:
    for rule in RECORDS:
        level, metric, operations = rule["record"].split(":")
        assert set(level.split("_")) <= {"intent", "channel", "from", "to"}, rule["record"]
        assert metric.startswith("journeyflow_"), rule["record"]
        assert re.fullmatch(r"(rate|increase)(5m|1h)", operations), rule["record"]
        for label in ("intent", "channel") if level == "intent_channel" else ():
            assert label in rule["expr"], rule["record"]


def runbook_anchors() -> set[str]:
    """GitHub's anchors for the runbook's headings."""
    headings = re.findall(r"^#+ (.+)$", RUNBOOKS.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("alert", ALERTS, ids=lambda a: a["alert"])
def test_each_alert_waits_has_a_severity_a_runbook_and_says_where(alert: dict[str, Any]) -> None:
    labels, annotations = alert["labels"], alert["annotations"]

    assert alert["alert"].startswith("Journeyflow")
    assert re.fullmatch(r"\d+m", alert["for"])
    assert labels["severity"] in {"critical", "warning"}
    assert labels["category"] in {"friction", "pipeline"}
    assert annotations["summary"]
    assert annotations["description"]
    page, _, anchor = annotations["runbook_url"].partition("#")
    assert page == "docs/runbooks.md"
    assert anchor == alert["alert"].lower()
    assert anchor in runbook_anchors()
    if labels["category"] == "friction":
        for text in (annotations["summary"], annotations["description"]):
            assert "$labels.intent" in text
            assert "$labels.channel" in text
        assert "increase1h" in alert["expr"], "friction alerts need a minimum-traffic guard"


def test_the_runbook_has_a_section_for_each_alert_and_no_other() -> None:
    sections = re.findall(r"^## (\S+)$", RUNBOOKS.read_text(), flags=re.MULTILINE)
    assert sorted(sections) == sorted(alert["alert"] for alert in ALERTS)
