"""Python's cycle collector, run on the GUI thread only.

CPython collects reference cycles in whichever thread happens to allocate past the
collector's threshold — with the window open, often a worker thread building a
query. A cycle that holds a Python-owned Qt object (a closed dialog whose slots
refer back to it) is then destroyed on that worker thread, and Qt crashes, rarely
and only under load. So automatic collection is switched off, and a timer on the
GUI thread collects each generation once its count passes the threshold CPython
itself would use (Anki and qutebrowser do the same).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 1000


class _OldestGeneration:
    """CPython's own brake on full passes (Modules/gcmodule.c): the oldest generation is
    walked only once the objects that reached it since the last full pass number more
    than a quarter of those that survived that pass. Without it a big, stable heap (a
    day's loaded weeks and patients) would be walked every few seconds of work, each
    pass a freeze of the window that grows with the heap."""

    def __init__(self) -> None:
        self.survivors = 0  # in the oldest generation after the last full pass
        self.checked_at = -1  # its count when last found not worth a pass

    def worth_a_pass(self, count: int, threshold: int) -> bool:
        if self.checked_at >= 0 and count <= self.checked_at + threshold:
            return False  # looked lately: counting it again costs a walk of its own
        arrived = len(gc.get_objects(generation=2)) - self.survivors
        if arrived > self.survivors / 4:
            return True
        self.checked_at = count
        return False

    def passed(self) -> None:
        self.survivors = len(gc.get_objects(generation=2))
        self.checked_at = -1


_OLDEST = _OldestGeneration()  # for callers without a collector of their own (tests)


def collect_due(oldest: _OldestGeneration = _OLDEST) -> int | None:
    """Collect the oldest generation whose count is past its threshold, as CPython's
    automatic collection would; returns that generation, or None when none is due."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if counts[generation] <= thresholds[generation]:
            break
        due = generation
    if due == 2 and not oldest.worth_a_pass(counts[2], thresholds[2]):
        due = 1
    if due is not None:
        gc.collect(due)
        if due == 2:
            oldest.passed()
    return due


class GuiThreadCollector(QObject):
    """Switches automatic collection off and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._oldest = _OldestGeneration()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def collect_due(self) -> int | None:
        """What the timer does: `collect_due` with this collector's count of survivors."""
        return collect_due(self._oldest)

    def freeze(self) -> None:
        """Everything alive now lives as long as the app (what start-up built): left out
        of every later pass (`gc.freeze`), so the oldest generation starts again empty."""
        gc.freeze()
        self._oldest.passed()

    @property
    def collecting(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Back to CPython's own collection (the app has quit)."""
        self._timer.stop()
        gc.enable()
