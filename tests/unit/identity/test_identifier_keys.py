"""Identifier normalization (DESIGN §3): the values identity matching compares."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyflow.identity.keys import CONTACT, IdentifierRules, IdKey, Strength
from journeyflow.settings import IdentitySettings


@pytest.fixture(scope="module")
def rules() -> IdentifierRules:
    return IdentifierRules(IdentitySettings(), "US")


_RULES = IdentifierRules(IdentitySettings(), "US")  # for hypothesis tests (no fixtures there)


# -- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["(415) 555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100", " 4155550100 "],
)
def test_a_phone_written_any_usual_way_normalizes_to_e164(
    rules: IdentifierRules, written: str
) -> None:
    assert rules.normalize("phone", written) == "+14155550100"


def test_a_phone_uses_the_default_region_only_when_it_has_no_country_code() -> None:
    uk = IdentifierRules(IdentitySettings(), "GB")

    assert uk.normalize("phone", "020 7946 0958") == "+442079460958"
    assert uk.normalize("phone", "+1 415 555 0100") == "+14155550100"


@pytest.mark.parametrize("junk", ["12", "call me", "+1 415", "415-555-0100-0100-0100"])
def test_an_impossible_phone_number_is_unusable(rules: IdentifierRules, junk: str) -> None:
    assert rules.normalize("phone", junk) is None


# -- e-mails and ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", [" Ana@Example.COM ", "ANA@EXAMPLE.COM", "ana@example.com", "\tana@example.com\n"]
)
def test_an_email_is_trimmed_and_lower_cased(rules: IdentifierRules, written: str) -> None:
    assert rules.normalize("email", written) == "ana@example.com"


@pytest.mark.parametrize(
    "invalid", ["ana.example.com", "ana", "@example.com", "ana@localhost", "ana smith@example.com"]
)
def test_an_invalid_email_is_unusable(rules: IdentifierRules, invalid: str) -> None:
    assert rules.normalize("email", invalid) is None


def test_other_ids_are_trimmed_but_keep_their_case(rules: IdentifierRules) -> None:
    assert rules.normalize("account_id", "  AC-00042 ") == "AC-00042"
    assert rules.normalize("customer_id", "Cust_9") == "Cust_9"


# -- junk ----------------------------------------------------------------------------------------

JUNK = [
    "0000000000",
    "unknown",
    "Anonymous",
    "null",
    "noreply@x.com",
    "no-reply@x.com",
    "",
    "   ",
]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("type_", ["phone", "email", "customer_id", "device_id"])
def test_junk_values_are_blocked_for_every_type(
    rules: IdentifierRules, type_: str, junk: str
) -> None:
    assert rules.normalize(type_, junk) is None


@pytest.mark.parametrize("junk", ["0000000000", "unknown", "Anonymous", "NULL", "N/A"])
def test_is_blocked_matches_junk_whatever_its_case(rules: IdentifierRules, junk: str) -> None:
    assert rules.is_blocked(junk)


@pytest.mark.parametrize("value", ["known", "anonymous-7", "ana@noreply.com", "4155550100"])
def test_is_blocked_leaves_real_values_alone(rules: IdentifierRules, value: str) -> None:
    assert not rules.is_blocked(value)


@pytest.mark.parametrize("junk", ["1234567890", "(000) 000-0000", "000.000.0000"])
def test_junk_phone_digits_are_blocked(rules: IdentifierRules, junk: str) -> None:
    assert rules.normalize("phone", junk) is None


@pytest.mark.parametrize(
    "junk", ["123-456-7890", "(123) 456-7890", "+1 123 456 7890", "1-000-000-0000"]
)
def test_junk_phones_are_blocked_however_they_are_written(
    rules: IdentifierRules, junk: str
) -> None:
    assert rules.normalize("phone", junk) is None


_SPELLINGS = (
    "({a}) {b}-{c}",
    "{a}.{b}.{c}",
    "+1 {a} {b} {c}",
    "1-{a}-{b}-{c}",
    "{a}{b}{c}",
    "+1{a}{b}{c}",
    "1 ({a}) {b}-{c}",
)


@settings(max_examples=400, deadline=None)
@given(
    area=st.integers(200, 999),
    exchange=st.integers(0, 999),
    line=st.integers(0, 9999),
    spelling=st.sampled_from(_SPELLINGS),
    region=st.sampled_from(["US", "CA", "GB"]),
)
def test_a_north_american_number_normalizes_as_phonenumbers_parses_its_spelling(
    area: int, exchange: int, line: int, spelling: str, region: str
) -> None:
    # In a +1 region the ten digits are normalized once for all their spellings, and without
    # phonenumbers; the result must be what parsing the spelling itself gives, valid,
    # impossible or blocked alike.
    rules = IdentifierRules(IdentitySettings(), region)
    written = spelling.format(a=f"{area:03}", b=f"{exchange:03}", c=f"{line:04}")
    plain = written.translate(str.maketrans("", "", " ().-"))
    expected = None if rules.is_blocked(plain) else rules._parse_phone(plain)
    assert rules.normalize("phone", written) == expected


def test_block_patterns_come_from_settings() -> None:
    custom = IdentifierRules(IdentitySettings(block_patterns=[r"^guest-"]), "US")

    assert custom.normalize("account_id", "guest-17") is None
    assert custom.normalize("account_id", "unknown") == "unknown"


@pytest.mark.parametrize(
    "pattern", [r"^2125550100$", r"^12125550100$"], ids=["national", "with country code"]
)
@pytest.mark.parametrize("written", ["(212) 555-0100", "212.555.0100", "+1 212 555 0100"])
def test_a_blocked_north_american_number_is_blocked_in_every_spelling(
    pattern: str, written: str
) -> None:
    # Ten North American digits skip the phonenumbers parse; the block check must not.
    custom = IdentifierRules(IdentitySettings(block_patterns=[pattern]), "US")

    assert custom.normalize("phone", written) is None
    assert custom.normalize("phone", "(212) 555-0101") == "+12125550101"


# -- strength, limits, priority ------------------------------------------------------------------


def test_strength_limits_and_priority_come_from_settings(rules: IdentifierRules) -> None:
    assert rules.strength("email") is Strength.STRONG
    assert rules.strength("device_id") is Strength.WEAK
    assert rules.limit("customer_id") == 1
    assert rules.limit("email") == 5
    assert rules.priority("customer_id") < rules.priority("email") < rules.priority("device_id")


def test_the_contact_key_is_strong_but_does_not_identify_anyone(rules: IdentifierRules) -> None:
    assert rules.strength(CONTACT) is Strength.STRONG
    assert not rules.identifies(CONTACT)
    assert rules.identifies("email")
    assert not rules.identifies("device_id")
    assert rules.priority(CONTACT) > rules.priority("session_id")
    assert CONTACT not in rules.types


# -- keys of an event ----------------------------------------------------------------------------


def test_keys_of_normalizes_every_identifier_and_adds_the_contact_key(
    rules: IdentifierRules,
) -> None:
    keys = rules.keys_of(
        {"phone": "(415) 555-0100", "email": " Ana@Example.com", "device_id": "dev-1"},
        source="ivr",
        contact_id="call-9",
    )

    assert sorted(keys) == sorted(
        [
            IdKey("phone", "+14155550100"),
            IdKey("email", "ana@example.com"),
            IdKey("device_id", "dev-1"),
            IdKey(CONTACT, "ivr/call-9"),
        ]
    )


def test_keys_of_without_a_contact_id_has_no_contact_key(rules: IdentifierRules) -> None:
    assert rules.keys_of({"email": "ana@example.com"}, "crm", None) == [
        IdKey("email", "ana@example.com")
    ]


def test_keys_of_skips_unknown_types_and_junk(rules: IdentifierRules) -> None:
    keys = rules.keys_of(
        {"loyalty_card": "L-1", "phone": "0000000000", "email": "unknown", "account_id": "A-1"},
        source="crm",
        contact_id=None,
    )

    assert keys == [IdKey("account_id", "A-1")]


def test_a_contact_with_no_usable_identifiers_still_has_its_contact_key(
    rules: IdentifierRules,
) -> None:
    assert rules.keys_of({"phone": "anonymous"}, "chat", "conv-1") == [
        IdKey(CONTACT, "chat/conv-1")
    ]


def test_keys_of_does_not_let_a_producer_forge_a_contact_key(rules: IdentifierRules) -> None:
    assert rules.keys_of({CONTACT: "chat/conv-1"}, "crm", None) == []


# -- idempotence ---------------------------------------------------------------------------------


def _idempotent(type_: str, raw: str) -> None:
    once = _RULES.normalize(type_, raw)
    if once is not None:
        assert _RULES.normalize(type_, once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_email_normalization_is_idempotent(raw: str) -> None:
    _idempotent("email", raw)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        lambda local, domain, tld, pad: f"{pad}{local}@{domain}.{tld}{pad}",
        st.text(min_size=1, max_size=10),
        st.text(min_size=1, max_size=10),
        st.text(min_size=1, max_size=4),
        st.sampled_from(["", " ", "\t"]),
    )
)
def test_normalization_of_email_shaped_text_is_idempotent(raw: str) -> None:
    _idempotent("email", raw)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["account_id", "customer_id", "device_id"]), st.text(max_size=30))
def test_id_normalization_is_idempotent(type_: str, raw: str) -> None:
    _idempotent(type_, raw)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["", "+", "1", "+1", "+44", "011", "00"]),
    st.text(alphabet="0123456789", min_size=1, max_size=16),
)
def test_phone_normalization_is_idempotent(prefix: str, digits: str) -> None:
    _idempotent("phone", prefix + digits)


def test_a_phone_that_loses_digits_when_parsed_again_is_not_usable() -> None:
    # phonenumbers parses `+310000001` as +31000001, which it parses as +3100001: no stable form.
    assert _RULES.normalize("phone", "+310000001") is None
    assert _RULES.normalize("phone", "+31000001") == "+3100001"
    assert _RULES.normalize("phone", "+3100001") == "+3100001"
