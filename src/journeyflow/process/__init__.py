"""Processing: apply log batches to Postgres, exactly once (DESIGN §1, stage 3)."""
