"""`stripe`: Stripe events become `billing.*` timeline events; signatures are checked."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from unit.normalize import golden

from journeyflow.normalize import stripe
from journeyflow.normalize.format import ForgedSignature, NormalizeError, StaleSignature
from journeyflow.normalize.settings import NormalizeSettings, StripeSettings
from journeyflow.normalize.stripe_signature import header_for, sign

SECRET = "whsec_test_0123456789abcdef"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BODY = b'{"id": "evt_1", "object": "event", "type": "customer.updated"}'


@pytest.mark.parametrize("case", golden.cases("stripe"), ids=str)
def test_golden(case: golden.Case) -> None:
    golden.check(case)


def _settings(**stripe_settings: Any) -> NormalizeSettings:
    return NormalizeSettings(stripe=StripeSettings(**stripe_settings))


def _verify(headers: dict[str, str], settings: NormalizeSettings, body: bytes = BODY) -> None:
    assert stripe.FORMAT.verify is not None
    stripe.FORMAT.verify(body, headers, settings, NOW)


def _event(name: str) -> dict[str, Any]:
    body = golden.Case("stripe", name).body()
    assert isinstance(body, dict)
    return body


class TestSignature:
    def test_a_signature_made_with_the_secret_is_accepted(self) -> None:
        header = header_for(BODY, SECRET, int(NOW.timestamp()) - 10)
        _verify({"stripe-signature": header}, _settings(signing_secret=SECRET))

    def test_any_of_several_v1_signatures_may_match_while_a_secret_rolls(self) -> None:
        t = int(NOW.timestamp())
        old = sign(BODY, "whsec_old_secret", t)
        header = f"t={t},v1={old},v1={sign(BODY, SECRET, t)},v0=ignored"
        _verify({"stripe-signature": header}, _settings(signing_secret=SECRET))

    def test_a_signature_made_with_another_secret_is_forged(self) -> None:
        header = header_for(BODY, "whsec_someone_else", int(NOW.timestamp()))
        with pytest.raises(ForgedSignature, match="does not match"):
            _verify({"stripe-signature": header}, _settings(signing_secret=SECRET))

    def test_a_changed_body_is_forged(self) -> None:
        header = header_for(BODY, SECRET, int(NOW.timestamp()))
        with pytest.raises(ForgedSignature):
            _verify({"stripe-signature": header}, _settings(signing_secret=SECRET), BODY + b" ")

    def test_a_genuine_signature_older_than_the_tolerance_is_stale(self) -> None:
        settings = _settings(signing_secret=SECRET, signature_tolerance=timedelta(minutes=5))
        header = header_for(BODY, SECRET, int((NOW - timedelta(minutes=6)).timestamp()))
        with pytest.raises(StaleSignature, match="360 s old"):
            _verify({"stripe-signature": header}, settings)

    def test_an_old_forged_signature_is_forged_not_stale(self) -> None:
        header = header_for(BODY, "whsec_someone_else", int((NOW - timedelta(days=1)).timestamp()))
        with pytest.raises(ForgedSignature):
            _verify({"stripe-signature": header}, _settings(signing_secret=SECRET))

    def test_a_missing_header_is_forged_when_a_secret_is_set(self) -> None:
        with pytest.raises(ForgedSignature, match="missing Stripe-Signature"):
            _verify({}, _settings(signing_secret=SECRET))

    @pytest.mark.parametrize(
        "header", ["v1=abc", "t=now,v1=abc", "t=1700000000", "garbage", "t=1700000000,v1=é"]
    )
    def test_a_malformed_header_is_forged(self, header: str) -> None:
        with pytest.raises(ForgedSignature):
            _verify({"stripe-signature": header}, _settings(signing_secret=SECRET))

    def test_without_a_secret_nothing_is_checked(self) -> None:
        _verify({}, _settings())


class TestMapping:
    def test_both_paid_notifications_of_one_invoice_share_one_event_id(self) -> None:
        paid, succeeded = golden.actual(golden.Case("stripe", "invoice_paid_twice"))
        assert paid["event_id"] == succeeded["event_id"] == "in_000000000000000000000000:paid"

    def test_a_failed_payment_names_the_customer_by_stripe_id_email_phone_and_own_id(
        self,
    ) -> None:
        [event] = stripe.normalize(_event("invoice_payment_failed"), NormalizeSettings())
        assert event.kind == "billing.payment_failed"
        assert event.contact_id is None
        assert event.identifiers == {
            "billing_customer_id": "cus_00000000000000",
            "email": "jenny.rosen@example.com",
            "phone": "+1 415 555 0142",
            "customer_id": "C-1001",
        }

    def test_the_metadata_key_of_the_own_customer_id_is_configurable(self) -> None:
        payload = _event("invoice_payment_failed")
        payload["data"]["object"]["metadata"] = {"crm_ref": "C-7"}
        [event] = stripe.normalize(payload, _settings(customer_id_metadata_key="crm_ref"))
        assert event.identifiers["customer_id"] == "C-7"
        [ignored] = stripe.normalize(payload, _settings(customer_id_metadata_key=None))
        assert "customer_id" not in ignored.identifiers

    def test_an_expanded_customer_object_gives_its_id(self) -> None:
        payload = _event("invoice_payment_failed")
        payload["data"]["object"]["customer"] = {"id": "cus_expanded", "object": "customer"}
        [event] = stripe.normalize(payload, NormalizeSettings())
        assert event.identifiers["billing_customer_id"] == "cus_expanded"

    def test_a_price_change_through_subscription_items_is_a_plan_change(self) -> None:
        payload = _event("subscription_updated_schedule")
        items = copy.deepcopy(payload["data"]["object"]["items"])
        items["data"][0]["price"]["id"] = "price_old"
        payload["data"]["previous_attributes"] = {"items": items}
        [event] = stripe.normalize(payload, NormalizeSettings())
        assert event.kind == "billing.plan_changed"
        assert event.attributes["from_price"] == "price_old"

    def test_a_quantity_change_is_not_a_plan_change(self) -> None:
        payload = _event("subscription_updated_schedule")
        items = copy.deepcopy(payload["data"]["object"]["items"])
        items["data"][0]["quantity"] = 3
        payload["data"]["previous_attributes"] = {"items": items, "quantity": 3}
        [event] = stripe.normalize(payload, NormalizeSettings())
        assert event.kind == "billing.subscription_updated"
        assert event.attributes["changed"] == ["items", "quantity"]

    def test_an_unsupported_type_is_rejected_naming_the_supported_ones(self) -> None:
        with pytest.raises(NormalizeError) as raised:
            stripe.normalize(_event("unsupported_type"), NormalizeSettings())
        assert raised.value.path == "$.type"
        for type_ in stripe.KINDS:
            assert type_ in raised.value.reason

    @pytest.mark.parametrize(
        ("mutate", "path"),
        [
            (lambda e: e.pop("created"), "$.created"),
            (lambda e: e.update(created="yesterday"), "$.created"),
            (lambda e: e["data"].pop("object"), "$.data.object"),
            (
                lambda e: e["data"]["object"].update(customer_email=42),
                "$.data.object.customer_email",
            ),
        ],
    )
    def test_a_broken_event_is_rejected_with_the_path_of_the_problem(
        self, mutate: Any, path: str
    ) -> None:
        payload = _event("invoice_payment_failed")
        mutate(payload)
        with pytest.raises(NormalizeError) as raised:
            stripe.normalize(payload, NormalizeSettings())
        assert raised.value.path == path

    def test_the_published_schema_lists_the_mapped_types(self) -> None:
        schema = stripe.FORMAT.payload_schema
        assert schema is not None
        assert sorted(schema["$defs"]["StripeEvent"]["properties"]["type"]["enum"]) == sorted(
            stripe.KINDS
        )


def test_unmapped_types_can_be_accepted_as_ignored_for_all_events_endpoints() -> None:
    payload = golden.Case("stripe", "unsupported_type").body()
    assert stripe.normalize(payload, _settings(ignore_unmapped_types=True)) == []
    with pytest.raises(NormalizeError):
        stripe.normalize(payload, _settings(ignore_unmapped_types=False))
