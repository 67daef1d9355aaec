"""`journeyflow replay`: connect, rebuild the derived tables with a progress bar, report."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from journeyflow import bootstrap
from journeyflow.journeys.definitions import from_settings
from journeyflow.journeys.replay import ReplayReport, replay
from journeyflow.settings import Settings
from journeyflow.store import migrate
from journeyflow.store.database import connect


def run_replay(settings: Settings, console: Console) -> ReplayReport:
    definitions = from_settings(settings)
    console.print(
        f"replaying with repeat window {settings.repeat_window}, scope {definitions.repeat_scope}"
    )
    report = asyncio.run(_replay(settings, console))
    console.print(
        f"rebuilt {report.contacts} contacts and {report.journeys} journeys "
        f"of {report.customers} customers"
    )
    return report


async def _replay(settings: Settings, console: Console) -> ReplayReport:
    dsn, embedded = await bootstrap.database_dsn(settings)
    try:
        await migrate.upgrade(dsn)
        pool = await connect(dsn, min_size=1, max_size=2)
        try:
            with Progress(
                "customers",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("replay", total=None)
                return await replay(
                    pool,
                    from_settings(settings),
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            embedded.stop()
