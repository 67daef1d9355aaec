"""API keys and scopes: `ingest:<source>`, `read`, `admin` (admin implies every scope)."""

from __future__ import annotations

import pytest

from journeyflow.api.auth import KeyRing, Principal

ADMIN = "admin-key-0123456789"
READER = "read-key-0123456789"
CHAT = "chat-ingest-key-0123"
KEYRING = KeyRing({ADMIN: ["admin"], READER: ["read"], CHAT: ["ingest:chat", "read"]})


@pytest.mark.parametrize(
    ("presented", "scopes"),
    [
        (ADMIN, {"admin"}),
        (READER, {"read"}),
        (CHAT, {"ingest:chat", "read"}),
    ],
)
def test_the_right_key_yields_its_scopes(presented: str, scopes: set[str]) -> None:
    found = KEYRING.authenticate(presented)

    assert found == Principal(frozenset(scopes))


@pytest.mark.parametrize(
    "presented",
    ["", "wrong-key-0123456789", ADMIN[:-1], ADMIN + "x", ADMIN.upper(), f" {ADMIN}"],
)
def test_any_other_key_is_unknown(presented: str) -> None:
    assert KEYRING.authenticate(presented) is None


def test_an_empty_keyring_knows_no_one() -> None:
    assert KeyRing({}).authenticate(ADMIN) is None


def test_admin_implies_every_scope_and_every_ingest_source() -> None:
    admin = Principal(frozenset({"admin"}))

    assert admin.allows("read")
    assert admin.allows("ingest:billing")
    assert admin.may_ingest("chat")
    assert admin.may_ingest("some-new-source")
    assert admin.ingests_anything


def test_an_ingest_scope_allows_its_own_source_only() -> None:
    chat = Principal(frozenset({"ingest:chat"}))

    assert chat.may_ingest("chat")
    assert not chat.may_ingest("crm")
    assert not chat.may_ingest("chatbot")
    assert not chat.allows("read")
    assert not chat.allows("admin")
    assert chat.ingests_anything


def test_read_only_keys_ingest_nothing() -> None:
    reader = Principal(frozenset({"read"}))

    assert reader.allows("read")
    assert not reader.may_ingest("chat")
    assert not reader.allows("admin")
    assert not reader.ingests_anything


def test_no_scopes_allow_nothing() -> None:
    nobody = Principal(frozenset())

    assert not nobody.allows("read")
    assert not nobody.ingests_anything
