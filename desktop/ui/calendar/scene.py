"""The scene for one visible range: grid in drawBackground, one item per appointment.

It mirrors a `CalendarSnapshot`, keeps it current from individual appointments
(`apply`), and turns mouse input into requests: drag on empty time or
double-click to book, drag a block to move it, drag its bottom edge to resize.
It never calls a service; the panel does, and undo commands replay the calls.

Signals:
    booking_requested(SlotRequest): book in this slot (never in an inactive practitioner's
        column, which is shown only for the bookings kept in it).
    move_requested(MoveRequest): move or resize an appointment.
    open_requested(Appointment): open it (edit, or the class's attendees).
    menu_requested(Appointment, QPoint): right-click on a block, at a screen position.
    slot_menu_requested(SlotRequest, QPoint): right-click on empty time.
    built(): every block of the last `load` is in the scene, when they came over
        several turns (`building` says whether they still are).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
)

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import to_local
from desktop.ui.background_ops import SlicedWork
from desktop.ui.calendar import blocks
from desktop.ui.calendar.block_painter import BlockFonts
from desktop.ui.calendar.blocks import BlockRect
from desktop.ui.calendar.grid import Column, Grid
from desktop.ui.calendar.items import AppointmentItem
from desktop.ui.calendar.requests import MoveRequest, Slot, SlotRequest
from desktop.ui.calendar.snapshot import CalendarSnapshot
from desktop.ui.theme import CalendarColours

SLOT = 15  # minutes: new bookings, the keyboard cursor, and drags by default
FINE = 5  # minutes: drags with Shift held
# While a period fills in, one event-loop turn adds blocks for at most SLICE_SECONDS, and
# no more than SHOWN_PER_TURN of them in view: Qt paints those right after the turn.
# 20 ms keeps input answered at 50 turns a second; shorter slices only added turns (each
# with its repaint): 8 ms made opening a week of 2,000 blocks 10% slower, no smoother.
SLICE_SECONDS = 0.02
SHOWN_PER_TURN = 40
TAKEN_OUT_PER_CHECK = 20  # blocks taken out of a scene between looks at the clock


@dataclass
class _Drag:
    kind: str  # "move", "resize" or "new"
    press: QPointF
    column: Column
    start: float  # wall-clock minutes when the drag began
    end: float
    item: AppointmentItem | None = None
    moved: bool = False
    target: tuple[Column, int, int] | None = None


class CalendarScene(QGraphicsScene):
    booking_requested = Signal(object)
    move_requested = Signal(object)
    open_requested = Signal(object)
    menu_requested = Signal(object, object)
    slot_menu_requested = Signal(object, object)
    built = Signal()

    def __init__(
        self,
        snapshot: CalendarSnapshot,
        grid: Grid,
        colours: CalendarColours,
        fonts: BlockFonts,
        now: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.colours = colours
        self.fonts = fonts
        self.now = now
        self.cursor: Slot | None = None
        self._drag: _Drag | None = None
        self._ghost: QGraphicsRectItem | None = None
        self.items_by_id: dict[uuid.UUID, AppointmentItem] = {}
        self._column_of: dict[uuid.UUID, int] = {}
        self._open: dict[int, list[tuple[float, float]]] = {}
        self._skipped: dict[int, tuple[float, float]] = {}
        self.snapshot = snapshot
        self.grid = grid
        self.appointments: dict[uuid.UUID, Appointment] = {}
        self._building: SlicedWork | None = None
        self._to_build: list[tuple[int, list[Appointment], bool]] = []  # last built first
        self._names: dict[uuid.UUID, str] = {}  # practitioner names (tooltips)
        self._reselect: uuid.UUID | None = None
        # No BSP index: every block moves on each load, and a week has only hundreds.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._set_geometry(grid)
        self.load(snapshot, grid)

    # --- contents ---------------------------------------------------------------

    def load(self, snapshot: CalendarSnapshot, grid: Grid) -> None:
        """Show a fresh snapshot of the same range (after a full reload).

        The grid shows at once; the blocks are added a few columns per event-loop
        turn (`SLICE_SECONDS`, `SHOWN_PER_TURN`), the columns in view first, so a
        week of hundreds of blocks never freezes the window. `built` is emitted
        when all are in.
        """
        selected = self.selected_appointment()
        same_layout = self.same_layout(snapshot, grid)
        self._stop_building()
        for item in self.items_by_id.values():
            self.removeItem(item)
        self.items_by_id.clear()
        self._column_of.clear()
        self.snapshot = snapshot
        self.appointments = {a.id: a for a in snapshot.appointments}
        self._names = {p.id: p.name for p in snapshot.practitioners}
        if not same_layout:
            self._set_geometry(grid)
        members = blocks.group_by_column(grid, self.appointments.values(), snapshot.zone)
        spans = self.view_spans()
        shown = {index: self._in_view(index, spans) for index in members}
        # The columns in view first, then the rest left to right (taken from the end).
        order = sorted(members, key=lambda index: (shown[index], -index))
        self._to_build = [(index, members[index], shown[index]) for index in order]
        self._reselect = selected.id if selected is not None else None
        if self._build_slice():
            return  # small enough for one turn: built already (no `built` signal)
        self._building = SlicedWork(self._build_later_slice, self)
        self._building.start()

    def same_layout(self, snapshot: CalendarSnapshot, grid: Grid) -> bool:
        """The grid drawn now is the one this snapshot needs (a period's placeholder,
        filled): the same columns and hours, the same clinic hours shading them."""
        return grid == self.grid and snapshot.clinic == self.snapshot.clinic

    @property
    def building(self) -> bool:
        """Blocks are still being added (a fresh week arrives over a few turns)."""
        return self._building is not None and self._building.pending

    def finish_building(self) -> None:
        """Add every block still to come now (before a change needs them all)."""
        if self._building is not None:
            self._building.finish()

    def _stop_building(self) -> None:
        if self._building is not None:
            self._building.cancel()
            self._building.deleteLater()
            self._building = None
        self._to_build = []

    def _in_view(self, index: int, spans: list[tuple[float, float]]) -> bool:
        """Whether a view shows (some of) this column."""
        x = self.grid.x_of(index)
        return any(x < right and x + self.grid.column_width > left for left, right in spans)

    def view_spans(self) -> list[tuple[float, float]]:
        """The x ranges of the scene the views show."""
        spans = []
        for view in self.views():
            shown = view.mapToScene(view.viewport().rect()).boundingRect()
            spans.append((shown.left(), shown.right()))
        return spans

    def _build_slice(self) -> bool:
        """Add the next columns' blocks, already placed; True once every block is in.

        A column at least, then more while the turn's time lasts and until enough
        blocks in view were added (their first paint follows this turn).
        """
        deadline = time.perf_counter() + SLICE_SECONDS
        shown = 0
        zone = self.snapshot.zone
        while self._to_build:
            index, appointments, visible = self._to_build.pop()
            placed = blocks.place_column(self.grid, self.grid.columns[index], appointments, zone)
            for appointment, block in zip(appointments, placed, strict=True):
                self._column_of[appointment.id] = index
                self._add_item(appointment, block)
            shown += len(appointments) if visible else 0
            if shown >= SHOWN_PER_TURN or time.perf_counter() >= deadline:
                break
        if self._to_build:
            return False
        if self._reselect is not None and self._reselect in self.items_by_id:
            self.items_by_id[self._reselect].setSelected(True)
        self._reselect = None
        return True

    def _build_later_slice(self) -> bool:
        done = self._build_slice()
        if done:
            self.built.emit()
        return done

    def dispose(self) -> None:
        """Take the blocks out and delete the scene, once it is off screen.

        The blocks go from the next turn on, a slice per turn (`SLICE_SECONDS`), as they came: taking out a
        week's hundreds at once froze the window just when the next week was being
        drawn. Each is removed before the scene is deleted, so the items are handed
        back to Python first (PySide would free them twice).
        """
        self._stop_building()
        if self._ghost is not None:
            self.removeItem(self._ghost)
            self._ghost = None
        leaving = list(self.items_by_id.values())
        self.items_by_id.clear()
        self._column_of.clear()

        def take_out() -> bool:
            deadline = time.perf_counter() + SLICE_SECONDS
            while leaving:
                batch = leaving[-TAKEN_OUT_PER_CHECK:]
                del leaving[-TAKEN_OUT_PER_CHECK:]
                for item in batch:
                    self.removeItem(item)
                if time.perf_counter() >= deadline:
                    break
            if leaving:
                return False
            self.deleteLater()
            return True

        self._building = SlicedWork(take_out, self)  # from the next turn on
        self._building.start()

    def _practitioner_name(self, appointment: Appointment) -> str:
        return self._names.get(appointment.practitioner_id, "")

    def _add_item(
        self, appointment: Appointment, block: BlockRect | None = None
    ) -> AppointmentItem:
        """A new block; placed before it joins the scene when `block` is known."""
        item = AppointmentItem(
            appointment,
            self.snapshot.zone,
            self._practitioner_name(appointment),
            self.colours,
            self.fonts,
        )
        item.permitted = self.snapshot.may_change(appointment)
        if block is not None:
            item.set_block(block)
        self.items_by_id[appointment.id] = item
        self.addItem(item)
        return item

    def set_grid(self, grid: Grid) -> None:
        """New column width or zoom: reposition everything, redraw the grid."""
        self.finish_building()
        self._set_geometry(grid)
        self._column_of.clear()
        self._layout(None)

    def _set_geometry(self, grid: Grid) -> None:
        self.grid = grid
        self.setSceneRect(QRectF(0, 0, grid.width, grid.height))
        self._open = {c.index: self._open_ranges(c) for c in grid.columns}
        self._skipped = self._skipped_bands()
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def apply(self, changed: Iterable[Appointment], gone: Iterable[uuid.UUID]) -> None:
        """Bring single appointments up to date; only their columns are laid out again."""
        self.finish_building()
        touched: set[int] = set()
        for ident in gone:
            self._remove(ident, touched)
        for appointment in changed:
            column = blocks.column_of(self.grid, appointment, self.snapshot.zone)
            if column is None or not self.snapshot.shows(appointment):
                self._remove(appointment.id, touched)
                continue
            if appointment.id in self._column_of:
                touched.add(self._column_of[appointment.id])
            self.appointments[appointment.id] = appointment
            item = self.items_by_id.get(appointment.id) or self._add_item(appointment)
            item.set_appointment(appointment, self._practitioner_name(appointment))
            item.permitted = self.snapshot.may_change(appointment)
            self._column_of[appointment.id] = column.index
            touched.add(column.index)
        self._layout(touched)

    def _remove(self, ident: uuid.UUID, touched: set[int]) -> None:
        self.appointments.pop(ident, None)
        item = self.items_by_id.pop(ident, None)
        if item is not None:
            self.removeItem(item)
        if ident in self._column_of:
            touched.add(self._column_of.pop(ident))

    def _layout(self, columns: set[int] | None) -> None:
        """Place blocks side by side in the given columns (None: all of them)."""
        zone = self.snapshot.zone
        if columns is None:
            members = blocks.group_by_column(self.grid, self.appointments.values(), zone)
        else:
            members = {index: [] for index in columns}
            for ident, index in self._column_of.items():
                if index in members:
                    members[index].append(self.appointments[ident])
        for index, appointments in members.items():
            placed = blocks.place_column(self.grid, self.grid.columns[index], appointments, zone)
            self._place(index, appointments, placed)

    def _place(self, index: int, appointments: list[Appointment], placed: list[BlockRect]) -> None:
        for appointment, rect in zip(appointments, placed, strict=True):
            self._column_of[appointment.id] = index
            item = self.items_by_id[appointment.id]
            item.set_block(rect)
            item.setZValue(0)
            item.setOpacity(1.0)

    def selected_appointment(self) -> Appointment | None:
        for item in self.selectedItems():
            if isinstance(item, AppointmentItem):
                return item.appointment
        return None

    def select(self, appointment_id: uuid.UUID) -> AppointmentItem | None:
        item = self.items_by_id.get(appointment_id)
        self.clearSelection()
        if item is not None:
            item.setSelected(True)
        return item

    def ordered_items(self) -> list[AppointmentItem]:
        """Blocks in reading order: by day, then start, then column (what Tab follows)."""
        columns = self.grid.columns

        def reading_order(item: AppointmentItem) -> tuple[object, ...]:
            index = self._column_of.get(item.appointment.id, 0)
            return (columns[index].day, item.appointment.starts_at, index)

        return sorted(self.items_by_id.values(), key=reading_order)

    # --- geometry helpers ---------------------------------------------------------

    def _open_ranges(self, column: Column) -> list[tuple[float, float]]:
        """y ranges the practitioner works in (falling back to the clinic's hours)."""
        if not column.practitioner.active:
            return []  # kept bookings only: no time in this column is open to book
        hours = column.practitioner.availability
        if not any(hours.days.values()):
            hours = self.snapshot.clinic.opening_hours
        ranges = []
        for window in hours.windows(column.day.weekday()):
            start = window.start.hour * 60 + window.start.minute
            end = window.end.hour * 60 + window.end.minute
            ranges.append((self.grid.y_of(start), self.grid.y_of(end)))
        return ranges

    def _skipped_bands(self) -> dict[int, tuple[float, float]]:
        bands = {}
        for day, first, count in self.grid.days:
            change = day_axis.clock_change(day, self.snapshot.zone)
            if change is not None and change.forward:
                band = (self.grid.y_of(change.start), self.grid.y_of(change.end))
                bands.update(dict.fromkeys(range(first, first + count), band))
        return bands

    def slot_rect(self, slot: Slot, minutes: int = SLOT) -> QRectF:
        grid = self.grid
        return QRectF(
            grid.x_of(slot.column),
            grid.y_of(slot.minute),
            grid.column_width,
            minutes * grid.pixels_per_minute,
        )

    def _item_at(self, pos: QPointF) -> AppointmentItem | None:
        for item in self.items(pos, Qt.ItemSelectionMode.IntersectsItemShape):
            if isinstance(item, AppointmentItem):
                return item
        return None

    def set_cursor(self, slot: Slot | None) -> None:
        old = self.cursor
        self.cursor = slot
        for changed in (old, slot):
            if changed is not None:
                self.invalidate(
                    self.slot_rect(changed).adjusted(-2, -2, 2, 2),
                    QGraphicsScene.SceneLayer.ForegroundLayer,
                )

    # --- painting -----------------------------------------------------------------

    def drawBackground(self, painter: QPainter, exposed: QRectF | QRect) -> None:
        rect = QRectF(exposed)
        grid, colours = self.grid, self.colours
        painter.fillRect(rect, colours.background)
        if not grid.columns:
            return
        first = max(0, int(rect.left() // grid.column_width))
        last = min(len(grid.columns) - 1, int(rect.right() // grid.column_width))
        today = to_local(self.now(), self.snapshot.zone).date()
        week = len(grid.days) > 1
        for index in range(first, last + 1):
            x = grid.x_of(index)
            painter.fillRect(QRectF(x, 0, grid.column_width, grid.height), colours.closed)
            for top, bottom in self._open[index]:
                painter.fillRect(
                    QRectF(x, top, grid.column_width, bottom - top), colours.background
                )
            if not grid.columns[index].practitioner.active:
                painter.fillRect(QRectF(x, 0, grid.column_width, grid.height), self._hatch())
            if week and grid.columns[index].day == today:
                painter.fillRect(QRectF(x, 0, grid.column_width, grid.height), colours.today)
            if index in self._skipped:
                top, bottom = self._skipped[index]
                painter.fillRect(
                    QRectF(x, top, grid.column_width, bottom - top), colours.clock_change
                )
        self._draw_lines(painter, rect, first, last)

    def _hatch(self) -> QBrush:
        """Diagonal lines over an inactive practitioner's column: seen, never bookable."""
        return QBrush(self.colours.hour_line, Qt.BrushStyle.BDiagPattern)

    def _draw_lines(self, painter: QPainter, rect: QRectF, first: int, last: int) -> None:
        grid, colours = self.grid, self.colours
        top_minute = max(grid.first_minute, math.floor(grid.minute_at(rect.top()) / 30) * 30)
        bottom_minute = min(grid.last_minute, grid.minute_at(rect.bottom()))
        half_hours = grid.pixels_per_minute * 30 >= 14
        hour_pen, half_pen = QPen(colours.hour_line, 0), QPen(colours.half_hour_line, 0)
        left, right = max(rect.left(), 0.0), min(rect.right(), grid.width)
        minute = top_minute
        while minute <= bottom_minute:
            if minute % 60 == 0 or half_hours:
                painter.setPen(hour_pen if minute % 60 == 0 else half_pen)
                y = math.floor(grid.y_of(minute)) + 0.5
                painter.drawLine(QLineF(left, y, right, y))
            minute += 30
        day_starts = {first_index for _, first_index, _ in grid.days}
        column_pen, day_pen = QPen(colours.column_line, 0), QPen(colours.day_line, 1.5)
        for index in range(first, last + 2):
            x = math.floor(grid.x_of(index)) + 0.5
            painter.setPen(day_pen if index in day_starts and index else column_pen)
            painter.drawLine(QLineF(x, rect.top(), x, rect.bottom()))

    def cursor_band(self) -> QRectF | None:
        """Where the keyboard cursor is drawn: on empty time only.

        Over a block (one just booked, or one the arrows reached) the block's own
        selection shows where the cursor is, and a band would cover its name.
        """
        if self.cursor is None:
            return None
        rect = self.slot_rect(self.cursor)
        if any(isinstance(item, AppointmentItem) for item in self.items(rect)):
            return None
        return rect

    def drawForeground(self, painter: QPainter, exposed: QRectF | QRect) -> None:  # noqa: ARG002
        band = self.cursor_band()
        if band is not None:
            painter.fillRect(band, self.colours.cursor)
            painter.setPen(QPen(self.colours.accent, 1))
            painter.drawRect(band.adjusted(0.5, 0.5, -0.5, -0.5))
        self._draw_now(painter)

    def now_y(self) -> float | None:
        """Where the now-line is, when today is in view and within the shown hours."""
        now = self.now()
        today = to_local(now, self.snapshot.zone).date()
        if not any(day == today for day, _, _ in self.grid.days):
            return None
        minute = day_axis.wall_minute(now, today, self.snapshot.zone)
        if not self.grid.first_minute <= minute <= self.grid.last_minute:
            return None
        return self.grid.y_of(minute)

    def _draw_now(self, painter: QPainter) -> None:
        y = self.now_y()
        if y is None:
            return
        today = to_local(self.now(), self.snapshot.zone).date()
        for day, first, count in self.grid.days:
            if day != today:
                continue
            left, right = self.grid.x_of(first), self.grid.x_of(first + count)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(self.colours.now, 2))
            painter.drawLine(QLineF(left, y, right, y))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colours.now)
            painter.drawEllipse(QPointF(left + 1, y), 4.5, 4.5)

    # --- mouse --------------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.scenePos()
        item = self._item_at(pos)
        if item is not None:
            self.clearSelection()
            item.setSelected(True)
            if item.editable:
                home = self.grid.columns[self._column_of[item.appointment.id]]
                start, end = blocks.minutes_of(item.appointment, home, self.snapshot.zone)
                kind = "resize" if item.on_resize_edge(item.mapFromScene(pos).y()) else "move"
                self._drag = _Drag(kind, pos, home, start, end, item)
            event.accept()
            return
        column = self.grid.column_at(pos.x())
        if column is None:
            super().mousePressEvent(event)
            return
        self.clearSelection()
        if not self.snapshot.bookable(column.practitioner):
            event.accept()  # nothing can be booked here
            return
        minute = _floor(self.grid.minute_at(pos.y()), SLOT)
        self.set_cursor(Slot(column.index, minute))
        self._drag = _Drag("new", pos, column, minute, minute + SLOT)
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            super().mouseMoveEvent(event)
            return
        pos = event.scenePos()
        if not drag.moved:
            if (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
                return
            drag.moved = True
        fine = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = FINE if fine else SLOT
        delta = (pos.y() - drag.press.y()) / self.grid.pixels_per_minute
        if drag.kind == "new":
            self._drag_new(drag, pos)
        elif drag.kind == "move":
            self._drag_move(drag, pos, delta, step)
        else:
            self._drag_resize(drag, delta, step)
        event.accept()

    def _drag_new(self, drag: _Drag, pos: QPointF) -> None:
        here = self.grid.minute_at(pos.y())
        start = min(drag.start, _floor(here, SLOT))
        end = max(drag.start + SLOT, _floor(here, SLOT) + SLOT)
        drag.target = (drag.column, int(start), int(end))
        rect = QRectF(
            self.grid.x_of(drag.column.index) + 2,
            self.grid.y_of(start),
            self.grid.column_width - 4,
            (end - start) * self.grid.pixels_per_minute,
        )
        if self._ghost is None:
            self._ghost = self.addRect(rect, QPen(self.colours.accent, 1.5), self.colours.cursor)
            self._ghost.setZValue(20)
        else:
            self._ghost.setRect(rect)

    def _drag_move(self, drag: _Drag, pos: QPointF, delta: float, step: int) -> None:
        assert drag.item is not None
        column = self.grid.column_at(pos.x()) or drag.column
        if not self.snapshot.bookable(column.practitioner):
            column = drag.column  # never dropped on an inactive (or someone else's) column
        length = drag.end - drag.start
        start = day_axis.snap(drag.start + delta, step)
        start = int(min(max(start, 0), day_axis.MINUTES_PER_DAY - length))
        drag.target = (column, start, int(start + length))
        drag.item.setZValue(10)
        drag.item.setOpacity(0.85)
        drag.item.set_rect(
            QRectF(
                self.grid.x_of(column.index) + blocks.GAP,
                self.grid.y_of(start) + 1,
                self.grid.column_width - 2 * blocks.GAP,
                max(length * self.grid.pixels_per_minute - 2, blocks.MIN_HEIGHT),
            )
        )

    def _drag_resize(self, drag: _Drag, delta: float, step: int) -> None:
        assert drag.item is not None
        end = max(day_axis.snap(drag.end + delta, step), _floor(drag.start, step) + step)
        end = int(min(end, day_axis.MINUTES_PER_DAY))
        drag.target = (drag.column, int(drag.start), end)
        item = drag.item
        top = item.pos().y()
        height = max(self.grid.y_of(end) - top - 1, blocks.MIN_HEIGHT)
        item.set_rect(QRectF(item.pos().x(), top, item.boundingRect().width(), height))

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        if self._ghost is not None:
            self.removeItem(self._ghost)
            self._ghost = None
        if not drag.moved or drag.target is None:
            return
        column, start, end = drag.target
        if drag.kind == "new":
            self.set_cursor(Slot(column.index, start))
            self.booking_requested.emit(SlotRequest(column.practitioner, column.day, start, end))
            return
        assert drag.item is not None
        unchanged = column == drag.column and (start, end) == (drag.start, drag.end)
        if unchanged:
            self._layout({drag.column.index})
            return
        self.move_requested.emit(
            MoveRequest(drag.item.appointment, column.practitioner, column.day, start, end)
        )

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        self._drag = None
        pos = event.scenePos()
        item = self._item_at(pos)
        if item is not None:
            self.open_requested.emit(item.appointment)
        else:
            column = self.grid.column_at(pos.x())
            if column is not None and self.snapshot.bookable(column.practitioner):
                minute = _floor(self.grid.minute_at(pos.y()), SLOT)
                self.set_cursor(Slot(column.index, minute))
                self.booking_requested.emit(SlotRequest(column.practitioner, column.day, minute))
        event.accept()

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        pos = event.scenePos()
        item = self._item_at(pos)
        if item is not None:
            self.clearSelection()
            item.setSelected(True)
            self.menu_requested.emit(item.appointment, event.screenPos())
        else:
            column = self.grid.column_at(pos.x())
            if column is not None and self.snapshot.bookable(column.practitioner):
                minute = _floor(self.grid.minute_at(pos.y()), SLOT)
                self.set_cursor(Slot(column.index, minute))
                request = SlotRequest(column.practitioner, column.day, minute)
                self.slot_menu_requested.emit(request, event.screenPos())
        event.accept()

    def slot_request(self, slot: Slot) -> SlotRequest:
        column = self.grid.columns[slot.column]
        return SlotRequest(column.practitioner, column.day, slot.minute)

    def slot_of(self, appointment_id: uuid.UUID) -> Slot | None:
        """The slot where a shown appointment starts (None when it is not shown)."""
        index = self._column_of.get(appointment_id)
        appointment = self.appointments.get(appointment_id)
        if index is None or appointment is None:
            return None
        start, _end = blocks.minutes_of(appointment, self.grid.columns[index], self.snapshot.zone)
        return Slot(index, _floor(start, SLOT))

    def hit_test(self, pos: QPointF) -> AppointmentItem | None:
        """The block under a scene position (for tests and keyboard code)."""
        return self._item_at(pos)


def _floor(minute: float, step: int) -> int:
    return math.floor(minute / step) * step
