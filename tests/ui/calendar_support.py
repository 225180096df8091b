"""Opening the calendar in tests and pointing at its slots and blocks.

Mouse input is sent as real QMouseEvents to the view's viewport (what a user's
mouse produces), positions come from the scene's own grid, and nothing sleeps:
after an action that reads in the background, `settle(qtbot)` waits for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from desktop.domain.clinic_time import local_to_utc
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.ui import operations, prompts
from desktop.ui.calendar.panel import CalendarPanel
from desktop.ui.calendar.scene import CalendarScene
from desktop.ui.main_window import MainWindow
from tests.helpers import templates
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ZONE

# 10:42 on the clinic fixture's Monday: a fixed "now" keeps the now-line and "today" still.
NOW = local_to_utc(DAY, datetime(2031, 3, 3, 10, 42).time(), ZONE)


@pytest.fixture
def local_ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    """A SQLite store only: the UI tests check the screens, the store tests check both stores."""
    database = Database(templates.migrated_sqlite(tmp_path / "calendar.sqlite3"))
    yield ServiceContext.for_system(database)
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "frontdesk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the user would have seen in a box (offscreen tests must never block)."""
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _parent, _title, text: shown.append(text))
    return shown


@pytest.fixture
def confirm(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer yes to every question; remembers what was asked."""
    asked: list[str] = []

    def ask(_parent: object, _title: str, text: str, _confirm: str = "OK") -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(prompts, "ask", ask)
    return asked


def open_window(
    qtbot: object,
    ctx: ServiceContext,
    settings: QSettings,
    day: date = DAY,
    now: datetime = NOW,
    size: tuple[int, int] = (1366, 768),
) -> MainWindow:
    window = MainWindow(ctx, settings, now=lambda: now, start_day=day)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.resize(*size)
    window.show()
    QApplication.processEvents()
    settle(qtbot)  # the calendar's first read runs in the background
    return window


def scene_of(window: MainWindow) -> CalendarScene:
    scene = window.calendar.scene
    assert scene is not None
    return scene


def slot_point(
    panel: CalendarPanel, practitioner_id: uuid.UUID, day: date, minute: float
) -> QPoint:
    """Viewport position of a wall-clock minute in a practitioner's column (scrolled into view)."""
    scene = panel.scene
    assert scene is not None
    column = scene.grid.column_for(day, practitioner_id)
    assert column is not None, "no column for that practitioner and day"
    x = scene.grid.x_of(column.index) + scene.grid.column_width / 2
    y = scene.grid.y_of(minute)
    panel.view.ensureVisible(x - 5, y - 5, 10, 10, 10, 60)
    return panel.view.mapFromScene(QPointF(x, y))


def block_point(panel: CalendarPanel, appointment_id: uuid.UUID, where: str = "middle") -> QPoint:
    scene = panel.scene
    assert scene is not None
    item = scene.items_by_id[appointment_id]
    rect = item.mapRectToScene(item.boundingRect())
    y = {"middle": rect.center().y(), "bottom": rect.bottom() - 2}[where]
    panel.view.ensureVisible(rect, 10, 60)
    return panel.view.mapFromScene(QPointF(rect.center().x(), y))


def minute_y(panel: CalendarPanel, minutes: float) -> int:
    scene = panel.scene
    assert scene is not None
    return round(minutes * scene.grid.pixels_per_minute)


def _mouse(panel: CalendarPanel, kind: QEvent.Type, pos: QPoint, buttons: Qt.MouseButton) -> None:
    viewport = panel.view.viewport()
    button = Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        button if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def drag(panel: CalendarPanel, start: QPoint, end: QPoint) -> None:
    """Press, move in a few steps (as a hand does), release."""
    left = Qt.MouseButton.LeftButton
    _mouse(panel, QEvent.Type.MouseButtonPress, start, left)
    for step in (1, 2, 3, 4):
        here = start + (end - start) * step / 4
        _mouse(panel, QEvent.Type.MouseMove, here, left)
    _mouse(panel, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def double_click(panel: CalendarPanel, pos: QPoint) -> None:
    left = Qt.MouseButton.LeftButton
    _mouse(panel, QEvent.Type.MouseButtonPress, pos, left)
    _mouse(panel, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton)
    _mouse(panel, QEvent.Type.MouseButtonDblClick, pos, left)
    _mouse(panel, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton)


def wall(hour: int, minute: int = 0) -> int:
    return hour * 60 + minute


def save_shot(widget: object, tmp_path: Path, name: str) -> Path:
    """Save a screenshot under the test's own folder, for review."""
    pixmap = widget.grab()  # type: ignore[attr-defined]
    path = tmp_path / name
    assert pixmap.save(str(path))
    return path
