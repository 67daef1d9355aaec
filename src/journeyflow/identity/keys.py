"""Identifier keys and their normalization: the values identity matching compares.

Matching is only as good as normalization: `(555) 010-2030`, `555.010.2030` and `+1 555 010 2030`
are one phone; ` Ana@Example.COM ` and `ana@example.com` one e-mail. Junk that call centres
type into required fields (`0000000000`, `unknown`, `noreply@…`) is dropped, never matched.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from typing import Final, NamedTuple

import phonenumbers

from journeyflow.settings import IdentitySettings

_SEPARATORS = str.maketrans("", "", " ().-\t")
_NANP = re.compile(r"(?:\+?1)?([2-9]\d\d[2-9]\d{6})", re.ASCII)
"""A North American number as people write it, `+1`/`1` or not: the ten digits are the number
(`(415) 555-0100`, `+1 415 555 0100` and `1-415-555-0100` are one parse, not three)."""
NORMALIZE_CACHE: Final = 65_536
"""Normalized identifiers remembered per rules instance and kind (phones, the rest): values seen
again skip parsing. Phones have a cache of their own, so the many cheap e-mails and ids do not
push out the numbers that cost a parse (one cache for all kept a third of 1M events' lookups)."""

CONTACT: Final = "contact"
"""Internal identifier type linking the events of one contact (`<source>/<contact_id>`)."""


class Strength(StrEnum):
    STRONG = "strong"
    WEAK = "weak"


class IdKey(NamedTuple):
    """A normalized identifier: `(type, value)`, unique across all profiles.

    Made with `tuple.__new__(IdKey, (type, value))` where one is made per event: a named
    tuple's own constructor is a Python function (a frame per call), `tuple.__new__` is not."""

    type: str
    value: str


class IdentifierRules:
    """Normalization, strength, limits and priority of identifier types, from settings."""

    def __init__(self, settings: IdentitySettings, default_region: str) -> None:
        self._strength = {t: Strength(s) for t, s in settings.strength.items()}
        self._strength[CONTACT] = Strength.STRONG
        self._limits = dict(settings.max_per_profile)
        self._priority = {t: rank for rank, t in enumerate(settings.priority)}
        self._blocked = [re.compile(p, re.IGNORECASE) for p in settings.block_patterns]
        self._region = default_region
        self.max_merges_per_event = settings.max_merges_per_event
        self._types = frozenset(t for t in self._strength if t != CONTACT)
        # Parsing a phone number costs tens of microseconds and the same callers come back:
        # remember the most recent ones (bounded, per rules instance).
        self._cached = lru_cache(maxsize=NORMALIZE_CACHE)(self._normalize)
        self._phones = lru_cache(maxsize=NORMALIZE_CACHE)(self._normalize)
        self._reformatted = lru_cache(maxsize=NORMALIZE_CACHE)(self._reformat)
        self._north_american = phonenumbers.country_code_for_region(default_region) == 1
        self._ten_digits = lru_cache(maxsize=NORMALIZE_CACHE)(self._north_american_number)

    @property
    def types(self) -> frozenset[str]:
        """Identifier types producers may send (not the internal contact type)."""
        return self._types

    def strength(self, type_: str) -> Strength:
        return self._strength[type_]

    def identifies(self, type_: str) -> bool:
        """A strong type of the producer's own (the internal contact key does not identify)."""
        return type_ != CONTACT and self._strength.get(type_) is Strength.STRONG

    def limit(self, type_: str) -> int | None:
        return self._limits.get(type_)

    def priority(self, type_: str) -> int:
        """Lower is stronger; unlisted types rank after listed ones, contact last."""
        if type_ == CONTACT:
            return 1_000_000
        return self._priority.get(type_, 1000)

    def is_blocked(self, value: str) -> bool:
        return any(pattern.search(value) for pattern in self._blocked)

    def normalize(self, type_: str, raw: str) -> str | None:
        """The comparable form of `raw`, or None when it is junk or unusable."""
        if type_ == "phone":
            # `(415) 555-0100`, `415.555.0100` and `415 555 0100` parse alike: one cache entry.
            plain = raw.translate(_SEPARATORS)
            if plain.isdigit() or (plain[:1] == "+" and plain[1:].isdigit()):
                raw = plain
            return self._phones(type_, raw)
        return self._cached(type_, raw)

    def _normalize(self, type_: str, raw: str) -> str | None:
        value = raw.strip()
        if not value or self.is_blocked(value):
            return None
        if type_ == "phone":
            return self._phone(value)
        if type_ == "email":
            value = value.lower()
            local, at, domain = value.partition("@")
            if not at or not local or "." not in domain or " " in value:
                return None
            return None if self.is_blocked(value) else value
        return value

    def _phone(self, value: str) -> str | None:
        if self._north_american and (ten := _NANP.fullmatch(value)) is not None:
            # In a +1 region these spellings are one number, and everything below is a
            # function of its ten digits: one check for all of them, and no parse.
            return self._ten_digits(ten[1])
        return self._parse_phone(value)

    def _north_american_number(self, ten: str) -> str | None:
        """What `_parse_phone` makes of ten North American digits, without parsing: every such
        number is possible, its E.164 form is `+1` and the ten digits, which are also its
        national number, and it formats to itself again (a property test holds the two equal).
        A phonenumbers parse cost tens of microseconds for each new caller's number."""
        e164 = "+1" + ten
        if self.is_blocked(e164[1:]) or self.is_blocked(ten):
            return None
        return e164

    def _parse_phone(self, value: str) -> str | None:
        try:
            number = phonenumbers.parse(value, self._region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        # Junk patterns are written for the digits people type: check the national number too,
        # so `+1 123 456 7890` and `1-000-000-0000` are as blocked as `1234567890`.
        national: str = phonenumbers.national_significant_number(number)
        if self.is_blocked(e164.lstrip("+")) or self.is_blocked(national):
            return None
        # A few malformed numbers (e.g. `+310000001`) lose digits each time they are parsed
        # again; a value that does not survive its own normalization could never match itself.
        if self._reformatted(e164) != e164:
            return None
        return e164

    def _reformat(self, e164: str) -> str | None:
        try:
            number = phonenumbers.parse(e164, self._region)
        except phonenumbers.NumberParseException:
            return None
        again: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return again

    def keys_of(
        self, identifiers: dict[str, str], source: str, contact_id: str | None
    ) -> list[IdKey]:
        """All usable keys of one event, the contact key included; unknown types are skipped."""
        keys = []
        for type_, raw in identifiers.items():
            if type_ == CONTACT or type_ not in self._strength:
                continue  # the contact key is ours alone: a producer cannot forge one
            value = self.normalize(type_, raw)
            if value is not None:
                keys.append(tuple.__new__(IdKey, (type_, value)))
        if contact_id:
            keys.append(tuple.__new__(IdKey, (CONTACT, f"{source}/{contact_id}")))
        return keys
