"""How often the cycle collector runs: rarely beside HTTP, and for a standalone processor only once
more objects are alive than a batch and the one read ahead keep, whatever the batch size."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from journeyflow.bootstrap import YOUNG_OBJECTS_PER_EVENT, tune_garbage_collection
from journeyflow.settings import BESIDE_HTTP_BATCH, STANDALONE_BATCH


@pytest.fixture(autouse=True)
def _restore_thresholds() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def test_beside_http_young_collections_stay_short() -> None:
    tune_garbage_collection(beside_http=True, batch_size=BESIDE_HTTP_BATCH)

    assert gc.get_threshold() == (50_000, 20, 100)


def test_a_standalone_processor_collects_above_what_its_batches_keep_alive() -> None:
    tune_garbage_collection(beside_http=False, batch_size=STANDALONE_BATCH)

    young = gc.get_threshold()[0]
    assert young == YOUNG_OBJECTS_PER_EVENT * STANDALONE_BATCH
    # 2.37M tracked objects were alive at the peak of 1M events in batches of 40,000.
    assert young > 2_370_000 * STANDALONE_BATCH // 40_000


def test_small_batches_keep_the_floor_of_half_a_million() -> None:
    tune_garbage_collection(beside_http=False, batch_size=100)

    assert gc.get_threshold()[0] == 500_000


def test_the_threshold_grows_with_the_batch() -> None:
    tune_garbage_collection(beside_http=False, batch_size=50_000)

    assert gc.get_threshold()[0] == 50_000 * YOUNG_OBJECTS_PER_EVENT
