"""`journeyflow_log_append(keys json, batch json)`: each event's key columns arrive apart from its
payload, so Postgres reads every payload once instead of twice.

The 0007 function took one array of payloads and read it twice: `json_array_elements` to split
out each element's text, and `json_to_recordset` to pull `source`, `event_id`, `revision` and
`received_at` out of every element, a second full parse that also hashes every field of every
event. Now ingest sends those four columns as their own small array of objects (`keys`, the
same order as `batch`), and only that small array goes through `json_to_recordset`. Measured on
the embedded server, 300,000 of the bench's events in 100-event appends, one connection, two
runs each: Postgres 15.2 -> 12.9 µs an event; the Python that writes the keys costs 0.3 µs.

Ingest processes older than this migration call the one-argument function, which is gone:
upgrade them with the database, as for 0007.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_LOCK = 0x6A66_6C6F_67  # "jflog", as in journeyflow.log.postgres


def _log_append(input_rows: str, arguments: str) -> str:
    return f"""
CREATE FUNCTION journeyflow_log_append({arguments})
RETURNS TABLE (duplicate_source text, duplicate_event_id text)
LANGUAGE plpgsql AS $body$
BEGIN
    -- Appends take turns, so sequence numbers become visible in commit order.
    PERFORM pg_advisory_xact_lock({APPEND_LOCK});
    RETURN QUERY
    WITH input AS ({input_rows}
    ), inserted AS (
        INSERT INTO event_log (source, event_id, revision, received_at, payload)
        SELECT s, i, r, at, payload FROM input
        -- An index probe per event, whatever the statistics said when this plan was cached
        -- (a plan made on an empty log anti-joined a full scan of it; LIMIT rules that out).
        LEFT JOIN LATERAL (
            SELECT 1 AS found FROM event_log l
            WHERE l.source = input.s AND l.event_id = input.i AND l.revision >= input.r
            LIMIT 1
        ) logged ON true
        WHERE logged.found IS NULL
        ORDER BY n
        RETURNING event_log.source, event_log.event_id
    )
    SELECT input.s, input.i FROM input
    WHERE NOT EXISTS (
        SELECT 1 FROM inserted WHERE inserted.source = input.s AND inserted.event_id = input.i
    );
END
$body$
"""


def _input_rows(keys: str) -> str:
    """Each payload of `batch` with its key columns, read from the array named `keys`."""
    return f"""
        SELECT k.source AS s, k.event_id AS i, k.revision AS r, k.received_at AS at,
               e AS payload, n
        FROM json_array_elements(batch) WITH ORDINALITY AS t(e, n)
        JOIN ROWS FROM (
            json_to_recordset({keys})
                AS (source text, event_id text, revision bigint, received_at timestamptz)
        ) WITH ORDINALITY AS k(source, event_id, revision, received_at, m) ON k.m = t.n"""


KEYS_APART = _log_append(_input_rows("keys"), "keys json, batch json")
KEYS_FROM_PAYLOADS = _log_append(_input_rows("batch"), "batch json")  # 0007's function


def upgrade() -> None:
    op.execute("DROP FUNCTION journeyflow_log_append(json)")
    op.execute(KEYS_APART)  # one statement: its body holds semicolons


def downgrade() -> None:
    op.execute("DROP FUNCTION journeyflow_log_append(json, json)")
    op.execute(KEYS_FROM_PAYLOADS)
