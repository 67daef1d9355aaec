"""Identity resolution: one profile per real customer across channels (DESIGN §3)."""
