"""Alembic environment: always handed a live connection by `journeyflow.store.migrate`."""

from alembic import context
from sqlalchemy import text

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    # Serialize concurrent upgrades (serve and process starting together).
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('journeyflow.migrate'))"))
    context.run_migrations()
