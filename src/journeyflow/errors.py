"""The one exception hierarchy: every error journeyflow raises on purpose derives from here."""


class JourneyflowError(Exception):
    """Root of journeyflow's own errors."""


class ConfigurationError(JourneyflowError):
    """The settings cannot describe a working service."""


class DatabaseError(JourneyflowError):
    """Postgres is unreachable or its schema is not the one this version expects."""


class InvalidIdentifier(JourneyflowError):
    """An identifier value cannot be normalized (or is a blocked junk value)."""
