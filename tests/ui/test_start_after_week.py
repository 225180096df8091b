"""The background senders, and the code of the windows opened on demand, load only
once the calendar's first week is in, so they never compete with it (issue 17)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from pytestqt.qtbot import QtBot

from desktop.ui.app import WEEK_FALLBACK_MS, after_first_week


class _Calendar(QObject):
    loaded = Signal(object)
    shown_empty = Signal()


def test_start_runs_once_after_the_first_week_is_in(qtbot: QtBot) -> None:
    calendar = _Calendar()
    started: list[str] = []
    after_first_week(calendar.loaded, calendar, lambda: started.append("started"))
    qtbot.wait(0)
    assert started == []  # nothing before the week
    calendar.loaded.emit("the week")
    qtbot.waitUntil(lambda: started != [])
    calendar.loaded.emit("the next week")
    qtbot.wait(0)
    assert started == ["started"]


def test_without_a_week_it_still_starts(qtbot: QtBot) -> None:
    """A clinic not set up yet, or a failed read, never emits `loaded`."""
    calendar = _Calendar()
    started: list[str] = []
    after_first_week(calendar.loaded, calendar, lambda: started.append("started"))
    qtbot.waitUntil(lambda: started == ["started"], timeout=WEEK_FALLBACK_MS * 3)
    calendar.loaded.emit("a week after all")
    qtbot.wait(0)
    assert started == ["started"]


def test_a_first_read_with_nothing_to_draw_starts_it_too(qtbot: QtBot) -> None:
    """A new database has no clinic: the wizard and the rest need not wait for the fallback."""
    calendar = _Calendar()
    started: list[str] = []
    after_first_week(
        calendar.loaded,
        calendar,
        lambda: started.append("started"),
        empty=calendar.shown_empty,
    )
    qtbot.wait(0)
    assert started == []
    calendar.shown_empty.emit()
    QCoreApplication.processEvents()  # the next turn of the event loop, not the fallback
    assert started == ["started"]
    calendar.loaded.emit("a week after all")
    calendar.shown_empty.emit()
    qtbot.wait(0)
    assert started == ["started"]
