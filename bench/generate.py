"""Seeded load generator: realistic contact-centre traffic, as unified events.

Each person has identifiers scattered over systems (the IVR sees a phone written five ways and
sometimes the account, chat sees the chat login and an e-mail, billing its own id, the CRM a case
with e-mail and phone). People make journeys of one to four contacts on the same intent: IVR calls
escalated to an agent and sometimes transferred, bot chats handed to a human, web visits, billing
events, verifications (sometimes repeated), surveys, cases opened and resolved; some channel
switches carry the context (`previous_contact_ref`), others are blind. `deliveries()` delays a
share of events (late arrivals) and resends some (duplicates), with a bounded buffer so a
stream of any length is generated in constant memory. Person *i* depends only on `(seed, i)`,
so any slice of the population is reproducible on its own.

    python -m bench.generate --people 1000 > events.jsonl
    python -m bench.generate --people 100000 --post http://127.0.0.1:8000 --rate 5000 --key KEY
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

TIMELINE_COLUMNS = (
    "customer_id",
    "occurred_at",
    "received_at",
    "source",
    "event_id",
    "revision",
    "kind",
    "channel",
    "contact_id",
    "payload",
)
"""Columns of the `timeline` table as the bench COPY-loads it."""

INTENTS = ("billing_dispute", "plan_change", "technical_issue", "order_status", "cancel")
DEPARTMENTS = ("care", "billing", "tech", "retention")
Event = dict[str, Any]


def phone_style(digits: str, style: int) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return (f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"1-{a}-{b}-{c}", digits)[style]


class Person:
    """One customer's events; everything random comes from `Random(seed * 1_000_003 + index)`."""

    def __init__(self, seed: int, index: int, start: datetime, span: timedelta) -> None:
        self.rng = random.Random(seed * 1_000_003 + index)
        self.i = index
        self.tag = f"{seed}x{index}"
        self.start = start + timedelta(seconds=self.rng.uniform(0, span.total_seconds()))
        area = self.rng.choice(("415", "628", "212", "312", "646"))
        self.phone = f"{area}{2_000_000 + index % 7_000_000}"  # unique below 7M people
        self.email = f"person{self.tag}@example.org"
        self.serial = 0
        self.events: list[Event] = []

    def event(self, at: datetime, **fields: Any) -> Event:
        self.serial += 1
        event = {"event_id": f"{self.tag}-{self.serial}", "occurred_at": at.isoformat(), **fields}
        self.events.append(event)
        return event

    def ids(self, *types: str) -> dict[str, str]:
        every = {
            "phone": phone_style(self.phone, self.rng.randrange(5)),
            "email": self.email if self.rng.random() < 0.7 else f"  {self.email.upper()} ",
            "account_id": f"AC-{self.tag}",
            "chat_user_id": f"chat-{self.tag}",
            "crm_contact_id": f"003-{self.tag}",
            "billing_customer_id": f"cus_{self.tag}",
            "device_id": f"dev-{self.tag}",
        }
        return {t: every[t] for t in types}


def person_events(seed: int, index: int, start: datetime, span: timedelta) -> list[Event]:
    """The events of person `index`, by event time."""
    p = Person(seed, index, start, span)
    rng = p.rng
    at = p.start
    p.event(
        at,
        source="crm",
        kind="case.updated",
        channel="email",
        identifiers=p.ids("crm_contact_id", "email", "phone", "account_id"),
    )
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        at += timedelta(hours=rng.uniform(1, 96))
        intent = rng.choice(INTENTS)
        previous: str | None = None
        for _n in range(rng.choice((1, 1, 2, 2, 3, 4))):
            if rng.random() < 0.3:
                p.event(
                    at - timedelta(minutes=3),
                    source="web",
                    kind="touchpoint.viewed",
                    channel="web",
                    identifiers=p.ids("email", "device_id"),
                    attributes={"page": rng.choice(("/billing", "/plans", "/help"))},
                )
            channel = rng.choice(("ivr", "ivr", "chat", "chat", "voice"))
            previous = _contact(p, at, channel, intent, previous)
            at += timedelta(hours=rng.uniform(0.5, 60))
        if rng.random() < 0.3:
            p.event(
                at,
                source="crm",
                kind="case.resolved",
                channel="email",
                identifiers=p.ids("crm_contact_id"),
                intent=intent,
            )
        if rng.random() < 0.2:
            p.event(
                at,
                source="billing",
                kind=rng.choice(("billing.payment_failed", "billing.invoice_paid")),
                channel="billing",
                identifiers=p.ids("billing_customer_id", "email"),
            )
    return p.events


def _contact(p: Person, at: datetime, channel: str, intent: str, previous: str | None) -> str:
    rng = p.rng
    source = "chat" if channel == "chat" else "ivr"
    contact = f"{source}-{p.tag}-{p.serial}"
    first = {"ivr": "ivr", "voice": "voice", "chat": "bot"}[channel]
    ids = p.ids("chat_user_id", "email") if source == "chat" else p.ids("phone")
    if source == "ivr" and rng.random() < 0.3:
        ids |= p.ids("account_id")
    common: Event = {"source": source, "contact_id": contact, "intent": intent}
    ref = {"previous_contact_ref": previous} if previous and rng.random() < 0.5 else {}
    p.event(at, kind="contact.started", channel=first, identifiers=ids, **common, **ref)
    t = at + timedelta(seconds=rng.uniform(20, 120))
    if rng.random() < 0.5:
        p.event(
            t, kind="identity.verified", channel=first, identifiers=p.ids("account_id"), **common
        )
    agent_channel = "chat" if source == "chat" else "voice"
    if first != "voice" and rng.random() < 0.25:  # contained in self-service
        p.event(
            t + timedelta(minutes=2),
            kind="contact.ended",
            channel=first,
            outcome="resolved",
            **common,
        )
        return contact
    department = rng.choice(DEPARTMENTS)
    agent = f"agent-{rng.randrange(200)}"
    if first != "voice":
        p.event(
            t,
            kind="contact.escalated",
            channel=agent_channel,
            agent_id=agent,
            to={"queue": department, "department": department, "agent_id": agent},
            **common,
        )
    if rng.random() < 0.3:
        t += timedelta(minutes=rng.uniform(1, 8))
        other = rng.choice(DEPARTMENTS)
        agent = f"agent-{rng.randrange(200)}"
        p.event(
            t,
            kind="contact.transferred",
            channel=agent_channel,
            agent_id=agent,
            **{"from": {"department": department}, "to": {"department": other, "agent_id": agent}},
            **common,
        )
        department = other
    t += timedelta(minutes=rng.uniform(2, 15))
    p.event(
        t,
        kind="contact.ended",
        channel=agent_channel,
        agent_id=agent,
        department=department,
        outcome=rng.choice(("resolved", "resolved", "unresolved")),
        measures={
            "handle_seconds": round(rng.uniform(60, 900), 1),
            "wait_seconds": round(rng.uniform(0, 300), 1),
        },
        **common,
    )
    if rng.random() < 0.3:
        p.event(
            t + timedelta(minutes=5),
            kind="survey.responded",
            channel=agent_channel,
            measures={"csat": rng.randint(1, 5), "nps": rng.randint(0, 10)},
            **common,
        )
    return contact


def events(
    people: int,
    *,
    seed: int = 7,
    first: int = 0,
    start: datetime | None = None,
    span: timedelta = timedelta(days=30),
) -> Iterator[Event]:
    """Every event of people `first .. first + people - 1`, person after person."""
    start = start or datetime(2026, 10, 1, tzinfo=UTC)
    for index in range(first, first + people):
        yield from person_events(seed, index, start, span)


def deliveries(
    stream: Iterable[Event],
    *,
    seed: int = 7,
    late: float = 0.03,
    duplicates: float = 0.01,
    window: int = 5000,
) -> Iterator[Event]:
    """Arrival order: most events in turn, `late` of them up to `window` positions later,
    `duplicates` of them sent once more later (same id: an idempotent resend)."""
    rng = random.Random(seed)
    held: list[tuple[int, int, Event]] = []
    for position, event in enumerate(stream):
        while held and held[0][0] <= position:
            yield heapq.heappop(held)[2]
        if rng.random() < late:
            heapq.heappush(held, (position + rng.randrange(1, window), position, event))
        else:
            yield event
        if rng.random() < duplicates:
            heapq.heappush(held, (position + rng.randrange(1, window), -position - 1, event))
    while held:
        yield heapq.heappop(held)[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--post", metavar="URL", help="post to a running service instead")
    parser.add_argument("--key", help="API key with ingest scopes (for --post)")
    parser.add_argument("--rate", type=float, default=5000, help="events/s when posting")
    parser.add_argument("--batch", type=int, default=100, help="events per request when posting")
    parser.add_argument("--now", action="store_true", help="event times around now (live)")
    args = parser.parse_args(argv)
    start = datetime.now(UTC) - timedelta(days=2) if args.now else None
    stream = deliveries(events(args.people, seed=args.seed, start=start), seed=args.seed)
    if args.post:
        from bench.load import post_at_rate

        post_at_rate(stream, args.post, args.key or "", args.rate, args.batch)
        return
    out = sys.stdout.buffer
    for event in stream:
        out.write(orjson.dumps(event) + b"\n")


if __name__ == "__main__":
    main()
