"""Native payloads -> unified events: one pure module per format, and a registry of them."""

from journeyflow.normalize.format import NativeFormat, NormalizeError

__all__ = ["NativeFormat", "NormalizeError"]
