"""HTTP edge: FastAPI app, authentication, routes."""
