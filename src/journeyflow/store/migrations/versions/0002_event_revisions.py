"""Event revisions: a resent event with a higher revision supersedes the stored one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from journeyflow.store.sql_script import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE event_log ADD COLUMN revision bigint NOT NULL DEFAULT 0;
ALTER TABLE event_log DROP CONSTRAINT event_log_idempotency;
ALTER TABLE event_log ADD CONSTRAINT event_log_idempotency UNIQUE (source, event_id, revision);
ALTER TABLE timeline ADD COLUMN revision bigint NOT NULL DEFAULT 0
"""

DOWNGRADE = """
ALTER TABLE timeline DROP COLUMN revision;
DELETE FROM event_log l USING event_log n
    WHERE n.source = l.source AND n.event_id = l.event_id AND n.revision > l.revision;
ALTER TABLE event_log DROP CONSTRAINT event_log_idempotency;
ALTER TABLE event_log ADD CONSTRAINT event_log_idempotency UNIQUE (source, event_id);
ALTER TABLE event_log DROP COLUMN revision
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
