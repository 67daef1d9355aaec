"""`identity_writes`: a sequence every identity-writing transaction draws from before it writes.

A processor plans a batch's stitching ahead, at the end of the batch before (see
`journeyflow.process.batch`), from what the identity tables said then. The plan holds if nobody
has written identifiers or profiles since: each batch and each erasure draws a value from this
sequence after taking its locks and before writing them, so a `last_value` still equal to the
planning batch's own draw says nobody has. A draw by a transaction that then rolled back only
makes a plan be made again. A sequence, not a counter row: drawing writes no row versions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE identity_writes AS bigint")


def downgrade() -> None:
    op.execute("DROP SEQUENCE identity_writes")
