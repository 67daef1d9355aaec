"""A seeded population of customers whose identifiers are scattered across channels.

Each person has phones, e-mails, an account, a chat login, a CRM and a billing id. No single
system sees them all: the IVR sees a phone (formatted five different ways) and sometimes the
account, chat sees the chat login and an e-mail (in any case, padded), billing its own customer id,
the CRM a case with e-mail or phone. Junk that real agents type (`0000000000`, `unknown`,
`noreply@…`) sits beside real values. Every person's identifiers are connected through at least
one event that carries two of them, so a correct stitcher finds exactly one customer per person,
whatever the arrival order. `deliveries()` adds resent duplicates and late arrivals.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

INTENTS = ("billing_dispute", "plan_change", "technical_issue", "order_status", "cancel")
JUNK_PHONES = ("0000000000", "000-000-0000", "unknown")
JUNK_EMAILS = ("noreply@example.com", "no-reply@shop.example", "unknown")


@dataclass
class Person:
    """The ground truth about one customer, which no single source system sees."""

    index: int
    phones: list[str]
    emails: list[str]
    account_id: str
    chat_user_id: str
    crm_contact_id: str
    billing_customer_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    dialled: set[str] = field(default_factory=set)
    """Phone numbers (digits) some event carried, in whatever format."""

    @property
    def identifiers(self) -> dict[str, list[str]]:
        """Canonical values that some event carried, as a stitcher should store them."""
        every = {
            "phone": [f"+1{p}" for p in self.phones],
            "email": self.emails,
            "account_id": [self.account_id],
            "chat_user_id": [self.chat_user_id],
            "crm_contact_id": [self.crm_contact_id],
            "billing_customer_id": [self.billing_customer_id],
        }
        carried = {
            (type_, value.strip().lower())
            for event in self.events
            for type_, value in event.get("identifiers", {}).items()
        }
        carried |= {("phone", f"+1{p}") for p in self.dialled}
        return {
            type_: used
            for type_, values in every.items()
            if (used := [v for v in values if (type_, v.lower()) in carried])
        }


def phone_style(digits: str, style: int) -> str:
    """Five ways people and systems write one North American number."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return (
        f"({a}) {b}-{c}",
        f"{a}.{b}.{c}",
        f"+1 {a} {b} {c}",
        f"1-{a}-{b}-{c}",
        f" {digits} ",
    )[style % 5]


def email_style(email: str, style: int) -> str:
    local, _, domain = email.partition("@")
    return (email, email.upper(), f"  {local.title()}@{domain.upper()} ", f"{email}\t")[style % 4]


class Population:
    def __init__(self, people: int, *, seed: int = 7, start: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.start = start or datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
        self.people = [self._person(i) for i in range(people)]
        self._serial = 0
        for person in self.people:
            self._journeys(person)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for person in self.people for event in person.events]

    def deliveries(self, *, duplicates: float = 0.02, late: float = 0.05) -> list[dict[str, Any]]:
        """Events in arrival order: by event time, some late, some resent."""
        ordered = sorted(self.events, key=lambda e: e["occurred_at"])
        arrivals: list[tuple[float, dict[str, Any]]] = []
        for position, event in enumerate(ordered):
            delay = self.rng.uniform(50, 800) if self.rng.random() < late else 0.0
            arrivals.append((position + delay, event))
            if self.rng.random() < duplicates:
                arrivals.append((position + self.rng.uniform(1, 200), event))
        return [event for _, event in sorted(arrivals, key=lambda pair: pair[0])]

    # -- people --------------------------------------------------------------------------
    def _person(self, i: int) -> Person:
        rng = self.rng
        phones = [f"415{rng.randrange(2_000_000, 9_999_999)}"]
        if rng.random() < 0.3:
            phones.append(f"628{rng.randrange(2_000_000, 9_999_999)}")
        emails = [f"person{i}@example.org"]
        if rng.random() < 0.3:
            emails.append(f"p{i}.alt@mail.example")
        return Person(
            index=i,
            phones=phones,
            emails=emails,
            account_id=f"AC-{100000 + i}",
            chat_user_id=f"chat-{i:05d}",
            crm_contact_id=f"003{i:012d}",
            billing_customer_id=f"cus_B{i:08d}",
        )

    # -- events --------------------------------------------------------------------------
    def _journeys(self, person: Person) -> None:
        rng = self.rng
        at = self.start + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        # The CRM case links e-mail and phone: the bridge every later channel connects through.
        self._case(person, at, bridge=True)
        for _ in range(rng.randrange(4, 9)):
            at += timedelta(minutes=rng.randrange(5, 60 * 48))
            kind = rng.choice(("ivr", "chat", "web", "billing", "case", "ivr", "chat"))
            {
                "ivr": self._call,
                "chat": self._chat,
                "web": self._web,
                "billing": self._billing,
                "case": self._case,
            }[kind](person, at)

    def _event(self, person: Person, at: datetime, **fields: Any) -> dict[str, Any]:
        self._serial += 1
        event = {
            "event_id": f"{fields['source']}-{self._serial}",
            "occurred_at": at.isoformat(),
            **fields,
        }
        person.events.append(event)
        return event

    def _phone(self, person: Person) -> str:
        digits = self.rng.choice(person.phones)
        person.dialled.add(digits)
        return phone_style(digits, self.rng.randrange(5))

    def _email(self, person: Person) -> str:
        return email_style(self.rng.choice(person.emails), self.rng.randrange(4))

    def _call(self, person: Person, at: datetime) -> None:
        rng = self.rng
        contact = f"call-{self._serial}"
        ids: dict[str, str] = {"phone": self._phone(person)}
        if rng.random() < 0.4:
            ids["account_id"] = person.account_id
        if rng.random() < 0.1 and "account_id" in ids:
            ids["phone"] = rng.choice(JUNK_PHONES)  # withheld caller id, account keyed in
        intent = rng.choice(INTENTS)
        common = {"source": "ivr", "contact_id": contact, "intent": intent}
        self._event(person, at, kind="contact.started", channel="ivr", identifiers=ids, **common)
        if rng.random() < 0.5:
            self._event(
                person,
                at + timedelta(seconds=90),
                kind="identity.verified",
                channel="ivr",
                identifiers={"account_id": person.account_id},
                **common,
            )
        self._event(
            person,
            at + timedelta(minutes=4),
            kind="contact.escalated",
            channel="voice",
            agent_id=f"agent-{rng.randrange(40)}",
            queue="care",
            **common,
        )
        self._event(
            person,
            at + timedelta(minutes=12),
            kind="contact.ended",
            channel="voice",
            outcome=rng.choice(("resolved", "unresolved")),
            measures={"handle_seconds": rng.randrange(120, 900)},
            **common,
        )

    def _chat(self, person: Person, at: datetime) -> None:
        rng = self.rng
        contact = f"chat-{self._serial}"
        ids = {"chat_user_id": person.chat_user_id, "email": self._email(person)}
        if rng.random() < 0.2:
            ids["phone"] = self._phone(person)
        common = {"source": "chat", "contact_id": contact, "intent": rng.choice(INTENTS)}
        self._event(person, at, kind="contact.started", channel="bot", identifiers=ids, **common)
        self._event(
            person,
            at + timedelta(minutes=6),
            kind="contact.ended",
            channel="chat",
            identifiers={"chat_user_id": person.chat_user_id},
            outcome=rng.choice(("resolved", "unresolved", "abandoned")),
            **common,
        )

    def _web(self, person: Person, at: datetime) -> None:
        self._event(
            person,
            at,
            source="web",
            kind="touchpoint.viewed",
            channel="web",
            identifiers={"email": self._email(person), "device_id": f"dev-{person.index}"},
            attributes={"page": self.rng.choice(("/billing", "/plans", "/help/reset"))},
        )

    def _billing(self, person: Person, at: datetime) -> None:
        ids = {"billing_customer_id": person.billing_customer_id, "email": self._email(person)}
        if self.rng.random() < 0.2:
            ids["phone"] = "0000000000"
        self._event(
            person,
            at,
            source="billing",
            kind=self.rng.choice(("billing.payment_failed", "billing.invoice_paid")),
            channel="billing",
            identifiers=ids,
        )

    def _case(self, person: Person, at: datetime, bridge: bool = False) -> None:
        rng = self.rng
        ids = {"crm_contact_id": person.crm_contact_id}
        if bridge:
            first_phone, first_email = person.phones[0], person.emails[0]
            person.dialled.add(first_phone)
            ids |= {
                "email": email_style(first_email, rng.randrange(4)),
                "phone": phone_style(first_phone, rng.randrange(5)),
            }
            for extra_phone in person.phones[1:]:
                self._event(
                    person,
                    at - timedelta(minutes=1),
                    source="crm",
                    kind="case.updated",
                    channel="email",
                    identifiers={"crm_contact_id": person.crm_contact_id, "phone": extra_phone},
                )
                person.dialled.add(extra_phone)
            for extra_email in person.emails[1:]:
                self._event(
                    person,
                    at - timedelta(minutes=2),
                    source="crm",
                    kind="case.updated",
                    channel="email",
                    identifiers={
                        "crm_contact_id": person.crm_contact_id,
                        "email": extra_email,
                        "account_id": person.account_id,
                    },
                )
            ids["account_id"] = person.account_id
        elif rng.random() < 0.1:
            ids["email"] = rng.choice(JUNK_EMAILS)
        elif rng.random() < 0.5:
            ids["email"] = self._email(person)
        else:
            ids["phone"] = self._phone(person)
        self._event(
            person,
            at,
            source="crm",
            kind="case.opened",
            channel="email",
            identifiers=ids,
            intent=rng.choice(INTENTS),
        )


def batches(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
