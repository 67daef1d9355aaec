"""The configurable parts of the metric definitions, gathered from settings into one value.

Pure code takes a `Definitions` rather than `Settings`, so unit tests state exactly what they
assume and a replay with another repeat window is just another `Definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from journeyflow.settings import Settings


class RepeatScope(StrEnum):
    SAME_INTENT = "same_intent"
    """A repeat needs the same intent, or either intent unknown (the default)."""
    ANY = "any"
    """Any earlier contact within the window makes a repeat, whatever its reason."""


@dataclass(frozen=True, slots=True)
class Definitions:
    repeat_window: timedelta = timedelta(days=7)
    repeat_scope: RepeatScope = RepeatScope.SAME_INTENT
    self_service_channels: frozenset[str] = frozenset({"ivr", "bot", "web", "app"})
    intents: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()

    def compatible(self, a: str | None, b: str | None) -> bool:
        """May contacts with these intents be repeats of each other (and share a journey)?"""
        return self.repeat_scope is RepeatScope.ANY or a is None or b is None or a == b

    def intent_label(self, intent: str) -> str:
        """Bounded Prometheus label: the configured vocabulary, `unknown`, or `other`."""
        return _label(intent, self.intents)

    def department_label(self, department: str) -> str:
        return _label(department, self.departments)


def _label(value: str, vocabulary: frozenset[str]) -> str:
    if not value:
        return "unknown"
    return value if value in vocabulary else "other"


def from_settings(settings: Settings) -> Definitions:
    journeys = settings.journeys
    return Definitions(
        repeat_window=settings.repeat_window,
        repeat_scope=RepeatScope(journeys.repeat_scope),
        self_service_channels=frozenset(journeys.self_service_channels),
        intents=frozenset(journeys.intents),
        departments=frozenset(journeys.departments),
    )
