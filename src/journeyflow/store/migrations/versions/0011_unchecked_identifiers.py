"""Identifiers drop their foreign key to `customers`, as the timeline and derived tables did (0006).

Most identifiers a batch writes are new (0.57 an event over the bench's 300k events, against 0.27
known ones widened), and each inserted row fired the key's check: an index probe and a row lock
on `customers`, run once per row at the end of the upsert. The upsert is the largest statement a
batch runs on the processor's critical path (3.1 s of a 16 s run over 300k events, timed with
`log_min_duration_statement`). Measured on the bench's processed database, the same 45,000
staged rows (30,000 new) in four interleaved pairs: 501 ms with the check, 329 ms without.

Nothing needs the check: every writer of an identifier is a batch transaction that created or
holds its profile first (`identity.repository.apply_plan` creates profiles before
`record_identifiers`; a merge points identifiers at the survivor, which stays), and profiles are
deleted only by an erasure, which pauses processing and deletes the profile's identifiers in
the same transaction. The identity graph's rare writes (merges, conflicts, `merged_into`) keep
their keys.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE identifiers DROP CONSTRAINT identifiers_customer_id_fkey")


def downgrade() -> None:
    op.execute(
        "ALTER TABLE identifiers ADD CONSTRAINT identifiers_customer_id_fkey"
        " FOREIGN KEY (customer_id) REFERENCES customers (id)"
    )
