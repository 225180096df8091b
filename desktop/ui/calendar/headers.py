"""The column header (days and practitioners) and the time ruler beside the calendar.

Both are plain widgets in the view's margins, painted from the same `Grid` as the
scene and shifted by the scroll position, so they stay put while the calendar
scrolls under them.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.domain import day_axis
from desktop.domain.day_axis import RulerMark
from desktop.ui.calendar.grid import Grid
from desktop.ui.theme import CalendarColours

RULER_WIDTH = 58
DAY_HEADER = 50  # one row: practitioner name and profession
WEEK_HEADER = 54  # two rows: the day, then each practitioner
INACTIVE = "Kept bookings only, read-only"


def header_height(week: bool) -> int:
    return WEEK_HEADER if week else DAY_HEADER


def short_name(name: str, width: float, metrics: QFontMetricsF) -> str:
    """The full name, else the first name, else initials, whichever fits."""
    if metrics.horizontalAdvance(name) <= width:
        return name
    first = name.split()[0]
    if metrics.horizontalAdvance(first) <= width:
        return first
    return initials(name)


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[0].isalnum())


def week_labels(names: list[str], width: float, metrics: QFontMetricsF) -> list[str]:
    """One way of naming for the whole header: first names when all of them fit,
    else everyone's initials (a mix of "Alice", "HH" and "Bob" reads as a glitch)."""
    firsts = [name.split()[0] if name.split() else name for name in names]
    if all(metrics.horizontalAdvance(first) <= width for first in firsts):
        return [short_name(name, width, metrics) for name in names]
    return [initials(name) for name in names]


class ColumnHeader(QWidget):
    def __init__(self, colours: CalendarColours, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colours = colours
        self.grid: Grid | None = None
        self.today: date | None = None
        self.offset = 0
        self.setObjectName("calendarHeader")

    def show_grid(self, grid: Grid, today: date) -> None:
        self.grid, self.today = grid, today
        self.update()

    def set_offset(self, offset: int) -> None:
        self.offset = offset
        self.update()

    def tooltip_at(self, x: float) -> str:
        """The full name behind a narrow column's initials, and why a column is hatched."""
        column = self.grid.column_at(x + self.offset) if self.grid is not None else None
        if column is None:
            return ""
        person = column.practitioner
        if not person.active:
            return f"{person.name} — inactive: shows the bookings kept read-only when they left"
        return (
            f"{person.name} — {person.profession}, {column.day:%A} {column.day.day} {column.day:%B}"
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos().x())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), self.colours.header)
        grid = self.grid
        if grid is not None and grid.columns:
            week = len(grid.days) > 1
            painter.translate(-self.offset, 0)
            top = self._paint_days(painter, grid) if week else 0.0
            self._paint_practitioners(painter, grid, top, week)
            painter.translate(self.offset, 0)
        painter.setPen(QPen(self.colours.day_line, 1))
        painter.drawLine(
            QPointF(0, self.height() - 0.5), QPointF(self.width(), self.height() - 0.5)
        )

    def _paint_days(self, painter: QPainter, grid: Grid) -> float:
        height = 24.0
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        for day, first, count in grid.days:
            rect = QRectF(grid.x_of(first), 0, grid.column_width * count, height)
            label = f"{day:%A} {day.day} {day:%b}"
            if QFontMetricsF(font).horizontalAdvance(label) > rect.width() - 8:
                label = f"{day:%a} {day.day}"
            if day == self.today:
                pill_width = QFontMetricsF(font).horizontalAdvance(label) + 16
                pill = QRectF(rect.center().x() - pill_width / 2, 3, pill_width, height - 5)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.colours.accent)
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.setPen(self.colours.background if self.colours.dark else QColor("#ffffff"))
            else:
                painter.setPen(self.colours.text)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)
            painter.setPen(QPen(self.colours.day_line, 1.5))
            if first:
                painter.drawLine(QPointF(rect.left(), 0), QPointF(rect.left(), self.height()))
        return height

    def _paint_practitioners(self, painter: QPainter, grid: Grid, top: float, week: bool) -> None:
        name_font = QFont(self.font())
        name_font.setWeight(QFont.Weight.DemiBold)
        detail_font = QFont(self.font())
        detail_font.setPointSizeF(max(self.font().pointSizeF() - 1, 7.0))
        name_metrics = QFontMetricsF(name_font)
        bottom = self.height() - 1
        with_dot = not week or grid.column_width > 90
        narrow = week and grid.column_width < 70  # a working week at 1366 px: ~50 px each
        left_pad, right_pad = (3.0, 6.0) if narrow else (8.0, 14.0)
        name_width = grid.column_width - left_pad - right_pad - (13.0 if with_dot else 0.0)
        people = {c.practitioner.id: c.practitioner.name for c in grid.columns}
        named = week_labels(list(people.values()), name_width, name_metrics)
        labels = dict(zip(people, named, strict=True))
        for column in grid.columns:
            x = grid.x_of(column.index)
            colour = QColor(column.practitioner.colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRectF(x + 1, bottom - 3, grid.column_width - 2, 3))
            if column.index and not week:
                painter.setPen(QPen(self.colours.column_line, 1))
                painter.drawLine(QPointF(x + 0.5, top + 6), QPointF(x + 0.5, bottom - 6))
            active = column.practitioner.active
            if not active:  # shown only for bookings kept after they left; hatched as in the grid
                hatch = QBrush(self.colours.hour_line, Qt.BrushStyle.BDiagPattern)
                painter.fillRect(QRectF(x, top, grid.column_width, bottom - 3 - top), hatch)
            inner = QRectF(x + left_pad, top, grid.column_width - right_pad, bottom - 3 - top)
            dot = 0.0
            if with_dot:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                centre_y = inner.top() + (inner.height() / 2 if week else 14)
                painter.drawEllipse(QPointF(inner.left() + 4, centre_y), 4, 4)
                dot = 13.0
            name_rect = QRectF(inner.left() + dot, inner.top(), inner.width() - dot, inner.height())
            painter.setFont(name_font)
            painter.setPen(self.colours.text if active else self.colours.muted)
            name = (
                labels[column.practitioner.id]
                if week
                else short_name(column.practitioner.name, name_rect.width(), name_metrics)
            )
            marked = f"{name} (inactive)"
            if not active and name_metrics.horizontalAdvance(marked) <= name_rect.width():
                name = marked
            if week:
                across = Qt.AlignmentFlag.AlignHCenter if narrow else Qt.AlignmentFlag.AlignLeft
                painter.drawText(name_rect, int(Qt.AlignmentFlag.AlignVCenter | across), name)
                continue
            painter.drawText(
                QRectF(name_rect.left(), inner.top() + 4, name_rect.width(), 20),
                int(Qt.AlignmentFlag.AlignVCenter),
                name_metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
            )
            painter.setFont(detail_font)
            painter.setPen(self.colours.muted)
            detail_metrics = QFontMetricsF(detail_font)
            painter.drawText(
                QRectF(inner.left(), inner.top() + 24, inner.width(), 18),
                int(Qt.AlignmentFlag.AlignVCenter),
                detail_metrics.elidedText(
                    column.practitioner.profession if active else INACTIVE,
                    Qt.TextElideMode.ElideRight,
                    inner.width(),
                ),
            )


class TimeRuler(QWidget):
    """Hour labels on their lines; the current time in a red tag; DST days honestly."""

    def __init__(self, colours: CalendarColours, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colours = colours
        self.grid: Grid | None = None
        self.marks: list[RulerMark] = []
        self.skipped: tuple[int, int] | None = None
        self.now_minute: float | None = None
        self.offset = 0
        self.setObjectName("calendarRuler")

    def show_grid(
        self, grid: Grid, marks: list[RulerMark], skipped: tuple[int, int] | None
    ) -> None:
        self.grid, self.marks, self.skipped = grid, marks, skipped
        self.update()

    def set_now(self, minute: float | None) -> None:
        self.now_minute = minute
        self.update()

    def set_offset(self, offset: int) -> None:
        self.offset = offset
        self.update()

    def labels(self) -> list[str]:
        return [mark.label for mark in self.marks]

    def y_of_mark(self, label: str) -> float:
        """Scene y of the line an hour label sits on (for tests and accessibility)."""
        assert self.grid is not None
        mark = next(m for m in self.marks if m.label == label)
        return self.grid.y_of(mark.minute)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), self.colours.header)
        painter.setPen(QPen(self.colours.day_line, 1))
        painter.drawLine(QPointF(self.width() - 0.5, 0), QPointF(self.width() - 0.5, self.height()))
        grid = self.grid
        if grid is None:
            return
        painter.translate(0, -self.offset)
        self._paint_marks(painter, grid)
        if self.now_minute is not None:
            self._paint_now(painter, grid, self.now_minute)

    def _paint_marks(self, painter: QPainter, grid: Grid) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(self.font().pointSizeF() - 0.5, 7.0))
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        right = self.width() - 8
        if self.skipped is not None:
            top, bottom = grid.y_of(self.skipped[0]), grid.y_of(self.skipped[1])
            painter.fillRect(
                QRectF(0, top, self.width() - 1, bottom - top), self.colours.clock_change
            )
            painter.setPen(self.colours.now)
            painter.drawText(
                QRectF(2, top, self.width() - 10, bottom - top),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                "Clocks\nforward",
            )
        for mark in self.marks:
            y = grid.y_of(mark.minute)
            label = f"{mark.label} ²" if mark.repeated else mark.label
            # Labels sit just under their line; the first one would otherwise be cut off.
            rect = QRectF(0, y + 2, right, metrics.height())
            painter.setPen(self.colours.muted)
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), label
            )
            painter.setPen(QPen(self.colours.hour_line, 1))
            painter.drawLine(QPointF(self.width() - 6, y + 0.5), QPointF(self.width(), y + 0.5))

    def _paint_now(self, painter: QPainter, grid: Grid, minute: float) -> None:
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(max(self.font().pointSizeF() - 0.5, 7.0))
        metrics = QFontMetricsF(font)
        y = grid.y_of(minute)
        text = day_axis.hour_label(int(minute) // 60 * 60)[:-2] + f"{int(minute) % 60:02d}"
        height = metrics.height() + 2
        tag = QRectF(3, y - height / 2, self.width() - 6, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colours.now)
        painter.drawRoundedRect(tag, height / 2, height / 2)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(font)
        painter.drawText(tag, int(Qt.AlignmentFlag.AlignCenter), text)
