"""Postgres: connection, embedded server, schema migrations."""
