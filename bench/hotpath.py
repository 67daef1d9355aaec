"""The processor's pure hot path, step by step, as installed (compiled by mypyc, see
hatch_build.py) and as pure Python, in the same run: what the compiled build is worth here today.

Steps: decoding a logged event, keying its identifiers, stitching 10k-event batches, deriving
each customer's contacts and journeys, preparing a batch's timeline rows, and working out what
a customer's latest event changed in its rows and buckets.

`python -m bench.hotpath [--pure] EVENTS` times each step in one interpreter (`--pure` imports
every compiled journeyflow module from its source instead) and prints µs an event as JSON;
`compare` runs both builds in turn, `rounds` times each, and keeps each step's best. Steps are
timed over generated events without Postgres: end-to-end rates on this shared machine move by
±10 % between runs, which hides a change of a few µs; these do not.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

import orjson

BATCH = 10_000
"""Events stitched in one plan, as the processor's default batch."""
REPEATS = 5


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds journeyflow's compiled modules' sources instead of their extensions."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not name.startswith("journeyflow."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.origin is None or spec.origin.endswith(".py"):
            return spec
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if spec.origin.endswith(suffix):
                return importlib.util.spec_from_file_location(
                    name, spec.origin[: -len(suffix)] + ".py"
                )
        return spec


def import_pure() -> None:
    """From now on, import journeyflow's modules from source (before any is imported)."""
    if any(name.startswith("journeyflow.") for name in sys.modules):
        raise RuntimeError("import_pure() must run before journeyflow is imported")
    sys.meta_path.insert(0, _SourceFirst())


def steps(count: int) -> dict[str, Any]:
    """µs an event for each step of the pure hot path, best of `REPEATS`, over `count` events."""
    from bench.process import log_rows
    from journeyflow.identity.keys import IdentifierRules
    from journeyflow.identity.stitch import EventKeys, KnownProfiles, Stitcher
    from journeyflow.journeys.definitions import from_settings
    from journeyflow.journeys.derive import derivable, derive_sorted
    from journeyflow.journeys.facts import EventFacts, by_order
    from journeyflow.journeys.recompute import changes_of
    from journeyflow.log import LoggedEvent
    from journeyflow.native import compiled_modules
    from journeyflow.process.batch import PreparedBatch
    from journeyflow.process.decode import BatchEvent, decode
    from journeyflow.settings import Settings

    settings = Settings()
    rules = IdentifierRules(settings.identity, settings.default_phone_region)
    definitions = from_settings(settings)
    records = [LoggedEvent(seq, row[4]) for seq, row in enumerate(log_rows(count, seed=3), 1)]
    events: list[BatchEvent] = [decode(record) for record in records]

    def key(e: BatchEvent) -> EventKeys:
        return EventKeys(e.seq, rules.keys_of(e.identifiers, e.facts.source, e.facts.contact_id))

    keyed = [key(e) for e in events]
    batches = [keyed[i : i + BATCH] for i in range(0, len(keyed), BATCH)]
    stitcher = Stitcher(rules)
    customer: dict[int, int] = {}
    for batch in batches:  # one plan over everything would merge across batches the same way
        customer.update(stitcher.plan(batch, KnownProfiles()).assignments)
    histories: dict[int, list[EventFacts]] = defaultdict(list)
    for event in events:
        if derivable(event.facts):
            histories[customer[event.seq]].append(event.facts)
    timelines = [tuple(sorted(h, key=by_order)) for h in histories.values()]
    derived = sum(map(len, timelines))
    # What a customer's buckets held before its latest event, and what they hold with it.
    stored = {c: derive_sorted(t[:-1], definitions) for c, t in enumerate(timelines)}
    fresh = {c: derive_sorted(t, definitions) for c, t in enumerate(timelines)}

    def per_event(work: Callable[[], object], events: int) -> float:
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        return best / events * 1e6

    return {
        "compiled_modules": len(compiled_modules()),
        "imported_compiled": not sys.modules["journeyflow.identity.stitch"].__file__.endswith(
            ".py"
        ),
        "events": len(events),
        "us_per_event": {
            "decode": per_event(lambda: [decode(r) for r in records], len(records)),
            "keys": per_event(lambda: [key(e) for e in events], len(events)),
            "stitch": per_event(
                lambda: [stitcher.plan(b, KnownProfiles()) for b in batches], len(events)
            ),
            "derive": per_event(
                lambda: [derive_sorted(t, definitions) for t in timelines], derived
            ),
            "prepare": per_event(
                lambda: [
                    PreparedBatch.of(events[i : i + BATCH], batch).rows(customer)
                    for i, batch in zip(range(0, len(events), BATCH), batches, strict=True)
                ],
                len(events),
            ),
            "changes": per_event(lambda: changes_of(list(stored), stored, fresh, {}), len(events)),
        },
    }


async def compare(count: int, rounds: int = 3) -> dict[str, Any]:
    """Both builds, alternating in fresh interpreters; each step's best over `rounds`."""
    best: dict[str, dict[str, float]] = {"compiled": {}, "pure": {}}
    for _ in range(rounds):
        for build in ("compiled", "pure"):
            flags = ["--pure"] if build == "pure" else []
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.hotpath",
                *flags,
                str(count),
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"the hot path stage ({build}) failed ({child.returncode})")
            figures = orjson.loads(out)
            if figures["imported_compiled"] != (build == "compiled"):
                raise RuntimeError(f"the {build} run did not import the {build} modules")
            for step, value in figures["us_per_event"].items():
                best[build][step] = min(value, best[build].get(step, float("inf")))
    return {
        "events": count,
        "rounds": rounds,
        "us_per_event": best,
        "speedup": {s: best["pure"][s] / best["compiled"][s] for s in best["compiled"]},
    }


if __name__ == "__main__":
    pure = "--pure" in sys.argv[1:]
    if pure:
        import_pure()
    (count,) = (int(a) for a in sys.argv[1:] if a != "--pure")
    sys.stdout.buffer.write(orjson.dumps(steps(count)))
