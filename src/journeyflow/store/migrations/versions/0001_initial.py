"""Event log, processor positions, identity graph and timeline.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from journeyflow.store.sql_script import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE event_log (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text        NOT NULL,
    event_id     text        NOT NULL,
    received_at  timestamptz NOT NULL,
    payload      jsonb       NOT NULL,
    CONSTRAINT event_log_idempotency UNIQUE (source, event_id)
);

CREATE TABLE processor_positions (
    consumer    text PRIMARY KEY,
    position    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE customer_ids AS bigint;

CREATE TABLE customers (
    id           bigint PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    merged_into  bigint REFERENCES customers (id),
    merged_at    timestamptz
);
CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE identifiers (
    type         text        NOT NULL,
    value        text        NOT NULL,
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL,
    PRIMARY KEY (type, value)
);
CREATE INDEX identifiers_customer ON identifiers (customer_id);

CREATE TABLE identity_merges (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_customer  bigint      NOT NULL REFERENCES customers (id),
    into_customer  bigint      NOT NULL REFERENCES customers (id),
    source         text        NOT NULL,
    event_id       text        NOT NULL,
    rule           text        NOT NULL,
    merged_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_merges_into ON identity_merges (into_customer);
CREATE INDEX identity_merges_from ON identity_merges (from_customer);

CREATE TABLE identity_conflicts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source             text        NOT NULL,
    event_id           text        NOT NULL,
    identifier_type    text        NOT NULL,
    identifier_value   text        NOT NULL,
    customer_id        bigint      NOT NULL,
    other_customer_id  bigint,
    reason             text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_conflicts_customer ON identity_conflicts (customer_id);

CREATE TABLE timeline (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    source       text        NOT NULL,
    event_id     text        NOT NULL,
    kind         text        NOT NULL,
    channel      text        NOT NULL,
    contact_id   text,
    payload      jsonb       NOT NULL,
    CONSTRAINT timeline_idempotency UNIQUE (source, event_id)
);
CREATE INDEX timeline_by_customer ON timeline (customer_id, occurred_at, id);
"""

DOWNGRADE = """
DROP TABLE timeline, identity_conflicts, identity_merges, identifiers, customers,
    processor_positions, event_log;
DROP SEQUENCE customer_ids;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
