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
