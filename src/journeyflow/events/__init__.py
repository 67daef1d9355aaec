"""The unified interaction event: the one shape every source is normalized into."""

from journeyflow.events.model import (
    Channel,
    InteractionEvent,
    Measures,
    Outcome,
    RoutingPoint,
)

__all__ = ["Channel", "InteractionEvent", "Measures", "Outcome", "RoutingPoint"]
