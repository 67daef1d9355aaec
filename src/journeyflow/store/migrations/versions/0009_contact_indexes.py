"""Contacts keep their primary key alone: `contacts_by_customer` and `contacts_by_journey` go.

No statement reads contacts but by customer (`customer_id = ANY(...)` to load a customer's stored
state, `customer_id = $1 AND journey_id = $2` for a journey's contacts), and the primary key
`(customer_id, source, contact_id)` serves both by its leading column, a customer's few rows then
filtered or sorted. Yet every batch rewrites the contacts it re-derived, and each row written
updated three indexes at random places: the two unused ones were most of the Postgres work of
the rewrite's largest table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX contacts_by_customer")
    op.execute("DROP INDEX contacts_by_journey")


def downgrade() -> None:
    op.execute("CREATE INDEX contacts_by_customer ON contacts (customer_id, started_at DESC)")
    op.execute("CREATE INDEX contacts_by_journey ON contacts (journey_id)")
