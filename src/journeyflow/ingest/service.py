"""Validate a batch of JSON items, append the valid ones to the log in one go, report per item.

Unified events (`/v1/events`) are validated one per item; native payloads (`/v1/ingest/{format}`)
are normalized first, each payload into zero or more events, and reported per payload index: a
payload is accepted whole or rejected whole, never half-logged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import Rejected, parse_events
from journeyflow.identity.keys import IdentifierRules
from journeyflow.log import EventLog
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.settings import NormalizeSettings
from journeyflow.observability.metrics import Metrics

SourcePolicy = Callable[[str], bool]
"""May the caller ingest events of this source?"""


@dataclass(slots=True)
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_json() for r in self.rejected],
        }


@dataclass(slots=True)
class NativeIngestReport(IngestReport):
    """Counts are of unified events; `rejected` and `ignored` index the request's payloads."""

    format: str = ""
    payloads: int = 0
    ignored: list[int] = field(default_factory=list)
    """Payloads that were valid but mean no event (e.g. a supervisor's monitoring leg)."""

    @property
    def nothing_valid(self) -> bool:
        return self.accepted == 0 and self.duplicates == 0 and not self.ignored

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "payloads": self.payloads,
            **IngestReport.as_json(self),
            "ignored": self.ignored,
        }


class IngestService:
    def __init__(self, log: EventLog, rules: IdentifierRules, metrics: Metrics) -> None:
        self._log = log
        self._rules = rules
        self._metrics = metrics

    async def ingest(self, items: Sequence[Any], may_ingest: SourcePolicy) -> IngestReport:
        report = IngestReport()
        valid: list[InteractionEvent] = []
        received_at = datetime.now(UTC)
        for item in items:
            if isinstance(item, dict):  # stamped before validation: no copy of each event after
                item["received_at"] = received_at
        parsed = parse_events(items)
        for index, item in enumerate(items):
            outcome = parsed[index]
            if isinstance(outcome, InteractionEvent):
                outcome = self._check(index, outcome, may_ingest)
            if isinstance(outcome, Rejected):
                report.rejected.append(outcome)
                source = item.get("source") if isinstance(item, dict) else None
                self._count(source if isinstance(source, str) else None, "rejected")
            else:
                valid.append(outcome)
        await self._append(valid, report)
        return report

    async def ingest_native(
        self,
        fmt: NativeFormat,
        payloads: Sequence[Any],
        may_ingest: SourcePolicy,
        settings: NormalizeSettings,
    ) -> NativeIngestReport:
        """Normalize each payload, append every event of the valid ones in one log append."""
        report = NativeIngestReport(format=fmt.name, payloads=len(payloads))
        valid: list[InteractionEvent] = []
        received_at = datetime.now(UTC)
        for index, payload in enumerate(payloads):
            try:
                events = fmt.normalize(payload, settings)
            except NormalizeError as error:
                report.rejected.append(Rejected(index, None, [str(error)]))
                self._count(fmt.source, "rejected")
                continue
            checked = [self._check(index, event, may_ingest) for event in events]
            problems = [c for c in checked if isinstance(c, Rejected)]
            if problems:
                errors = [f"{p.event_id}: {line}" for p in problems for line in p.errors]
                report.rejected.append(Rejected(index, problems[0].event_id, errors))
                self._count(fmt.source or events[0].source, "rejected")
            elif not events:
                report.ignored.append(index)
            else:
                valid.extend(event.received(received_at) for event in events)
        await self._append(valid, report)
        return report

    async def _append(self, valid: list[InteractionEvent], report: IngestReport) -> None:
        if valid:
            result = await self._log.append(valid)
            duplicates = set(result.duplicate_indexes)
            report.accepted = result.accepted
            report.duplicates = len(duplicates)
            counts = Counter(
                (event.source, "duplicate" if i in duplicates else "accepted")
                for i, event in enumerate(valid)
            )
            for (source, outcome), n in counts.items():
                self._count(source, outcome, n)

    def _check(
        self, index: int, event: InteractionEvent, may_ingest: SourcePolicy
    ) -> InteractionEvent | Rejected:
        errors = []
        if not may_ingest(event.source):
            errors.append(f"source: this API key may not ingest source {event.source!r}")
        unknown = sorted(set(event.identifiers) - self._rules.types)
        if unknown:
            known = ", ".join(sorted(self._rules.types))
            errors.append(
                f"identifiers: unknown type(s) {', '.join(unknown)}; configured types: {known}"
            )
        return Rejected(index, event.event_id, errors) if errors else event

    def _count(self, source: str | None, result: str, n: int = 1) -> None:
        label = source if source is not None and _bounded(source) else "invalid"
        self._metrics.ingest_events.labels(source=label, result=result).inc(n)


def _bounded(source: str) -> bool:
    return len(source) <= 64 and source.replace("_", "").replace("-", "").isalnum()
