"""The FastAPI application: routes, error shapes, and (for `serve`) the service lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.exceptions import RequestValidationError

from journeyflow import __version__, bootstrap
from journeyflow.api.auth import KeyRing
from journeyflow.api.responses import json_response
from journeyflow.api.routes import (
    context,
    customers,
    dead_letters,
    events,
    ingest,
    journeys,
    operations,
    scorecard,
)
from journeyflow.bootstrap import Service
from journeyflow.log import LogUnavailable
from journeyflow.settings import Settings
from journeyflow.store import migrate

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def create_app(settings: Settings, service: Service | None = None) -> FastAPI:
    """An app over `service`; without one, the app starts its own (and its processor) on startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if service is not None:
            app.state.service = service
            yield
            return
        own = await bootstrap.start(settings)
        own.start_processing()
        app.state.service = own
        try:
            yield
        finally:
            await own.close()

    app = FastAPI(
        title="journeyflow",
        version=__version__,
        summary="Streaming journey analytics for contact centres",
        lifespan=lifespan,
    )
    app.state.keyring = KeyRing(bootstrap.api_keys(settings))
    app.state.schema_head = migrate.head_revision()
    if service is not None:
        app.state.service = service
    app.include_router(events.router)
    app.include_router(ingest.router)
    app.include_router(customers.router)
    app.include_router(operations.router)
    app.include_router(scorecard.router)
    app.include_router(journeys.router)
    app.include_router(context.router)
    app.include_router(dead_letters.router)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(LogUnavailable, _log_unavailable)
    app.add_exception_handler(Exception, _unexpected)
    return app


def create_app_from_environment() -> FastAPI:
    """The app of one `serve --workers` process: settings from the environment, read here."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper())
    return create_app(settings)


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
    return json_response({"detail": details}, status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _log_unavailable(request: Request, error: Exception) -> Response:
    """The log could not make the events durable: nothing was accepted, retry later."""
    log.warning("ingest refused, log unavailable: %s", error)
    response = json_response(
        {"detail": f"the event log is unavailable, nothing was accepted; retry later ({error})"},
        status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return json_response(
        {"detail": "internal error"},
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
