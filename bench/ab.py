"""`python -m bench.ab REV_A REV_B`: the processing stage of two builds, interleaved, over one log.

This machine's speed moves by ±10 % within an hour, so a change to the processor is judged by
runs of both builds in turn (A B B A per round) over the same pre-filled log, each in a fresh
interpreter on a settled server, never by runs on different days. Each revision is checked out
in a git worktree and built as `make` builds it (its mypyc-compiled modules included); `.` is
this checkout as it is. The log (`--events`, default 300k, as the processing stage makes it) is
kept in a template database under `.journeyflow/bench/ab`, dumped beside it once, and copied for
every run into a database that run's revision migrated itself: two revisions whose schemas
differ are each timed on their own. Each run also reports the WAL and row writes an event, when
its revision's bench counts them: unlike the rates, those do not move with the machine's speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench import process, writes
from bench.__main__ import DATA, ROOT, python_speed, say
from bench.postgres import BenchPostgres
from journeyflow.native import stale_modules


def checkout(revision: str, into: Path) -> Path:
    """A tree of `revision` with its hot path compiled (this checkout itself for `.`)."""
    if revision == ".":
        if stale := stale_modules():
            raise SystemExit(f"compiled modules older than their sources, run `make`: {stale}")
        return ROOT
    tree = into / revision.replace("/", "_")
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision],
        check=True,
        capture_output=True,
    )
    wheels = into / f"{tree.name}-wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=tree,
        check=True,
        env={"JOURNEYFLOW_NATIVE": "require", **os.environ},
    )
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith(".so"):
                    archive.extract(name, tree / "src")
    return tree


LOG_COLUMNS = ("seq", "source", "event_id", "revision", "received_at", "payload")
"""`event_log` as every revision since migration 0007 has it (payloads as `json`)."""


def dumped(pg: BenchPostgres, template: str) -> Path:
    return pg.root / f"{template}.copy"


async def dump_log(pg: BenchPostgres, template: str) -> Path:
    """The template's log as a binary COPY file beside it (written once, then reused)."""
    path = dumped(pg, template)
    if not path.exists():
        partial = path.with_suffix(".partial")
        source = await asyncpg.connect(pg.dsn(template))
        try:
            await source.copy_from_table(
                "event_log", columns=LOG_COLUMNS, output=partial, format="binary"
            )
        finally:
            await source.close()
        partial.rename(path)
    return path


async def fresh_copy(pg: BenchPostgres, log: Path, tree: Path) -> str:
    """A new database migrated by `tree`'s own migrations, holding the log dumped in `log`.

    Each revision builds its own schema, so two revisions whose migrations differ (a new index,
    another fillfactor) are each timed on theirs; the log's rows are copied in and vacuumed as
    `process.fill_log` does."""
    connection = await asyncpg.connect(pg.dsn("journeyflow"))
    try:
        await connection.execute('DROP DATABASE IF EXISTS "ab_run" WITH (FORCE)')
        await connection.execute('CREATE DATABASE "ab_run"')
    finally:
        await connection.close()
    dsn = pg.dsn("ab_run")
    await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", MIGRATE, dsn],
        cwd=tree,
        env=_env_of(tree),
        check=True,
        capture_output=True,
    )
    target = await asyncpg.connect(dsn)
    try:
        await target.copy_to_table("event_log", source=log, columns=LOG_COLUMNS, format="binary")
        await target.execute(
            "SELECT setval(pg_get_serial_sequence('event_log', 'seq'), max(seq)) FROM event_log"
        )
        await process.vacuum_log(target)
    finally:
        await target.close()
    await pg.settle()
    return dsn


MIGRATE = (
    "import asyncio, sys\n"
    "from journeyflow.store import migrate\n"
    "asyncio.run(migrate.upgrade(sys.argv[1]))\n"
)
"""Run in a revision's tree: its own migrations to its own head."""


def _env_of(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"}


def run_once(tree: Path, dsn: str, postmaster: int) -> dict[str, Any]:
    """The processing stage (`bench.process`, as `make bench` runs it) with `tree`'s code."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.process", "log", dsn, str(postmaster), "0"],
        cwd=tree,
        env=_env_of(tree),
        capture_output=True,
        check=True,
    )
    figures: dict[str, Any] = orjson.loads(done.stdout)
    return figures


async def compare(trees: dict[str, Path], events: int, rounds: int) -> dict[str, list[Any]]:
    """Rounds of A B B A over copies of one template log; every run's figures, by revision."""
    pg = BenchPostgres(DATA / "ab")
    pg.start()
    runs: dict[str, list[Any]] = {revision: [] for revision in trees}
    try:
        template = f"ab_log_{events}"
        if not await pg.exists(template):
            say(f"filling the template log with {events:,} events (kept for later comparisons)")
            await process.fill_log(await pg.fresh(template), process.log_rows(events, seed=3))
            dumped(pg, template).unlink(missing_ok=True)  # a dump of an earlier template
        log = await dump_log(pg, template)
        a, b = trees
        for _ in range(rounds):
            for revision in (a, b, b, a):
                dsn = await fresh_copy(pg, log, trees[revision])
                speed = python_speed()
                figures = await asyncio.to_thread(run_once, trees[revision], dsn, pg.pid)
                runs[revision].append({"python_loop_seconds": speed, **figures})
                say(
                    f"{revision:>12}: {figures['per_second']:8,.0f} events/s, Python "
                    f"{figures['python_cpu_us_per_event']:6.1f} + Postgres "
                    f"{figures['postgres_cpu_us_per_event']:6.1f} us an event "
                    f"(loop {speed:.2f} s){_counted(figures)}"
                )
    finally:
        pg.stop()
    return runs


def _counted(figures: dict[str, Any]) -> str:
    """The run's WAL and row writes an event (counted, so steady across machine speeds), when
    its revision's bench measures them."""
    written = figures.get("postgres_writes")
    return "" if written is None else f"; {writes.headline(written)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("revisions", nargs=2, help="two git revisions, or . for this checkout")
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of A B B A")
    args = parser.parse_args()
    if args.revisions[0] == args.revisions[1]:
        parser.error("name two different revisions")
    with tempfile.TemporaryDirectory(prefix="journeyflow-ab-") as temp:
        trees = {revision: checkout(revision, Path(temp)) for revision in args.revisions}
        try:
            runs = asyncio.run(compare(trees, args.events, args.rounds))
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(
                        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                        check=False,
                    )
    for revision, figures in runs.items():
        rates = [f["per_second"] for f in figures]
        python = [f["python_cpu_us_per_event"] for f in figures]
        postgres = [f["postgres_cpu_us_per_event"] for f in figures]
        print(
            f"{revision}: {statistics.mean(rates):,.0f} events/s (runs "
            f"{', '.join(f'{r:,.0f}' for r in rates)}); Python {statistics.mean(python):.1f}, "
            f"Postgres {statistics.mean(postgres):.1f} us an event{_counted(figures[-1])}"
        )
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "ab.json").write_bytes(
        orjson.dumps({"events": args.events, "runs": runs}, option=orjson.OPT_INDENT_2)
    )


if __name__ == "__main__":
    main()
