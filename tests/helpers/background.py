"""Waiting for background operations in tests, without sleeps or timed assertions.

Production code hands slow calls to `desktop.ui.background_ops`; a test that acts
and then looks waits until the runner has nothing queued, running, undelivered or
debouncing.
"""

from __future__ import annotations

from typing import Any

from desktop.ui.background_ops import runner


def settle(qtbot: Any, timeout: int = 10_000) -> None:
    """Process events until every background operation has been delivered."""
    qtbot.waitUntil(runner().idle, timeout=timeout)
