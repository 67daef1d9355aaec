"""Derived state and bucket deltas as the rows their tables take."""

from __future__ import annotations

from support.journey_events import at

from journeyflow.journeys.contributions import METRICS, Bucket
from journeyflow.journeys.model import Contact, Derived, Journey, Survey
from journeyflow.journeys.rows import bucket_rows, rewritten

SURVEY = Survey("chat", "s1", at(5), at(5), "chat", None, None, "chat", csat=5)


def contact(contact_id: str, outcome: str | None = None) -> Contact:
    return Contact("chat", contact_id, at(0), "chat", outcome=outcome)


def journey(first: str) -> Journey:
    return Journey(f"jny_{first}", at(0), at(0), None, "chat", None, "chat", 1, ("chat",))


def test_rows_in_both_states_are_neither_deleted_nor_inserted() -> None:
    kept, changed, ended = contact("a"), contact("b"), contact("b", outcome="resolved")
    old = Derived((kept, changed), (journey("a"),), (SURVEY,))
    new = Derived((kept, ended), (journey("a"),), (SURVEY,))

    gone, added = rewritten({7: (old, new)})

    assert gone == {"contacts": [(7, "chat", "b")], "journeys": [], "journey_surveys": []}
    assert added == {"contacts": [(7, *ended)], "journeys": [], "journey_surveys": []}


def test_each_table_is_deleted_from_by_its_own_key() -> None:
    old = Derived((contact("a"),), (journey("a"),), (SURVEY,))

    gone, added = rewritten({3: (old, Derived((), (), ()))})

    assert gone == {
        "contacts": [(3, "chat", "a")],
        "journeys": [(3, "jny_a")],
        "journey_surveys": [(3, "chat", "s1")],
    }
    assert added == {"contacts": [], "journeys": [], "journey_surveys": []}


def test_customers_are_written_in_id_order() -> None:
    empty = Derived((), (), ())
    moved = {
        9: (empty, Derived((contact("x"),), (), ())),
        2: (empty, Derived((contact("y"),), (), ())),
    }

    _, added = rewritten(moved)

    assert [row[0] for row in added["contacts"]] == [2, 9]


def test_bucket_rows_list_every_metric_in_column_order_with_zeros_and_buckets_in_order() -> None:
    late = Bucket(at(2), "voice", "", "", "ivr")
    early = Bucket(at(1), "voice", "", "", "ivr")

    rows = bucket_rows({late: {"transfers": 2}, early: {"contacts": 1, "ces_count": -1}})

    assert [row[:5] for row in rows] == [tuple(early), tuple(late)]
    assert rows[0][5:] == tuple(
        {"contacts": 1, "ces_count": -1}.get(metric, 0) for metric in METRICS
    )
    assert rows[1][5 + METRICS.index("transfers")] == 2
    assert sum(rows[1][5:]) == 2
