"""The calendar's QGraphicsView: header and ruler in its margins, keyboard on the grid.

Keys (the view has focus):
    arrows            move the slot cursor (15 minutes / one column); a block under
                      the cursor is selected
    Page Up / Down    an hour up or down;  Home / End: first / last shown hour
    Enter             open the selected block, or book in the cursor's slot
    Menu, Shift+F10   the selected block's menu
    Delete            cancel the selected appointment (asks for a reason)
    Alt+Up / Down     move the selected appointment 15 minutes earlier / later
    Escape            clear the selection and the cursor (and stop picking a new time)
    Ctrl+wheel        zoom the time scale

Signals:
    resized(): the viewport changed size; the panel fits its columns again.
    activate_requested(): Enter was pressed.
    menu_key_pressed(): the context-menu key or Shift+F10.
    cancel_key_pressed(): Delete.
    escape_pressed(): Escape (the selection and the cursor are already cleared).
    nudge_requested(int): move the selected appointment by this many minutes.
    zoom_requested(int): +1 to zoom in, -1 to zoom out.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel, QWidget

from desktop.ui.calendar.headers import RULER_WIDTH, ColumnHeader, TimeRuler, header_height
from desktop.ui.calendar.items import AppointmentItem
from desktop.ui.calendar.requests import Slot
from desktop.ui.calendar.scene import SLOT, CalendarScene
from desktop.ui.theme import CalendarColours

_STEPS = {
    Qt.Key.Key_Up: (0, -SLOT),
    Qt.Key.Key_Down: (0, SLOT),
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_PageUp: (0, -60),
    Qt.Key.Key_PageDown: (0, 60),
}


class CalendarView(QGraphicsView):
    resized = Signal()
    activate_requested = Signal()
    menu_key_pressed = Signal()
    cancel_key_pressed = Signal()
    escape_pressed = Signal()
    nudge_requested = Signal(int)
    zoom_requested = Signal(int)

    def __init__(self, colours: CalendarColours, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarView")
        self.header = ColumnHeader(colours, self)
        self.ruler = TimeRuler(colours, self)
        self.corner = QLabel(self)
        self.corner.setObjectName("calendarCorner")
        self.corner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.corner.setStyleSheet(
            f"background: {colours.header.name()}; color: {colours.muted.name()}; font-size: 8pt;"
        )
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Calendar")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.set_week(False)

    def calendar_scene(self) -> CalendarScene | None:
        scene = self.scene()
        return scene if isinstance(scene, CalendarScene) else None

    def set_week(self, week: bool) -> None:
        self.setViewportMargins(RULER_WIDTH, header_height(week), 0, 0)
        self._place_margins()

    def _place_margins(self) -> None:
        margins = self.viewportMargins()
        viewport = self.viewport().geometry()
        self.header.setGeometry(
            viewport.left(), viewport.top() - margins.top(), viewport.width(), margins.top()
        )
        self.ruler.setGeometry(
            viewport.left() - margins.left(), viewport.top(), margins.left(), viewport.height()
        )
        self.corner.setGeometry(
            viewport.left() - margins.left(),
            viewport.top() - margins.top(),
            margins.left(),
            margins.top(),
        )
        self.header.set_offset(self.horizontalScrollBar().value())
        self.ruler.set_offset(self.verticalScrollBar().value())

    def set_zone_label(self, abbreviation: str, zone: str) -> None:
        """The clinic's time zone in the corner: the ruler's times are its wall clock."""
        self.corner.setText(abbreviation)
        self.corner.setToolTip(f"Times are in {zone}")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_margins()
        self.resized.emit()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.header.set_offset(self.horizontalScrollBar().value())
        self.ruler.set_offset(self.verticalScrollBar().value())

    def scroll_to_y(self, y: float) -> None:
        self.verticalScrollBar().setValue(round(max(y, 0)))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_requested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        scene = self.calendar_scene()
        if scene is None:
            super().keyPressEvent(event)
            return
        key, modifiers = event.key(), event.modifiers()
        alt = modifiers & Qt.KeyboardModifier.AltModifier
        if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.nudge_requested.emit(-SLOT if key == Qt.Key.Key_Up else SLOT)
        elif key in _STEPS and not (modifiers & ~Qt.KeyboardModifier.KeypadModifier):
            self.move_cursor(*_STEPS[Qt.Key(key)])
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self.move_cursor(0, -10_000 if key == Qt.Key.Key_Home else 10_000)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate_requested.emit()
        elif key == Qt.Key.Key_Menu or (
            key == Qt.Key.Key_F10 and modifiers & Qt.KeyboardModifier.ShiftModifier
        ):
            self.menu_key_pressed.emit()
        elif key == Qt.Key.Key_Delete:
            self.cancel_key_pressed.emit()
        elif key == Qt.Key.Key_Escape:
            scene.clearSelection()
            scene.set_cursor(None)
            self.escape_pressed.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def move_cursor(self, columns: int, minutes: int) -> None:
        scene = self.calendar_scene()
        if scene is None or not scene.grid.columns:
            return
        grid = scene.grid
        current = scene.cursor or self._first_slot(scene)
        column = min(max(current.column + columns, 0), len(grid.columns) - 1)
        minute = min(max(current.minute + minutes, grid.first_minute), grid.last_minute - SLOT)
        slot = Slot(column, minute)
        scene.set_cursor(slot)
        self._select_under(scene, slot)
        self.ensureVisible(scene.slot_rect(slot), 40, 40)

    def _first_slot(self, scene: CalendarScene) -> Slot:
        top = scene.grid.minute_at(self.verticalScrollBar().value())
        minute = max(int(top // SLOT * SLOT) + SLOT, scene.grid.first_minute)
        return Slot(0, minute)

    def _select_under(self, scene: CalendarScene, slot: Slot) -> None:
        scene.clearSelection()
        rect = scene.slot_rect(slot, 1)
        hits = [i for i in scene.items(QRectF(rect)) if isinstance(i, AppointmentItem)]
        if hits:
            hits[0].setSelected(True)
