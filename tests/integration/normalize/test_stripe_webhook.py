"""`POST /v1/ingest/stripe` with a signing secret: what Stripe signed is accepted, nothing else."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from support.processing import drain
from unit.normalize import golden

from journeyflow.bootstrap import Service
from journeyflow.normalize.settings import NormalizeSettings, StripeSettings
from journeyflow.normalize.stripe_signature import header_for
from journeyflow.settings import Settings

SECRET = "whsec_integration_test_secret"
URL = "/v1/ingest/stripe"
BODY = orjson.dumps(golden.Case("stripe", "dispute_created").body())


@pytest.fixture
def settings(settings: Settings) -> Settings:
    normalize = NormalizeSettings(stripe=StripeSettings(signing_secret=SECRET))
    return settings.model_copy(update={"normalize": normalize})


async def _post(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    headers = {"Content-Type": "application/json", **headers}
    return await client.post(URL, content=BODY, headers=headers)


async def _stored(client: httpx.AsyncClient) -> int:
    """How many events the card holder's timeline has (0 when no such customer exists)."""
    found = await client.get("/v1/customers", params={"email": "jenny.rosen@example.com"})
    if found.status_code == 404:
        return 0
    timeline = await client.get(f"/v1/customers/{found.json()['id']}/timeline")
    return len(timeline.json()["events"])


async def test_a_delivery_signed_with_the_secret_is_accepted(
    client: httpx.AsyncClient, service: Service
) -> None:
    signature = header_for(BODY, SECRET, int(time.time()))
    response = await _post(client, {"Stripe-Signature": signature})
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    await drain(service)
    assert await _stored(client) == 1


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({"Stripe-Signature": header_for(BODY, "whsec_other", int(time.time()))}, 401, "match"),
        ({}, 401, "missing Stripe-Signature"),
        ({"Stripe-Signature": header_for(BODY, SECRET, int(time.time()) - 3600)}, 400, "old"),
    ],
    ids=["forged", "missing", "stale"],
)
async def test_a_forged_missing_or_stale_signature_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, service: Service, headers: dict[str, str], status: int, message: str
) -> None:
    response = await _post(client, headers)
    assert response.status_code == status, response.text
    assert message in response.text
    await drain(service)
    assert await _stored(client) == 0


@pytest.fixture
def anonymous(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """As Stripe calls: no API key, only its signature."""
    client.headers.pop("Authorization")
    return client


async def test_stripe_needs_no_api_key_when_its_signature_verifies(
    anonymous: httpx.AsyncClient, service: Service
) -> None:
    signature = header_for(BODY, SECRET, int(time.time()))
    response = await _post(anonymous, {"Stripe-Signature": signature})

    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Stripe-Signature": header_for(BODY, "whsec_other", int(time.time()))}],
    ids=["unsigned", "forged"],
)
async def test_without_an_api_key_only_a_valid_signature_gets_in(
    anonymous: httpx.AsyncClient, service: Service, headers: dict[str, str]
) -> None:
    response = await _post(anonymous, headers)

    assert response.status_code == 401, response.text
    await drain(service)
    assert await service.pool.fetchval("SELECT count(*) FROM event_log") == 0


async def test_a_signature_authenticates_only_its_own_format(
    anonymous: httpx.AsyncClient,
) -> None:
    signature = header_for(BODY, SECRET, int(time.time()))
    response = await anonymous.post(
        "/v1/ingest/unified",
        content=BODY,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )

    assert response.status_code == 401
