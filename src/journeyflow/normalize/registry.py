"""Every native format journeyflow accepts, by name (`/v1/ingest/{name}`, `journeyflow.raw.{name}`).

Each format module exports one `FORMAT`; adding a format is one import and one line here.
"""

from __future__ import annotations

from journeyflow.normalize import amazon_connect, salesforce, stripe, unified, zendesk_sunshine
from journeyflow.normalize.format import NativeFormat, NormalizeError


class UnknownFormat(NormalizeError):
    """No format of that name is registered."""


_ALL = (
    unified.FORMAT,
    amazon_connect.FORMAT,
    stripe.FORMAT,
    salesforce.FORMAT,
    zendesk_sunshine.FORMAT,
)
FORMATS: dict[str, NativeFormat] = {fmt.name: fmt for fmt in _ALL}


def names() -> list[str]:
    return sorted(FORMATS)


def get(name: str) -> NativeFormat:
    """The format called `name`, or `UnknownFormat` listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown format {name[:64]!r}; known formats: {', '.join(names())}"
        ) from None
