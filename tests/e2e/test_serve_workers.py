"""An ingest tier of several `serve --workers` with `journeyflow process` beside it, as an operator
scales the embedded defaults: one shared Postgres, every event processed once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import psutil
from support.subprocesses import free_port, journeyflow, wait_ready

from journeyflow.bootstrap import ADMIN_KEY_FILE


def test_two_http_workers_and_a_separate_processor_share_one_embedded_postgres(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        "JOURNEYFLOW_DATA_DIR": str(tmp_path / "data"),
        "JOURNEYFLOW_PORT": str(port),
        "JOURNEYFLOW_PROCESSING__IN_SERVE": "false",
    }
    url = f"http://127.0.0.1:{port}"
    serve_log, process_log = tmp_path / "serve.log", tmp_path / "process.log"
    serve = journeyflow("serve", "--workers", "2", env=env, cwd=tmp_path, log=serve_log)
    processor = None
    try:
        wait_ready(url, serve, serve_log)
        assert len(psutil.Process(serve.pid).children()) >= 2, serve_log.read_text()
        key = (tmp_path / "data" / ADMIN_KEY_FILE).read_text().strip()
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            events = [
                {
                    "event_id": f"call-{n}-{kind}",
                    "source": "ivr",
                    "occurred_at": f"2026-11-20T09:{n:02d}:{minute:02d}Z",
                    "kind": kind,
                    "channel": "ivr",
                    "contact_id": f"call-{n}",
                    "identifiers": {"phone": f"+1 415 555 {n % 3:04d}"},
                }
                for n in range(30)
                for minute, kind in enumerate(("contact.started", "contact.ended"))
            ]
            for chunk in (events[:20], events[20:40], events[40:]):  # spread over the workers
                posted = client.post("/v1/events", json={"events": chunk})
                assert posted.status_code == 202, posted.text
            assert client.get("/v1/status").json()["lag_events"] == 60  # nobody processes yet

            processor = journeyflow("process", env=env, cwd=tmp_path, log=process_log)
            deadline = time.monotonic() + 60
            while client.get("/v1/status").json()["lag_events"] > 0:
                assert time.monotonic() < deadline, process_log.read_text()
                time.sleep(0.2)
            customers = {
                client.get("/v1/customers", params={"phone": f"415555{n:04d}"}).json()["id"]
                for n in range(3)
            }
            assert len(customers) == 3
            sizes = [
                len(client.get(f"/v1/customers/{c}/timeline").json()["events"]) for c in customers
            ]
            assert sorted(sizes) == [20, 20, 20]
    finally:
        for running in (processor, serve):
            if running is not None and running.poll() is None:
                running.send_signal(signal.SIGTERM)
                running.wait(timeout=30)
    assert "Traceback" not in serve_log.read_text() + process_log.read_text()
    assert not (tmp_path / "data" / "pg" / "postmaster.pid").exists()
