"""Processing throughput: customer state versions; no per-row foreign-key checks on hot tables.

`customers.state_version`: every change to a customer's timeline or derived state stamps it. A
processor keeps the histories and derived state of recently active customers in memory and
trusts an entry only while the customer's `state_version` is still the one it stamped; any other
writer (another processor, a replay, a rolled-back batch) leaves a different value, so the entry
is read again from the tables. Values come from a sequence and are never reused.

The timeline and the derived tables drop their foreign keys to `customers`: each inserted row
cost an index probe and a row lock on `customers` (a third of the timeline's COPY time, measured
with `make bench`), and every writer of these rows is a batch transaction that has created or
locked the customer first (erasure deletes them together). The identity graph keeps its keys.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from journeyflow.store.sql_script import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNCHECKED = ("timeline", "contacts", "journeys", "journey_surveys")

UPGRADE = f"""
CREATE SEQUENCE customer_state_versions AS bigint;
ALTER TABLE customers ADD COLUMN state_version bigint NOT NULL DEFAULT 0;
{";".join(f"ALTER TABLE {t} DROP CONSTRAINT {t}_customer_id_fkey" for t in UNCHECKED)}
"""

DOWNGRADE = f"""
{
    ";".join(
        f"ALTER TABLE {t} ADD CONSTRAINT {t}_customer_id_fkey"
        " FOREIGN KEY (customer_id) REFERENCES customers (id)"
        for t in UNCHECKED
    )
};
ALTER TABLE customers DROP COLUMN state_version;
DROP SEQUENCE customer_state_versions
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
