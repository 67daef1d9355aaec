"""Ingest: validate what producers send and make it durable in the log (DESIGN §1, stage 1)."""
