"""`make bench`: throughput, freshness and query latency beside the machine's limits."""
