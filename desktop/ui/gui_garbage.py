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


def collect_due() -> int | None:
    """Collect the oldest generation whose count is past its threshold, as CPython's
    automatic collection would; returns that generation, or None when none is due."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if counts[generation] <= thresholds[generation]:
            break
        due = generation
    if due is not None:
        gc.collect(due)
    return due


class GuiThreadCollector(QObject):
    """Switches automatic collection off and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(collect_due)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    @property
    def collecting(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Back to CPython's own collection (the app has quit)."""
        self._timer.stop()
        gc.enable()
