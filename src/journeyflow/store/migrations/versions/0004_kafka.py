"""Kafka positions stored with the effects, and dead letters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from journeyflow.store.sql_script import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE kafka_positions (
    consumer_group  text        NOT NULL,
    topic           text        NOT NULL,
    partition       integer     NOT NULL,
    next_offset     bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

CREATE TABLE dead_letters (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at    timestamptz NOT NULL DEFAULT now(),
    stage         text        NOT NULL,
    format        text,
    topic         text        NOT NULL,
    partition     integer     NOT NULL,
    "offset"      bigint      NOT NULL,
    key           bytea,
    value         bytea       NOT NULL,
    reason        text        NOT NULL,
    error         text        NOT NULL,
    replayed_at   timestamptz,
    CONSTRAINT dead_letters_origin UNIQUE (topic, partition, "offset")
)
"""

DOWNGRADE = """
DROP TABLE dead_letters, kafka_positions
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
