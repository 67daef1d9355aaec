"""`stripe`: Stripe webhook event objects -> `billing.*` timeline events.

Stripe POSTs one event per request (`{"id": "evt_…", "type": "invoice.payment_failed", "created":
<epoch s>, "data": {"object": {...}, "previous_attributes": {...}}}`); a JSON array of events is
accepted too, for replays. Billing events are timeline entries, not contacts: no `contact_id`.
Who the event is about comes from the object: the Stripe customer id (`cus_…`), the e-mail and
phone the object carries, and the merchant's own customer id in `metadata` (configurable key).

Stripe sends both `invoice.paid` and `invoice.payment_succeeded` for one paid invoice, so both
map to the event id `<invoice id>:paid`: whichever arrives second is a duplicate, never a second
payment. Every other event keeps Stripe's `evt_…` id, so webhook retries are duplicates too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeyflow.events import InteractionEvent
from journeyflow.normalize import stripe_payload, stripe_signature
from journeyflow.normalize.common import (
    MAX_TEXT,
    ROOT,
    as_object,
    child,
    make_event,
    optional_object,
    optional_str,
    parse_timestamp,
    require,
    require_str,
)
from journeyflow.normalize.format import NativeFormat, NormalizeError
from journeyflow.normalize.settings import NormalizeSettings

NAME = "stripe"
SOURCE = "billing"

KINDS: dict[str, str] = {
    "invoice.payment_failed": "billing.payment_failed",
    "invoice.paid": "billing.payment_succeeded",
    "invoice.payment_succeeded": "billing.payment_succeeded",
    "charge.refunded": "billing.refunded",
    "charge.dispute.created": "billing.dispute_opened",
    "charge.dispute.closed": "billing.dispute_closed",
    "customer.created": "billing.customer_created",
    "customer.updated": "billing.customer_updated",
    "customer.subscription.created": "billing.subscription_started",
    "customer.subscription.updated": "billing.plan_changed",
    "customer.subscription.deleted": "billing.subscription_cancelled",
}
"""Stripe event type -> unified kind. A subscription update that changes no price is
`billing.subscription_updated` instead of `billing.plan_changed`."""

_PAID = frozenset({"invoice.paid", "invoice.payment_succeeded"})
_SCALARS = (str, int, float, bool)
_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "invoice": (
        "number",
        "status",
        "amount_due",
        "amount_paid",
        "currency",
        "attempt_count",
        "billing_reason",
        "subscription",
        "charge",
    ),
    "charge": ("amount", "amount_refunded", "currency", "status", "failure_code", "invoice"),
    "dispute": ("amount", "currency", "reason", "status", "charge"),
    "subscription": ("status", "cancel_at_period_end", "currency"),
    "customer": ("currency", "delinquent"),
}


def normalize(payload: Any, settings: NormalizeSettings) -> list[InteractionEvent]:
    """One Stripe event object -> one `billing.*` event."""
    event = as_object(payload, ROOT)
    if event.get("object", "event") != "event":
        raise NormalizeError(
            "expected a Stripe event object (object: event)", child(ROOT, "object")
        )
    stripe_id = require_str(event, "id")
    type_ = require_str(event, "type")
    if type_ not in KINDS:
        if settings.stripe.ignore_unmapped_types:
            return []
        supported = ", ".join(sorted(KINDS))
        raise NormalizeError(
            f"unsupported Stripe event type {type_[:80]!r}; supported: {supported}",
            child(ROOT, "type"),
        )
    occurred_at = parse_timestamp(require(event, "created"), child(ROOT, "created"))
    data_path = child(ROOT, "data")
    data = as_object(require(event, "data"), data_path)
    obj_path = child(data_path, "object")
    obj = as_object(require(data, "object", data_path), obj_path)
    previous = optional_object(data, "previous_attributes", data_path)

    kind = KINDS[type_]
    attributes = _attributes(type_, obj, event)
    if type_ == "customer.subscription.updated":
        changed = _price_change(obj, previous)
        if changed is None:
            kind = "billing.subscription_updated"
            attributes["changed"] = [key[:64] for key in sorted(previous)[:20]]
        else:
            attributes["from_price"], attributes["to_price"] = changed
    elif type_ == "customer.updated":
        attributes["changed"] = [key[:64] for key in sorted(previous)[:20]]
    elif type_ == "customer.subscription.deleted":
        details = obj.get("cancellation_details")
        if isinstance(details, dict):
            attributes.update(_scalars(details, ("reason", "feedback"), prefix="cancellation_"))

    event_id = stripe_id
    if type_ in _PAID:
        event_id = f"{require_str(obj, 'id', obj_path)}:paid"
    return [
        make_event(
            {
                "event_id": event_id,
                "source": SOURCE,
                "format": NAME,
                "occurred_at": occurred_at,
                "kind": kind,
                "channel": "billing",
                "identifiers": _identifiers(obj, obj_path, settings),
                "attributes": attributes,
            }
        )
    ]


def _identifiers(obj: Mapping[str, Any], path: str, settings: NormalizeSettings) -> dict[str, str]:
    """Customer id, e-mail and phone wherever this kind of object keeps them."""
    found: dict[str, str | None] = {}
    if obj.get("object") == "customer":
        found["billing_customer_id"] = optional_str(obj, "id", path)
        found["email"] = optional_str(obj, "email", path)
        found["phone"] = optional_str(obj, "phone", path)
    else:
        customer = obj.get("customer")
        if isinstance(customer, dict):  # expanded
            found["billing_customer_id"] = optional_str(customer, "id", child(path, "customer"))
        else:
            found["billing_customer_id"] = optional_str(obj, "customer", path)
        found["email"] = optional_str(obj, "customer_email", path) or optional_str(
            obj, "receipt_email", path
        )
        found["phone"] = optional_str(obj, "customer_phone", path)
        details = optional_object(obj, "billing_details", path)
        details_path = child(path, "billing_details")
        found["email"] = found["email"] or optional_str(details, "email", details_path)
        found["phone"] = found["phone"] or optional_str(details, "phone", details_path)
        evidence = obj.get("evidence")
        if isinstance(evidence, dict):  # disputes; legacy payloads have a string here
            address = optional_str(evidence, "customer_email_address", child(path, "evidence"))
            found["email"] = found["email"] or address
    key = settings.stripe.customer_id_metadata_key
    metadata = obj.get("metadata")
    if key and isinstance(metadata, dict):
        found["customer_id"] = optional_str(metadata, key, child(path, "metadata"))
    return {name: value for name, value in found.items() if value}


def _price_change(
    obj: Mapping[str, Any], previous: Mapping[str, Any]
) -> tuple[str | None, str | None] | None:
    """(old, new) price ids when a subscription update changed its price, else None."""
    if "plan" in previous:
        old, new = _id_of(previous.get("plan")), _id_of(obj.get("plan"))
        return (old, new) if old != new else None
    if "items" in previous:
        old_prices, new_prices = _prices(previous.get("items")), _prices(obj.get("items"))
        if old_prices != new_prices:
            return ",".join(old_prices) or None, ",".join(new_prices) or None
    return None


def _prices(items: Any) -> list[str]:
    rows = items.get("data") if isinstance(items, dict) else None
    if not isinstance(rows, list):
        return []
    ids = (_id_of(row.get("price") or row.get("plan")) for row in rows if isinstance(row, dict))
    return sorted(i for i in ids if i)


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value[:MAX_TEXT] if isinstance(value, str) and value else None


def _attributes(type_: str, obj: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {"stripe_event_type": type_}
    object_id = _id_of(obj.get("id"))
    if object_id:
        attributes["stripe_object_id"] = object_id
    if isinstance(event.get("livemode"), bool):
        attributes["livemode"] = event["livemode"]
    kind = obj.get("object")
    if isinstance(kind, str):
        attributes.update(_scalars(obj, _ATTRIBUTES.get(kind, ())))
    if kind == "subscription":
        price = _id_of(obj.get("plan")) or ",".join(_prices(obj.get("items")))
        if price:
            attributes["price"] = price
    return attributes


def _scalars(obj: Mapping[str, Any], keys: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    """The named fields that are plain values (ids of expanded objects included)."""
    out: dict[str, Any] = {}
    for key in keys:
        value = obj.get(key)
        if isinstance(value, dict):
            value = _id_of(value)
        if isinstance(value, str):
            value = value[:MAX_TEXT]
        if isinstance(value, _SCALARS) and value != "":
            out[prefix + key] = value
    return out


FORMAT = NativeFormat(
    name=NAME,
    source=SOURCE,
    summary="Stripe webhook events: invoices, payments, disputes, subscriptions, customers",
    normalize=normalize,
    verify=stripe_signature.verify,
    signed=lambda settings: settings.stripe.signing_secret is not None,
    payload_schema=stripe_payload.payload_schema(KINDS),
)
