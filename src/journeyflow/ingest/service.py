"""Validate a batch of JSON items, append the valid ones to the log in one go, report per item."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.events.validation import Rejected, parse_event
from journeyflow.identity.keys import IdentifierRules
from journeyflow.log import EventLog
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


class IngestService:
    def __init__(self, log: EventLog, rules: IdentifierRules, metrics: Metrics) -> None:
        self._log = log
        self._rules = rules
        self._metrics = metrics

    async def ingest(self, items: Sequence[Any], may_ingest: SourcePolicy) -> IngestReport:
        report = IngestReport()
        valid: list[InteractionEvent] = []
        for index, item in enumerate(items):
            outcome = parse_event(index, item)
            if isinstance(outcome, InteractionEvent):
                outcome = self._check(index, outcome, may_ingest)
            if isinstance(outcome, Rejected):
                report.rejected.append(outcome)
                source = item.get("source") if isinstance(item, dict) else None
                self._count(source if isinstance(source, str) else None, "rejected")
            else:
                valid.append(outcome)
        if valid:
            result = await self._log.append(valid)
            duplicates = set(result.duplicate_indexes)
            report.accepted = result.accepted
            report.duplicates = len(duplicates)
            for i, event in enumerate(valid):
                self._count(event.source, "duplicate" if i in duplicates else "accepted")
        return report

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

    def _count(self, source: str | None, result: str) -> None:
        label = source if source is not None and _bounded(source) else "invalid"
        self._metrics.ingest_events.labels(source=label, result=result).inc()


def _bounded(source: str) -> bool:
    return len(source) <= 64 and source.replace("_", "").replace("-", "").isalnum()
