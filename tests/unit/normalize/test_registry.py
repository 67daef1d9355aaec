"""The registry: every format by its URL/topic name, and a helpful error for any other name."""

from __future__ import annotations

import re

import pytest
from unit.normalize import golden

from journeyflow.normalize import registry
from journeyflow.normalize.format import NormalizeError


def test_the_issue_formats_are_registered_under_their_names() -> None:
    assert {"unified", "amazon-connect-ctr"} <= set(registry.FORMATS)
    assert registry.get("amazon-connect-ctr").source == "ivr"
    assert registry.get("unified").source is None


def test_every_format_is_filed_under_its_own_name_with_a_slug_source() -> None:
    for name, fmt in registry.FORMATS.items():
        assert fmt.name == name
        assert re.fullmatch(r"[a-z][a-z0-9\-]*", name), name
        assert fmt.source is None or re.fullmatch(r"[a-z][a-z0-9_\-]{0,63}", fmt.source)
        assert fmt.summary


def test_names_are_sorted() -> None:
    assert registry.names() == sorted(registry.FORMATS)


def test_an_unknown_format_is_a_normalize_error_listing_the_known_ones() -> None:
    with pytest.raises(registry.UnknownFormat) as caught:
        registry.get("genesys-cloud")

    assert isinstance(caught.value, NormalizeError)
    message = str(caught.value)
    assert "'genesys-cloud'" in message
    for name in registry.FORMATS:
        assert name in message


def test_an_absurd_format_name_is_quoted_short() -> None:
    with pytest.raises(registry.UnknownFormat) as caught:
        registry.get("x" * 10_000)

    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize("name", sorted(registry.FORMATS))
def test_every_format_has_golden_fixtures_with_their_sources(name: str) -> None:
    assert golden.cases(name), f"no golden fixtures for {name}"
    sources = golden.FIXTURES / name / "SOURCES.md"
    assert sources.exists(), f"{sources} must name the documentation the samples come from"
    assert "http" in sources.read_text()
