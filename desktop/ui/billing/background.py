"""Running slow work (Xero's sign-in page, a sync over the network) off the GUI thread.

The work runs on a plain thread; its result or failure comes back as a Qt signal,
which Qt delivers on the GUI thread because the task object lives there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class BackgroundTask(QObject):
    """One piece of work on another thread.

    Signals:
        succeeded(object): the work's result.
        failed(str): one sentence saying why it did not work.
    """

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="frontdesk-background", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """For tests and shutdown: block until the work is over."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # shown to the user as a sentence, never a traceback
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.succeeded.emit(result)
