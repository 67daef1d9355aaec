"""`journeyflow kafka create-topics` and `journeyflow dlq replay`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from journeyflow.kafka import clients
from journeyflow.kafka.settings import KafkaSettings
from journeyflow.kafka.topics import Topics, create_topics
from journeyflow.normalize import registry
from journeyflow.settings import Settings

kafka_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters.", no_args_is_help=True)
console = Console(stderr=True)


def _kafka() -> KafkaSettings:
    settings = Settings().kafka
    if not settings.enabled:
        console.print("set JOURNEYFLOW_KAFKA__BOOTSTRAP_SERVERS first")
        raise typer.Exit(2)
    return settings


@kafka_app.command("create-topics")
def create_topics_command() -> None:
    """Create journeyflow's topics (events, dlq, one raw topic per format) where missing.

    Needs a cluster with a controller; processing itself never depends on it (topics may be
    auto-created)."""
    settings = _kafka()
    topics = Topics(settings.topic_prefix)
    names = [topics.events, topics.dlq, *(topics.raw(name) for name in registry.names())]
    created = asyncio.run(create_topics(settings, names))
    for name in names:
        console.print(f"{'created' if name in created else 'exists '} {name}")


@dlq_app.command("replay")
def replay(
    ids: Annotated[list[int] | None, typer.Option("--id", help="Only these dead letters.")] = None,
    format_name: Annotated[str | None, typer.Option("--format", help="Only this format.")] = None,
    again: Annotated[bool, typer.Option(help="Include letters replayed before.")] = False,
) -> None:
    """Re-feed dead letters to the topic they came from (after fixing the cause)."""
    settings = Settings()
    kafka = _kafka()
    replayed = asyncio.run(_replay(settings, kafka, ids, format_name, again))
    console.print(f"replayed {replayed} dead letter(s)")


async def _replay(
    settings: Settings,
    kafka: KafkaSettings,
    ids: list[int] | None,
    format_name: str | None,
    again: bool,
) -> int:
    from journeyflow import bootstrap
    from journeyflow.store.database import connect

    dsn, embedded = await bootstrap.database_dsn(settings)
    pool = await connect(dsn, min_size=1, max_size=2)
    producer = clients.producer(kafka)
    await producer.start()
    try:
        rows = await pool.fetch(
            """
            SELECT id, topic, key, value FROM dead_letters
            WHERE ($1::bigint[] IS NULL OR id = ANY($1))
              AND ($2::text IS NULL OR format = $2)
              AND ($3 OR replayed_at IS NULL)
            ORDER BY id
            """,
            ids,
            format_name,
            again,
        )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("replaying", total=len(rows))
            for row in rows:
                await producer.send_and_wait(row["topic"], row["value"], key=row["key"])
                await pool.execute(
                    "UPDATE dead_letters SET replayed_at = now() WHERE id = $1", row["id"]
                )
                progress.advance(task)
        return len(rows)
    finally:
        await producer.stop()
        await pool.close()
        if embedded is not None:
            embedded.stop()
