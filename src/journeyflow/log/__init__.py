"""The durable log between ingest and processing (DESIGN §1, stage 2)."""

from journeyflow.log.port import AppendResult, EventLog, LoggedEvent, LogUnavailable

__all__ = ["AppendResult", "EventLog", "LogUnavailable", "LoggedEvent"]
