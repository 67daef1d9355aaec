"""Views for Grafana's Postgres data source: the hourly scorecard by intent and channel.

Grafana reads these instead of the bucket tables, so dashboards survive changes to the table
layout. Unknown intents are `unknown` (the buckets store ""); rates are NULL when their
denominator is 0, exactly as `GET /v1/scorecard` answers. The buckets are exact under late events
and merges, unlike Prometheus counters, which cannot go down.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE VIEW grafana_scorecard_hourly AS
WITH sums AS (
    SELECT
        hour,
        COALESCE(NULLIF(intent, ''), 'unknown') AS intent,
        channel,
        sum(contacts)::bigint               AS contacts,
        sum(assisted)::bigint               AS assisted_contacts,
        sum(self_service)::bigint           AS self_service_contacts,
        sum(contained)::bigint              AS contained_contacts,
        sum(repeats)::bigint                AS repeat_contacts,
        sum(transfers)::bigint              AS transfers,
        sum(transferred_contacts)::bigint   AS transferred_contacts,
        sum(escalations)::bigint            AS escalations,
        sum(channel_switches)::bigint       AS channel_switches,
        sum(blind_handoffs)::bigint         AS blind_handoffs,
        sum(repeated_verifications)::bigint AS repeated_verifications,
        sum(journeys)::bigint               AS journeys,
        sum(resolved_journeys)::bigint      AS resolved_journeys,
        sum(handled_contacts)::bigint       AS handled_contacts,
        sum(handle_ms_sum)::bigint          AS handle_ms_sum,
        sum(resolution_ms_sum)::bigint      AS resolution_ms_sum,
        sum(csat_sum)::bigint               AS csat_sum,
        sum(csat_count)::bigint             AS csat_count,
        sum(csat_satisfied)::bigint         AS csat_satisfied,
        sum(nps_promoters)::bigint          AS nps_promoters,
        sum(nps_detractors)::bigint         AS nps_detractors,
        sum(nps_count)::bigint              AS nps_count,
        sum(ces_sum)::bigint                AS ces_sum,
        sum(ces_count)::bigint              AS ces_count
    FROM metric_buckets_hourly
    GROUP BY 1, 2, 3
)
SELECT
    hour,
    intent,
    channel,
    contacts,
    assisted_contacts,
    self_service_contacts,
    contained_contacts,
    repeat_contacts,
    transfers,
    transferred_contacts,
    escalations,
    channel_switches,
    blind_handoffs,
    repeated_verifications,
    journeys,
    resolved_journeys,
    repeat_contacts::float8 / NULLIF(contacts, 0)                  AS repeat_contact_rate,
    transferred_contacts::float8 / NULLIF(assisted_contacts, 0)    AS transfer_rate,
    contained_contacts::float8 / NULLIF(self_service_contacts, 0)  AS containment_rate,
    escalations::float8 / NULLIF(self_service_contacts, 0)         AS escalation_rate,
    blind_handoffs::float8 / NULLIF(channel_switches, 0)           AS blind_handoff_rate,
    repeated_verifications::float8 / NULLIF(contacts, 0)
                                                         AS repeated_verifications_per_contact,
    handle_ms_sum::float8 / 1000 / NULLIF(handled_contacts, 0)     AS aht_seconds,
    resolution_ms_sum::float8 / 1000 / NULLIF(resolved_journeys, 0)
                                                         AS mean_time_to_resolution_seconds,
    csat_sum::float8 / NULLIF(csat_count, 0)                       AS csat_mean,
    csat_satisfied::float8 / NULLIF(csat_count, 0)                 AS csat_satisfied_rate,
    100 * (nps_promoters - nps_detractors)::float8 / NULLIF(nps_count, 0)  AS nps,
    ces_sum::float8 / NULLIF(ces_count, 0)                         AS ces_mean
FROM sums
"""

DOWNGRADE = """
DROP VIEW grafana_scorecard_hourly
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
