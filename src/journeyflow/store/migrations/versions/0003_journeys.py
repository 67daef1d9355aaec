"""Contacts, journeys, attributed surveys, and per-minute and per-hour metric buckets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from journeyflow.store.sql_script import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

METRICS = (
    "contacts",
    "assisted",
    "self_service",
    "contained",
    "repeats",
    "followed_by_repeat",
    "transfers",
    "transferred_contacts",
    "escalations",
    "channel_switches",
    "blind_handoffs",
    "repeated_verifications",
    "handled_contacts",
    "handle_ms_sum",
    "journeys",
    "resolved_journeys",
    "resolution_ms_sum",
    "csat_sum",
    "csat_count",
    "csat_satisfied",
    "nps_promoters",
    "nps_detractors",
    "nps_count",
    "ces_sum",
    "ces_count",
)
_COLUMNS = ",\n    ".join(f"{m} bigint NOT NULL DEFAULT 0" for m in METRICS)

UPGRADE = f"""
CREATE TABLE contacts (
    customer_id             bigint      NOT NULL REFERENCES customers (id),
    source                  text        NOT NULL,
    contact_id              text        NOT NULL,
    journey_id              text        NOT NULL,
    started_at              timestamptz NOT NULL,
    channel                 text        NOT NULL,
    intent                  text,
    department              text,
    ended_at                timestamptz,
    outcome                 text,
    outcome_at              timestamptz,
    assisted                boolean     NOT NULL,
    self_service            boolean     NOT NULL,
    transfers               integer     NOT NULL,
    escalations             integer     NOT NULL,
    handle_ms               bigint,
    previous_contact_ref    text,
    verified_at             timestamptz[] NOT NULL,
    repeat                  boolean     NOT NULL,
    followed_by_repeat      boolean     NOT NULL,
    repeated_verifications  integer     NOT NULL,
    switched_from           text,
    blind_handoff           boolean     NOT NULL,
    PRIMARY KEY (customer_id, source, contact_id)
);
CREATE INDEX contacts_by_customer ON contacts (customer_id, started_at DESC);
CREATE INDEX contacts_by_journey ON contacts (journey_id);

CREATE TABLE journeys (
    customer_id        bigint      NOT NULL REFERENCES customers (id),
    id                 text        NOT NULL,
    started_at         timestamptz NOT NULL,
    last_contact_at    timestamptz NOT NULL,
    intent             text,
    channel            text        NOT NULL,
    department         text,
    source             text        NOT NULL,
    contacts           integer     NOT NULL,
    channels           text[]      NOT NULL,
    transfers          integer     NOT NULL,
    escalations        integer     NOT NULL,
    channel_switches   integer     NOT NULL,
    blind_handoffs     integer     NOT NULL,
    verifications      integer     NOT NULL,
    first_verified_at  timestamptz,
    last_verified_at   timestamptz,
    resolved_at        timestamptz,
    PRIMARY KEY (customer_id, id)
);
CREATE INDEX journeys_by_customer ON journeys (customer_id, started_at DESC);
CREATE INDEX journeys_by_id ON journeys (id);

CREATE TABLE journey_surveys (
    customer_id     bigint      NOT NULL REFERENCES customers (id),
    source          text        NOT NULL,
    event_id        text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    minute          timestamptz NOT NULL,
    channel         text        NOT NULL,
    intent          text,
    department      text,
    bucket_source   text        NOT NULL,
    contact_source  text,
    contact_id      text,
    csat            smallint,
    nps             smallint,
    ces             smallint,
    PRIMARY KEY (customer_id, source, event_id)
);
CREATE INDEX journey_surveys_by_customer ON journey_surveys (customer_id, occurred_at DESC);

CREATE TABLE metric_buckets (
    minute      timestamptz NOT NULL,
    channel     text        NOT NULL,
    intent      text        NOT NULL,
    department  text        NOT NULL,
    source      text        NOT NULL,
    {_COLUMNS},
    PRIMARY KEY (minute, channel, intent, department, source)
);

CREATE TABLE metric_buckets_hourly (
    hour        timestamptz NOT NULL,
    channel     text        NOT NULL,
    intent      text        NOT NULL,
    department  text        NOT NULL,
    source      text        NOT NULL,
    {_COLUMNS},
    PRIMARY KEY (hour, channel, intent, department, source)
)
"""

DOWNGRADE = """
DROP TABLE metric_buckets_hourly, metric_buckets, journey_surveys, journeys, contacts
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
