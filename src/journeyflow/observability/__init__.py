"""Prometheus metrics and logging setup."""
