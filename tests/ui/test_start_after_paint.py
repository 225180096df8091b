"""The background senders start only after the window's first paint (issue 17)."""

from __future__ import annotations

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.app import after_first_paint


class _PaintCounter(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1
        super().paintEvent(event)


def test_start_runs_once_after_the_first_paint(qtbot: QtBot) -> None:
    window = _PaintCounter()
    qtbot.addWidget(window)
    paints_at_start: list[int] = []
    after_first_paint(window, lambda: paints_at_start.append(window.paints))
    window.resize(300, 200)
    window.show()
    assert paints_at_start == []  # show() only queues the paint
    qtbot.waitUntil(lambda: paints_at_start != [])
    window.repaint()
    window.update()
    qtbot.wait(0)
    assert len(paints_at_start) == 1
    assert paints_at_start[0] >= 1


def test_an_unpainted_window_still_starts_its_senders(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    started: list[bool] = []
    after_first_paint(window, lambda: started.append(True))  # never shown
    qtbot.waitUntil(lambda: started == [True], timeout=3000)
