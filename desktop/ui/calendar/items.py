"""One QGraphicsItem per appointment: paints its block, shows its details on hover.

Items are passive: the scene decides what a press, a drag or a double-click
means (it knows the grid), so an item only needs its appointment and its rect.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.domain.clinic_time import to_local
from desktop.ui.calendar.block_painter import (
    BlockFonts,
    BlockText,
    TextLayout,
    block_text,
    layout_text,
    paint_block,
)
from desktop.ui.calendar.blocks import BlockRect
from desktop.ui.theme import CalendarColours

RESIZE_EDGE = 6.0  # px at the bottom of a block that resize instead of move
_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
)


def time_range(appointment: Appointment, zone: ZoneInfo) -> str:
    start, end = to_local(appointment.starts_at, zone), to_local(appointment.ends_at, zone)
    return f"{start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}"


def tooltip(appointment: Appointment, zone: ZoneInfo, practitioner: str) -> str:
    lines = [
        f"<b>{appointment.title}</b>",
        f"{appointment.type_name} with {practitioner}",
        f"{to_local(appointment.starts_at, zone):%a %d %b}, {time_range(appointment, zone)}",
        f"Status: {appointment.status.label}",
    ]
    if appointment.series_id is not None:
        lines.append("One of a repeating series")
    if appointment.kind is AppointmentKind.CLASS:
        names = [a.patient_name for a in appointment.attendees if a.status.takes_time]
        lines.append("Attendees: " + (", ".join(names) if names else "none yet"))
    if appointment.cancellation_reason is not None:
        lines.append(f"Cancelled: {appointment.cancellation_reason.label}")
    if appointment.notes:
        lines.append(f"Notes: {appointment.notes}")
    if appointment.read_only:
        lines.append("Read-only: the practitioner was deactivated")
    return "<br>".join(lines)


class AppointmentItem(QGraphicsItem):
    def __init__(
        self,
        appointment: Appointment,
        zone: ZoneInfo,
        practitioner: str,
        colours: CalendarColours,
        fonts: BlockFonts,
    ) -> None:
        super().__init__()
        self.zone = zone
        self.colours = colours
        self.fonts = fonts
        self._rect = QRectF()
        self.setFlags(_FLAGS)
        self.setAcceptHoverEvents(True)
        # Painted once into a pixmap, then copied while nothing changes: scrolling and
        # repainting a week of blocks costs no text layout (Qt drops it on update()).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.appointment = appointment
        self.practitioner = practitioner
        self.permitted = True  # the signed-in user may change it (the scene sets this)
        self.waiting = 0  # wait-list entries that fit a freed block's time (its badge says so)
        # Worked out on first paint (a week adds hundreds of blocks, most never in view):
        self._text: BlockText | None = None
        self._layout: TextLayout | None = None  # for the current size and text
        self._tooltip_stale = True  # built on first hover

    def set_appointment(self, appointment: Appointment, practitioner: str) -> None:
        self.appointment = appointment
        self.practitioner = practitioner
        self._text = None
        self._layout = None
        self._tooltip_stale = True
        self.update()

    @property
    def text(self) -> BlockText:
        """What the block says (name, type, time, badge), worked out when first wanted."""
        if self._text is None:
            appointment = self.appointment
            text = block_text(appointment, time_range(appointment, self.zone))
            if self.waiting and appointment.status.frees_slot:  # cancelled, or a no-show's rest
                text = replace(text, badge=f"{appointment.status.label} · {self.waiting} waiting")
            self._text = text
        return self._text

    def set_waiting(self, count: int) -> None:
        """How many on the wait list fit this freed (cancelled, no-show) block's time
        (desktop.ui.wait_list)."""
        if count != self.waiting:
            self.waiting = count
            self.set_appointment(self.appointment, self.practitioner)

    @property
    def editable(self) -> bool:
        """Can be dragged: the user's to change, not cancelled and not kept read-only."""
        return (
            self.permitted
            and not self.appointment.read_only
            and self.appointment.status is not AppointmentStatus.CANCELLED
        )

    def set_block(self, block: BlockRect) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(0, 0, block.width, block.height)
        self._layout = None
        self.setPos(block.x, block.y)

    def set_rect(self, rect: QRectF) -> None:
        """Scene rect while being dragged."""
        self.prepareGeometryChange()
        self._rect = QRectF(0, 0, rect.width(), rect.height())
        self._layout = None
        self.setPos(rect.topLeft())

    def on_resize_edge(self, y: float) -> bool:
        return self.editable and y >= self._rect.height() - RESIZE_EDGE

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,  # noqa: ARG002
        widget: QWidget | None = None,  # noqa: ARG002
    ) -> None:
        if self._layout is None:
            self._layout = layout_text(self._rect, self.text, self.appointment, self.fonts)
        paint_block(
            painter,
            self._rect,
            self.appointment,
            self.text,
            self.colours,
            self.fonts,
            self.isSelected(),
            self._layout,
        )

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        if self._tooltip_stale:
            self.setToolTip(tooltip(self.appointment, self.zone, self.practitioner))
            self._tooltip_stale = False
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        if self.on_resize_edge(event.pos().y()):
            self.setCursor(Qt.CursorShape.SizeVerCursor)
        elif self.editable:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.unsetCursor()
        super().hoverMoveEvent(event)
