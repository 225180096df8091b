"""How one appointment block looks: colour by type, badge and texture by status.

* booked – the type's colour, softened, with a solid edge in the full colour;
* arrived – a green edge and an "Arrived" badge, so the front desk sees who is in;
* completed – faded, the day's history rather than its work;
* cancelled – grey, hatched, name struck through (hidden with View ▸ Show cancelled);
* no-show – a red dashed outline and a "No-show" badge;
* read-only (practitioner deactivated, bookings kept) – a dashed grey outline.

Text is laid out for the room there is: name, then type, then time; a short block
shows one line "9:00 Sam Lee". Classes read "Reformer pilates class" / "5 of 8 booked".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.ui.theme import CalendarColours

ARRIVED = QColor("#1e9e5a")
NO_SHOW = QColor("#d93025")
CANCELLED = QColor("#8a94a3")
BAR = 4.0  # the coloured edge on the left
PAD = 5.0
COMPACT = 96.0  # px: narrower blocks shorten or wrap the name (week view)


@dataclass(frozen=True)
class BlockFonts:
    title: QFont
    detail: QFont

    @classmethod
    def from_base(cls, base: QFont) -> BlockFonts:
        title = QFont(base)
        title.setWeight(QFont.Weight.DemiBold)
        detail = QFont(base)
        detail.setPointSizeF(max(base.pointSizeF() - 0.5, 7.0))
        return cls(title, detail)


@dataclass(frozen=True)
class BlockText:
    title: str
    detail: str
    when: str
    badge: str


def block_text(appointment: Appointment, when: str) -> BlockText:
    if appointment.kind is AppointmentKind.CLASS:
        booked, capacity = appointment.booked_places, appointment.capacity
        detail = (
            f"Full – {booked} of {capacity}"
            if booked >= capacity
            else f"{booked} of {capacity} booked"
        )
        title = appointment.type_name
    else:
        title, detail = appointment.patient_name or "(no patient)", appointment.type_name
    badge = {
        AppointmentStatus.ARRIVED: "Arrived",
        AppointmentStatus.NO_SHOW: "No-show",
        AppointmentStatus.CANCELLED: "Cancelled",
    }.get(appointment.status, "")
    if appointment.status is AppointmentStatus.COMPLETED:
        when = f"{when} · Completed"
    if appointment.read_only:
        when = f"{when} · Read-only"
    return BlockText(title, detail, when, badge)


def _edge_and_fill(appointment: Appointment, colours: CalendarColours) -> tuple[QColor, QColor]:
    colour = QColor(appointment.colour)
    fill = colours.block_fill(colour)
    edge = colour.darker(135) if not colours.dark else colour
    status = appointment.status
    if status is AppointmentStatus.CANCELLED:
        return CANCELLED, colours.closed
    if status is AppointmentStatus.COMPLETED:
        faded = QColor(fill)
        faded.setAlpha(150)
        return edge, faded
    if status is AppointmentStatus.ARRIVED:
        return ARRIVED, fill
    if status is AppointmentStatus.NO_SHOW:
        return NO_SHOW, fill
    return edge, fill


def paint_block(
    painter: QPainter,
    rect: QRectF,
    appointment: Appointment,
    text: BlockText,
    colours: CalendarColours,
    fonts: BlockFonts,
    selected: bool,
) -> None:
    edge, fill = _edge_and_fill(appointment, colours)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 3, 3)
    status = appointment.status
    if status is AppointmentStatus.CANCELLED:
        hatch = QColor(CANCELLED)
        hatch.setAlpha(70)
        painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(rect, 3, 3)
    painter.setBrush(edge)
    painter.drawRoundedRect(QRectF(rect.left(), rect.top(), BAR, rect.height()), 2, 2)
    _outline(painter, rect, appointment, colours, selected)
    _texts(painter, rect, text, appointment, colours, fonts)


def _outline(
    painter: QPainter,
    rect: QRectF,
    appointment: Appointment,
    colours: CalendarColours,
    selected: bool,
) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if selected:
        painter.setPen(QPen(colours.accent, 2))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
    elif appointment.status is AppointmentStatus.NO_SHOW:
        painter.setPen(QPen(NO_SHOW, 1.5, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 3, 3)
    elif appointment.read_only:
        painter.setPen(QPen(colours.muted, 1, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
    else:
        border = QColor(appointment.colour).darker(115)
        border.setAlpha(110)
        painter.setPen(QPen(border, 1))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)


def _texts(
    painter: QPainter,
    rect: QRectF,
    text: BlockText,
    appointment: Appointment,
    colours: CalendarColours,
    fonts: BlockFonts,
) -> None:
    muted = appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED)
    ink = colours.muted if muted else colours.block_text
    inner = rect.adjusted(BAR + PAD - 1, 2, -PAD + 1, -2)
    if inner.width() < 8:
        return
    title_font = QFont(fonts.title)
    title_font.setStrikeOut(appointment.status is AppointmentStatus.CANCELLED)
    title_metrics = QFontMetricsF(title_font)
    detail_metrics = QFontMetricsF(fonts.detail)
    painter.setClipRect(rect)
    badge_width = _badge(painter, inner, text.badge, appointment, fonts, title_metrics)
    line = title_metrics.height()
    if inner.height() < line * 1.9:
        # One line only: the time first, so a glance down the column reads like a list.
        painter.setFont(title_font)
        painter.setPen(ink)
        single = f"{text.when.split('–')[0]}  {text.title}"
        _line(painter, inner, single, title_metrics, 0, badge_width)
        painter.setClipping(False)
        return
    if inner.width() < COMPACT:
        tight = rect.adjusted(BAR + 2, 2, -2, -2)  # every pixel counts in a week column
        _compact(painter, tight, text, title_font, fonts, ink, colours.muted if muted else ink)
        painter.setClipping(False)
        return
    painter.setFont(title_font)
    painter.setPen(ink)
    y = _line(painter, inner, text.title, title_metrics, 0, badge_width)
    painter.setFont(fonts.detail)
    painter.setPen(colours.muted if muted else ink)
    for value in (text.detail, text.when):
        if y + detail_metrics.height() > inner.height() + 1:
            break
        y = _line(painter, inner, value, detail_metrics, y, 0)
    painter.setClipping(False)


def _compact(
    painter: QPainter,
    inner: QRectF,
    text: BlockText,
    title_font: QFont,
    fonts: BlockFonts,
    ink: QColor,
    detail_ink: QColor,
) -> None:
    """A narrow block (week view): the name (shortened, else over two lines), then the
    type and the start time while there is room. The tooltip has everything."""
    name_font = QFont(fonts.detail)
    name_font.setWeight(QFont.Weight.DemiBold)
    name_font.setStrikeOut(title_font.strikeOut())
    name_metrics, detail_metrics = QFontMetricsF(name_font), QFontMetricsF(fonts.detail)
    room = max(1, int((inner.height() + 1) // name_metrics.height()))
    short = fitted_name(text.title, name_metrics, inner.width())
    lines = [short] if short else wrap(text.title, name_metrics, inner.width(), min(2, room))
    painter.setFont(name_font)
    painter.setPen(ink)
    y = 0.0
    for value in lines:
        y = _line(painter, inner, value, name_metrics, y, 0)
    painter.setFont(fonts.detail)
    painter.setPen(detail_ink)
    for value in (text.detail, text.when.split("–")[0]):
        if y + detail_metrics.height() > inner.height() + 1:
            break
        y = _line(painter, inner, value, detail_metrics, y, 0)


def fitted_name(name: str, metrics: QFontMetricsF, width: float) -> str | None:
    """The name in full, else "Sam L.", else the first name, when one fits; else None."""
    words = name.split()
    candidates = [name]
    if len(words) > 1:
        candidates += [f"{words[0]} {words[-1][0]}.", words[0]]
    return next((c for c in candidates if metrics.horizontalAdvance(c) <= width), None)


def wrap(value: str, metrics: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Words over at most `max_lines` lines; the last one elided if it does not fit."""
    lines: list[str] = []
    words = value.split()
    while words and len(lines) < max_lines - 1:
        current = words.pop(0)
        while words and metrics.horizontalAdvance(f"{current} {words[0]}") <= width:
            current = f"{current} {words.pop(0)}"
        lines.append(current)
    if words:
        rest = " ".join(words)
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


def _line(
    painter: QPainter,
    inner: QRectF,
    value: str,
    metrics: QFontMetricsF,
    y: float,
    reserve: float,
) -> float:
    width = inner.width() - reserve
    shown = metrics.elidedText(value, Qt.TextElideMode.ElideRight, max(width, 0))
    painter.drawText(
        QRectF(inner.left(), inner.top() + y, width, metrics.height()),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
        shown,
    )
    return y + metrics.height()


def _badge(
    painter: QPainter,
    inner: QRectF,
    label: str,
    appointment: Appointment,
    fonts: BlockFonts,
    title_metrics: QFontMetricsF,
) -> float:
    """A status pill at the top right, when there is room; returns the width it took."""
    if not label:
        return 0.0
    metrics = QFontMetricsF(fonts.detail)
    width = metrics.horizontalAdvance(label) + 10
    if inner.width() < width + 50:
        return 0.0
    colour = {
        AppointmentStatus.ARRIVED: ARRIVED,
        AppointmentStatus.NO_SHOW: NO_SHOW,
    }.get(appointment.status, CANCELLED)
    height = min(metrics.height() + 2, title_metrics.height())
    pill = QRectF(inner.right() - width, inner.top() + 1, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(fonts.detail)
    painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), label)
    return width + 4
