"""Synthetic, seeded contact-centre traffic: for demos, tests and benchmarks."""
