"""One settings object read from `JOURNEYFLOW_…` environment variables, nested with `__`."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from pydantic import ValidationError

from journeyflow.settings import IdentitySettings, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the JOURNEYFLOW_ variables it sets itself."""
    for name in list(os.environ):
        if name.upper().startswith("JOURNEYFLOW_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings()

    assert settings.repeat_window == timedelta(days=7)
    assert settings.default_phone_region == "US"
    assert settings.database_url is None
    assert settings.api_keys == {}
    assert settings.identity == IdentitySettings()
    assert settings.identity.max_merges_per_event == 5


def test_top_level_fields_are_read_from_prefixed_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYFLOW_PORT", "9100")
    monkeypatch.setenv("JOURNEYFLOW_DATABASE_URL", "postgresql://db.example/journeyflow")
    monkeypatch.setenv("JOURNEYFLOW_REPEAT_WINDOW", "P1D")

    settings = Settings()

    assert settings.port == 9100
    assert settings.database_url == "postgresql://db.example/journeyflow"
    assert settings.repeat_window == timedelta(days=1)


def test_unprefixed_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")

    assert Settings().port == 8000


def test_nested_fields_are_read_with_double_underscores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYFLOW_PROCESSING__BATCH_SIZE", "10")
    monkeypatch.setenv("JOURNEYFLOW_IDENTITY__MAX_MERGES_PER_EVENT", "2")

    settings = Settings()

    assert settings.processing.batch_size == 10
    assert settings.identity.max_merges_per_event == 2
    assert settings.identity.max_per_profile["customer_id"] == 1  # the rest keeps its defaults


def test_batch_size_defaults_to_small_batches_beside_http_and_large_ones_alone() -> None:
    processing = Settings().processing

    assert processing.batch_for(beside_http=True) == 2_000
    assert processing.batch_for(beside_http=False) == 40_000


def test_a_configured_batch_size_holds_wherever_the_processor_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEYFLOW_PROCESSING__BATCH_SIZE", "500")
    processing = Settings().processing

    assert processing.batch_for(beside_http=True) == 500
    assert processing.batch_for(beside_http=False) == 500


def test_invalid_nested_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYFLOW_IDENTITY__MAX_MERGES_PER_EVENT", "0")

    with pytest.raises(ValidationError):
        Settings()


def test_api_keys_are_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "JOURNEYFLOW_API_KEYS",
        '{"admin-key-0123456789": ["admin"], "chat-key-0123456789": ["ingest:chat", "read"]}',
    )

    assert Settings().api_keys == {
        "admin-key-0123456789": ["admin"],
        "chat-key-0123456789": ["ingest:chat", "read"],
    }


@pytest.mark.parametrize("key", ["", "short", "elevenchars"])
def test_api_keys_shorter_than_12_characters_are_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        Settings(api_keys={key: ["read"]})


def test_a_12_character_api_key_is_accepted() -> None:
    assert Settings(api_keys={"twelve-chars": ["read"]}).api_keys == {"twelve-chars": ["read"]}


@pytest.mark.parametrize("scope", ["write", "Read", "ingest", "superuser"])
def test_unknown_scopes_are_refused(scope: str) -> None:
    with pytest.raises(ValidationError, match="unknown scope"):
        Settings(api_keys={"admin-key-0123456789": [scope]})


def test_unknown_scopes_from_the_environment_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYFLOW_API_KEYS", '{"admin-key-0123456789": ["write"]}')

    with pytest.raises(ValidationError, match="unknown scope"):
        Settings()


def test_the_default_phone_region_is_upper_cased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYFLOW_DEFAULT_PHONE_REGION", "gb")

    assert Settings().default_phone_region == "GB"
    assert Settings(default_phone_region="de").default_phone_region == "DE"


def test_identifier_strength_must_be_strong_or_weak() -> None:
    with pytest.raises(ValidationError, match="'strong' or 'weak'"):
        IdentitySettings(strength={"email": "medium"})
