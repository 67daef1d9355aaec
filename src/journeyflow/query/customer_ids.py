"""Public customer ids: `cus_<number>`, so ids are recognisable in logs and tickets."""

from __future__ import annotations

PREFIX = "cus_"


def format_id(customer: int) -> str:
    return f"{PREFIX}{customer}"


def parse_id(text: str) -> int | None:
    """The internal id behind a public one, or None when `text` is not one."""
    digits = text.removeprefix(PREFIX)
    if digits == text or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)
