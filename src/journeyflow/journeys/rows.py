"""Derived state and bucket deltas as the rows their tables take (pure).

A batch rewrites the contacts, journeys and surveys that changed and adds its bucket deltas;
building those rows visits every changed row and every bucket of the batch inside its
transaction, so it is compiled with the rest of the hot path (`journeys.repository` sends them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from journeyflow.journeys.contributions import METRICS, Contributions
from journeyflow.journeys.model import Contact, Derived, Journey, Survey

Row = tuple[Any, ...]

PRIMARY_KEYS: Final = {
    "contacts": (("source", "text"), ("contact_id", "text")),
    "journeys": (("id", "text"),),
    "journey_surveys": (("source", "text"), ("event_id", "text")),
}
"""Each derived table's key within a customer, with its columns' types."""


def rewritten(
    moved: Mapping[int, tuple[Derived, Derived]],
) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """The rows to delete (`customer_id` and the table's key) and to insert (whole rows), by
    table, taking each customer's rows from `old` to `new` (`moved[customer]`): a row in both is
    left alone. Customers in id order."""
    gone: dict[str, list[Row]] = {table: [] for table in PRIMARY_KEYS}
    added: dict[str, list[Row]] = {table: [] for table in PRIMARY_KEYS}
    contacts = (gone["contacts"], added["contacts"])
    journeys = (gone["journeys"], added["journeys"])
    surveys = (gone["journey_surveys"], added["journey_surveys"])
    for customer in sorted(moved):
        old, new = moved[customer]
        _diff(customer, old.contacts, new.contacts, _contact_key, *contacts)
        _diff(customer, old.journeys, new.journeys, _journey_key, *journeys)
        _diff(customer, old.surveys, new.surveys, _survey_key, *surveys)
    return gone, added


T = TypeVar("T", bound=tuple[Any, ...])


def _diff(
    customer: int,
    before: tuple[T, ...],
    after: tuple[T, ...],
    key: Callable[[T], Row],
    gone: list[Row],
    added: list[Row],
) -> None:
    """Add to `gone` the keys of the rows of `before` not in `after`, to `added` the rows of
    `after` not in `before`."""
    if before == after:
        return
    keep = set(after)
    for old_row in before:
        if old_row not in keep:
            gone.append((customer, *key(old_row)))
    was = set(before)
    for new_row in after:
        if new_row not in was:
            added.append((customer, *new_row))


def _contact_key(contact: Contact) -> Row:
    return (contact.source, contact.contact_id)


def _journey_key(journey: Journey) -> Row:
    return (journey.id,)


def _survey_key(survey: Survey) -> Row:
    return (survey.source, survey.event_id)


def bucket_rows(delta: Contributions) -> list[Row]:
    """`delta` as `bucket_delta` rows (the bucket's key, then every metric in column order), in
    bucket order: one lock order for every writer."""
    rows: list[Row] = []
    for bucket in sorted(delta):
        counts = delta[bucket]
        rows.append((*bucket, *[counts.get(metric, 0) for metric in METRICS]))
    return rows
