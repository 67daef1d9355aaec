"""`Stripe-Signature` verification: HMAC-SHA256 of `"{t}.{raw body}"` under the endpoint secret.

The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`; Stripe sends several `v1` values
while a secret is being rolled, so any one matching is enough. Comparison is constant-time. The
signature is checked before the age, so a forged old request is "forged" (401), and only a genuine
request older than the tolerance is "stale" (400): a replay, or a clock far off.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from journeyflow.normalize.format import ForgedSignature, StaleSignature
from journeyflow.normalize.settings import NormalizeSettings

HEADER = "stripe-signature"
SCHEME = "v1"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The `v1` signature Stripe computes for `body` signed at `timestamp` (hex)."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header_for(body: bytes, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header value as Stripe would send it (for tests and replays)."""
    return f"t={timestamp},{SCHEME}={sign(body, secret, timestamp)}"


def verify(
    body: bytes, headers: Mapping[str, str], settings: NormalizeSettings, now: datetime
) -> None:
    """Accept the delivery, or raise `ForgedSignature` / `StaleSignature`. No secret: no check."""
    config = settings.stripe
    if config.signing_secret is None:
        return
    value = headers.get(HEADER)
    if not value:
        raise ForgedSignature("missing Stripe-Signature header (a signing secret is configured)")
    timestamp, candidates = _parse(value)
    expected = sign(body, config.signing_secret.get_secret_value(), timestamp).encode()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise ForgedSignature("Stripe-Signature does not match the body and the signing secret")
    age = now.astimezone(UTC).timestamp() - timestamp
    tolerance = config.signature_tolerance.total_seconds()
    if age > tolerance:
        raise StaleSignature(
            f"Stripe-Signature timestamp is {int(age)} s old, more than the {int(tolerance)} s "
            "tolerated (normalize.stripe.signature_tolerance)"
        )


def _parse(value: str) -> tuple[int, list[bytes]]:
    timestamp: int | None = None
    candidates: list[bytes] = []
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and item.isascii() and item.isdigit() and len(item) <= 12:
            timestamp = int(item)
        elif key == SCHEME and item:
            candidates.append(item.lower().encode("utf-8", "replace"))
    if timestamp is None:
        raise ForgedSignature("Stripe-Signature has no valid t= timestamp")
    if not candidates:
        raise ForgedSignature(f"Stripe-Signature has no {SCHEME}= signature")
    return timestamp, candidates
