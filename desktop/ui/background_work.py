"""The app's background senders (Xero, SMS/email, sync) and the status bar texts they feed.

Workers are plain threads below the UI (desktop.services.outbox_dispatch); this
object only wakes them when a change queued work, stops them on exit, and
refreshes the status bar on a timer — a worker never touches a widget itself.
The status texts are read as background operations (each line's newest read
wins), and stopping only asks the workers to stop: quitting never waits on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from desktop.domain.errors import DomainError
from desktop.services.changes import Changes
from desktop.services.context import SessionExpired
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.change_bus import ChangeBus

STATUS_REFRESH_MS = 15_000
QUIT_GRACE_S = 0.3  # all workers together, on quit


class Worker(Protocol):
    def wake(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


def _queued_outbox_work(changes: Changes) -> bool:
    return changes.outbox


class BackgroundWork(QObject):
    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workers: list[tuple[Worker, Callable[[Changes], bool]]] = []
        self._status: list[tuple[Callable[[], str], Callable[[str], None]]] = []
        bus.changed.connect(self._changed)
        self.timer = QTimer(self)
        self.timer.setInterval(STATUS_REFRESH_MS)
        self.timer.timeout.connect(self.refresh_status)
        self.timer.start()

    def add_worker(
        self, worker: Worker | None, wakes_for: Callable[[Changes], bool] | None = None
    ) -> None:
        """`wakes_for` says which changes give the worker something to do (default: a
        change that queued outbox jobs)."""
        if worker is not None:
            self.workers.append((worker, wakes_for or _queued_outbox_work))

    def add_status(self, read: Callable[[], str], show: Callable[[str], None]) -> None:
        """`read` is asked for a fresh text on every change and every few seconds."""
        self._status.append((read, show))
        self._refresh_one(read, show)

    def _changed(self, changes: object) -> None:
        if isinstance(changes, Changes):
            for worker, wakes_for in self.workers:
                if wakes_for(changes):
                    worker.wake()
        self.refresh_status()

    def refresh_status(self) -> None:
        for read, show in self._status:
            self._refresh_one(read, show)

    def _refresh_one(self, read: Callable[[], str], show: Callable[[str], None]) -> None:
        # A status line is not worth a sign-in prompt: a lapsed session just waits.
        BackgroundOp(
            read,
            parent=self,
            key=f"status-{id(self)}-{id(read)}",
            reports=(SessionExpired, DomainError),
        ).success(show).run()

    def stop(self) -> None:
        """Ask every worker to stop; an idle one ends at once, a busy one is left to the
        process exit (they are daemon threads, and every outbox job survives a crash)."""
        self.timer.stop()
        deadline = time.monotonic() + QUIT_GRACE_S
        for worker, _ in self.workers:
            worker.stop(timeout=max(deadline - time.monotonic(), 0.0))
        self.workers.clear()
