"""`journeyflow serve` as an operator runs it: a real process on embedded defaults, over HTTP."""

from __future__ import annotations

import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support.subprocesses import free_port, journeyflow, wait_ready

from journeyflow.bootstrap import ADMIN_KEY_FILE


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The service on a free port, no database URL and no API keys: all embedded defaults."""
    home = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {"JOURNEYFLOW_DATA_DIR": str(home / "data"), "JOURNEYFLOW_PORT": str(port)}
    log = home / "serve.log"
    process = journeyflow("serve", env=env, cwd=home, log=log)
    running = Running(process, f"http://127.0.0.1:{port}", home / "data", log)
    wait_ready(running.url, process, log)
    yield running
    if process.poll() is None:
        process.kill()
        process.wait()


def admin_client(served: Running) -> httpx.Client:
    key = (served.data_dir / ADMIN_KEY_FILE).read_text().strip()
    return httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_without_configured_keys_an_admin_key_is_generated_into_a_private_file(
    served: Running,
) -> None:
    key_file = served.data_dir / ADMIN_KEY_FILE

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file.resolve()) in served.output()
    assert httpx.get(f"{served.url}/v1/status").status_code == 401


def test_events_posted_over_http_come_out_as_one_stitched_timeline(served: Running) -> None:
    events = [
        {
            "event_id": "web-1",
            "source": "web",
            "occurred_at": "2026-11-20T09:00:00Z",
            "kind": "touchpoint.viewed",
            "channel": "web",
            "identifiers": {"email": " Ana@Example.com", "device_id": "dev-1"},
        },
        {
            "event_id": "chat-1",
            "source": "chat",
            "occurred_at": "2026-11-20T09:10:00Z",
            "kind": "contact.started",
            "channel": "chat",
            "contact_id": "conv-1",
            "identifiers": {"email": "ana@example.com", "phone": "(415) 555-0100"},
            "intent": "billing_dispute",
        },
        {
            "event_id": "ivr-1",
            "source": "ivr",
            "occurred_at": "2026-11-20T09:30:00+01:00",
            "kind": "contact.started",
            "channel": "ivr",
            "contact_id": "call-1",
            "identifiers": {"phone": "+1 415 555 0100"},
        },
    ]
    with admin_client(served) as client:
        posted = client.post("/v1/events", json={"events": events})
        assert posted.status_code == 202, posted.text
        assert posted.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
        again = client.post("/v1/events", json=events[0])
        assert again.json() == {"accepted": 0, "duplicates": 1, "rejected": []}

        deadline = time.monotonic() + 30
        while client.get("/v1/status").json()["lag_events"] > 0:
            assert time.monotonic() < deadline, served.output()
            time.sleep(0.1)

        found = client.get("/v1/customers", params={"phone": "415.555.0100"})
        assert found.status_code == 200, found.text
        customer = found.json()
        assert {(i["type"], i["value"]) for i in customer["identifiers"]} == {
            ("email", "ana@example.com"),
            ("phone", "+14155550100"),
            ("device_id", "dev-1"),
        }
        timeline = client.get(f"/v1/customers/{customer['id']}/timeline").json()
        assert [e["event_id"] for e in timeline["events"]] == ["ivr-1", "web-1", "chat-1"]

        metrics = client.get("/metrics").text
        assert 'journeyflow_ingest_events_total{result="accepted",source="chat"} 1.0' in metrics
        assert 'journeyflow_ingest_events_total{result="duplicate",source="web"} 1.0' in metrics
        assert "journeyflow_processed_events_total 3.0" in metrics


def test_sigterm_shuts_down_gracefully_and_stops_the_embedded_postgres(served: Running) -> None:
    served.process.send_signal(signal.SIGTERM)

    # uvicorn re-raises the signal once shut down, so the status says "ended by SIGTERM".
    assert served.process.wait(timeout=30) in (0, -signal.SIGTERM), served.output()
    assert "Application shutdown complete" in served.output()
    assert "Traceback" not in served.output()
    assert not (served.data_dir / "pg" / "postmaster.pid").exists()
