"""Waiting for background operations in tests, without sleeps or timed assertions.

Production code hands slow calls to `desktop.ui.background_ops`; a test that acts
and then looks waits until the runner has nothing queued, running, undelivered or
debouncing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QTimer

from desktop.ui.background_ops import runner

T = TypeVar("T")


def settle(qtbot: Any = None, timeout: int = 10_000) -> None:
    """Process events until every background operation has been delivered.

    Without a `qtbot` (inside a dialog runner a test hands to the code, standing
    for `dialog.exec()`) it runs a nested event loop, as `exec()` would: objects
    deleted later by the code around it stay alive until that code returns.
    """
    if qtbot is not None:
        qtbot.waitUntil(runner().idle, timeout=timeout)
        return
    deadline = time.monotonic() + timeout / 1000
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(5)

    def check() -> None:
        if runner().idle() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    # A settle nested inside this one (a sign-in while a save waits) can find the runner
    # idle for a moment — before the interrupted save is retried — and quit this loop too.
    while not runner().idle() and time.monotonic() <= deadline:
        loop.exec()
    timer.stop()
    if not runner().idle():
        raise TimeoutError("background operations did not finish")


def off_gui_thread(read: Callable[[], T]) -> T:
    """Run a read the window makes on a worker thread (e.g. a status-bar badge) the same way."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(read).result()
