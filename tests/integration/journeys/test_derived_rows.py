"""Storing a customer's derived rows: what changed or is gone is deleted, what changed or is new
is inserted, and what did not change is not touched."""

from __future__ import annotations

from support.journey_events import at, contact, fact

from journeyflow.bootstrap import Service
from journeyflow.journeys import repository
from journeyflow.journeys.definitions import Definitions
from journeyflow.journeys.derive import derive
from journeyflow.journeys.model import Derived

DEFS = Definitions()
CUSTOMER = 7


def as_sets(derived: Derived) -> tuple[set[object], set[object], set[object]]:
    return set(derived.contacts), set(derived.journeys), set(derived.surveys)


async def row_versions(service: Service) -> dict[str, int]:
    """Each stored contact's row version (`xmin` moves when a row is written again)."""
    rows = await service.pool.fetch(
        "SELECT contact_id, xmin::text::bigint AS version FROM contacts WHERE customer_id = $1",
        CUSTOMER,
    )
    return {r["contact_id"]: r["version"] for r in rows}


async def test_a_rewrite_leaves_the_stored_rows_equal_to_the_new_state(service: Service) -> None:
    kept = contact("kept", at(days=-30), intent="billing")  # alone, far from the others
    changed = contact("changed", at(0), intent="fraud")
    vanishing = contact("vanishing", at(60), "chat", source="chat", intent="fraud")
    survey = fact("survey.responded", at(10), "email", contact_id="changed", csat=4)
    old = derive([*kept, *changed, *vanishing, survey], DEFS)
    resolved = fact("contact.ended", at(9), "voice", contact_id="changed", outcome="resolved")
    new_one = contact("new", at(120), intent="fraud")
    new = derive([*kept, *changed, resolved, *new_one, survey], DEFS)  # "vanishing" revised away
    async with service.pool.acquire() as connection, connection.transaction():
        await repository.rewrite(connection, {CUSTOMER: (repository.EMPTY, old)})
    before = await row_versions(service)

    async with service.pool.acquire() as connection, connection.transaction():
        await repository.rewrite(connection, {CUSTOMER: (old, new)})

    async with service.pool.acquire() as connection:
        stored = await repository.load_derived(connection, [CUSTOMER])
    assert as_sets(stored[CUSTOMER]) == as_sets(new)
    after = await row_versions(service)
    assert set(after) == {"kept", "changed", "new"}
    assert after["kept"] == before["kept"]  # not written again
    assert after["changed"] != before["changed"]


async def test_rows_of_another_customer_with_the_same_keys_are_left_alone(
    service: Service,
) -> None:
    # A merge moves a contact's rows from one customer to another: same keys, two customers;
    # a third customer holding rows of the same keys is not part of the rewrite at all.
    merged, survivor, bystander = CUSTOMER, CUSTOMER + 1, CUSTOMER + 2
    rows = derive(contact("c1", at(0)), DEFS)
    moved = derive(
        [
            *contact("c1", at(0)),
            fact("contact.ended", at(3), "voice", contact_id="c1", outcome="resolved"),
        ],
        DEFS,
    )
    async with service.pool.acquire() as connection, connection.transaction():
        for customer in (merged, survivor, bystander):
            await repository.rewrite(connection, {customer: (repository.EMPTY, rows)})
    async with service.pool.acquire() as connection, connection.transaction():
        await repository.rewrite(
            connection, {merged: (rows, repository.EMPTY), survivor: (rows, moved)}
        )
    async with service.pool.acquire() as connection:
        stored = await repository.load_derived(connection, [merged, survivor, bystander])
    assert merged not in stored
    assert as_sets(stored[survivor]) == as_sets(moved)
    assert as_sets(stored[bystander]) == as_sets(rows)
