"""Contacts, journeys and friction metrics (DESIGN §4), derived from the stitched timeline."""
