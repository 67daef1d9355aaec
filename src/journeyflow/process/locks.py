"""The locks that keep batch transactions from interleaving, for work that must not either.

The embedded processor locks its position row; Kafka processors take one transaction-level
advisory lock. Maintenance that rewrites derived state (erasure) takes both, in this order.
"""

from __future__ import annotations

from journeyflow.store.database import Connection

PROCESS_LOCK = 0x6A66_7072_6F63  # "jfproc"
EMBEDDED_CONSUMER = "event_log"


async def pause_processing(connection: Connection) -> None:
    """Inside a transaction: wait for the batch in flight, and keep new ones out until commit."""
    await connection.execute("SELECT pg_advisory_xact_lock($1)", PROCESS_LOCK)
    await connection.execute(
        "SELECT 1 FROM processor_positions WHERE consumer = $1 FOR UPDATE", EMBEDDED_CONSUMER
    )
