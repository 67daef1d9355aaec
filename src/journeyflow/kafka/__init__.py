"""Kafka transport (DESIGN §1, stage 2): topics, clients, the events-topic log, raw-topic
normalizers, dead letters and the processor that applies the events topic to Postgres."""
