"""Read models over Postgres: profiles, lookups, timelines (DESIGN §1, stage 4)."""
