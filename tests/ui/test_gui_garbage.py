"""Reference cycles are collected on the GUI thread, never on a worker (a Qt object
destroyed off the GUI thread crashes the app)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from desktop.ui.gui_garbage import GuiThreadCollector, collect_due


class _InACycle:
    """Stands for a closed dialog whose slots refer back to it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector(qapp: object) -> Iterator[GuiThreadCollector]:
    # As a fresh interpreter starts: collection on and no generation's count carried
    # over from earlier tests (the session keeps it off and collects only what is due,
    # so generation 1 may already be past its threshold, depending on what ran before).
    gc.collect()
    gc.enable()
    collector = GuiThreadCollector()
    yield collector
    collector.stop()
    gc.disable()
    collector.deleteLater()


def _cycle_freed_on() -> tuple[weakref.ref[_InACycle], list[str]]:
    freed_on: list[str] = []
    garbage = _InACycle()
    weakref.finalize(garbage, lambda: freed_on.append(threading.current_thread().name))
    return weakref.ref(garbage), freed_on


def _allocate_on_a_worker() -> list[list[int]]:
    """Enough new container objects, kept, to pass generation 0's threshold many times."""
    kept: list[list[int]] = []

    def allocate() -> None:
        kept.extend([index] for index in range(gc.get_threshold()[0] * 20))

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    return kept


def test_a_worker_allocating_never_collects_the_guis_garbage(
    collector: GuiThreadCollector,
) -> None:
    collector.start()
    assert not gc.isenabled()
    alive, freed_on = _cycle_freed_on()
    kept = _allocate_on_a_worker()
    assert alive() is not None and freed_on == []
    assert collect_due() == 0  # the GUI thread's timer would do this
    assert alive() is None
    assert freed_on == [threading.main_thread().name]
    assert collect_due() is None  # nothing due again until more is allocated
    del kept


def test_stopping_gives_collection_back_to_python(collector: GuiThreadCollector) -> None:
    collector.start()
    collector.stop()
    assert gc.isenabled()
    alive, freed_on = _cycle_freed_on()
    assert len(_allocate_on_a_worker()) > 0
    assert alive() is None and freed_on == ["worker"]  # what the collector prevents


@pytest.fixture
def every_pass_due() -> Iterator[None]:
    """Each generation due as soon as anything happened in the one below it."""
    before = gc.get_threshold()
    gc.set_threshold(10, 0, 0)
    yield
    gc.set_threshold(*before)


def _promote_to_the_oldest() -> None:
    """What the timer's passes do to new survivors: generation 0, then 1 (counts included)."""
    gc.collect(0)
    gc.collect(1)
    gc.collect(0)


def _due_pass(collector: GuiThreadCollector) -> int | None:
    kept: list[list[int]] = []
    while gc.get_count()[0] <= gc.get_threshold()[0]:  # generation 0 past its threshold
        kept.append([])
    result = collector.collect_due()
    del kept
    return result


def test_a_full_pass_waits_for_a_quarter_more_in_the_oldest_generation(
    collector: GuiThreadCollector, every_pass_due: None
) -> None:
    """CPython's brake: a big, stable heap is not walked again and again."""
    collector.start()
    heap = [[index] for index in range(40_000)]
    _promote_to_the_oldest()
    assert _due_pass(collector) == 2  # the first full pass counts what survives it
    survivors = len(gc.get_objects(generation=2))  # the heap and all the test run holds

    a_few = [[index] for index in range(survivors // 100)]
    closed = _InACycle()  # a dialog that lived a while, then was closed
    alive = weakref.ref(closed)
    _promote_to_the_oldest()
    del closed
    assert _due_pass(collector) == 1  # 1% more: not worth walking them all
    assert alive() is not None  # a cycle that reached the oldest generation waits

    many = [[index] for index in range(survivors // 3)]
    _promote_to_the_oldest()
    _promote_to_the_oldest()
    assert _due_pass(collector) == 2  # more than a quarter more: walked, and the cycle freed
    assert alive() is None
    del heap, a_few, many


def test_after_start_up_is_frozen_a_closed_dialogs_cycle_is_still_freed(
    collector: GuiThreadCollector, every_pass_due: None
) -> None:
    """Frozen, start-up's objects leave the oldest generation: the count of survivors
    starts again, or no full pass would come until the heap regrew to its old size."""
    collector.start()
    heap = [[index] for index in range(40_000)]
    _promote_to_the_oldest()
    assert _due_pass(collector) == 2
    collector.freeze()
    try:
        closed = _InACycle()
        alive = weakref.ref(closed)
        _promote_to_the_oldest()
        del closed
        assert _due_pass(collector) == 2
        assert alive() is None
    finally:
        gc.unfreeze()  # the rest of the test run collects as before
    del heap
