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
from typing import NamedTuple

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


class Measure:
    """One font's metrics, with the answers kept. A week's blocks repeat a few dozen
    strings (type names, start times, the patients seen several times) and every Qt
    measurement crossed into C++ for 3–4 µs; a dict answers in a tenth of that. Made
    per calendar, like its fonts, so it never outlives a change of font."""

    __slots__ = ("_advances", "_elided", "height", "metrics")

    LIMIT = 8192  # answers kept before starting afresh (a week needs a few hundred)

    def __init__(self, font: QFont) -> None:
        self.metrics = QFontMetricsF(font)
        self.height = self.metrics.height()
        self._advances: dict[str, float] = {}
        self._elided: dict[tuple[str, float], str] = {}

    def advance(self, text: str) -> float:
        known = self._advances.get(text)
        if known is None:
            if len(self._advances) >= self.LIMIT:
                self._advances.clear()
            known = self._advances[text] = self.metrics.horizontalAdvance(text)
        return known

    def elided(self, text: str, width: float) -> str:
        """`text`, cut with an ellipsis to fit `width`."""
        key = (text, width)
        known = self._elided.get(key)
        if known is None:
            if len(self._elided) >= self.LIMIT:
                self._elided.clear()
            known = self._elided[key] = self.metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, width
            )
        return known


@dataclass(frozen=True)
class BlockFonts:
    """The fonts of a block and their measures, made once per calendar (building a
    QFontMetricsF for every block painted was most of the cost of painting a week)."""

    title: QFont
    detail: QFont
    struck: QFont  # the title of a cancelled block
    name: QFont  # the name in a narrow (week) block
    struck_name: QFont
    title_measure: Measure
    detail_measure: Measure
    name_measure: Measure

    @classmethod
    def from_base(cls, base: QFont) -> BlockFonts:
        title = QFont(base)
        title.setWeight(QFont.Weight.DemiBold)
        detail = QFont(base)
        detail.setPointSizeF(max(base.pointSizeF() - 0.5, 7.0))
        name = QFont(detail)
        name.setWeight(QFont.Weight.DemiBold)
        return cls(
            title,
            detail,
            _struck(title),
            name,
            _struck(name),
            Measure(title),
            Measure(detail),
            Measure(name),
        )


def _struck(font: QFont) -> QFont:
    struck = QFont(font)
    struck.setStrikeOut(True)
    return struck


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


@dataclass(frozen=True)
class _TypeColours:
    """What a type's colour becomes on a block, in one theme (worked out once each:
    a week paints hundreds of blocks in a handful of colours)."""

    theme: CalendarColours
    edge: QColor
    fill: QColor
    border: QColor  # the thin outline of a plain block


_type_colours: dict[tuple[str, int], _TypeColours] = {}


def _of_type(appointment: Appointment, colours: CalendarColours) -> _TypeColours:
    known = _type_colours.get((appointment.colour, id(colours)))
    if known is not None and known.theme is colours:
        return known
    colour = QColor(appointment.colour)
    border = colour.darker(115)
    border.setAlpha(110)
    made = _TypeColours(
        colours,
        edge=colour.darker(135) if not colours.dark else colour,
        fill=colours.block_fill(colour),
        border=border,
    )
    _type_colours[(appointment.colour, id(colours))] = made
    return made


def _edge_and_fill(appointment: Appointment, colours: CalendarColours) -> tuple[QColor, QColor]:
    known = _of_type(appointment, colours)
    edge, fill = known.edge, known.fill
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


class TextLine(NamedTuple):
    font: QFont
    rect: QRectF
    text: str  # already shortened to fit


@dataclass(frozen=True)
class TextLayout:
    """Where a block's words go, worked out once for its size (an item keeps it until its
    size or appointment changes: painting then draws strings, measuring nothing)."""

    lines: tuple[TextLine, ...]
    badge: QRectF | None  # the status pill


def paint_block(
    painter: QPainter,
    rect: QRectF,
    appointment: Appointment,
    text: BlockText,
    colours: CalendarColours,
    fonts: BlockFonts,
    selected: bool,
    layout: TextLayout | None = None,
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
    if layout is None:
        layout = layout_text(rect, text, appointment, fonts)
    _draw_text(painter, rect, layout, text, appointment, colours, fonts)


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
        painter.setPen(QPen(_of_type(appointment, colours).border, 1))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)


def _draw_text(
    painter: QPainter,
    rect: QRectF,
    layout: TextLayout,
    text: BlockText,
    appointment: Appointment,
    colours: CalendarColours,
    fonts: BlockFonts,
) -> None:
    if not layout.lines and layout.badge is None:
        return
    muted = appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED)
    ink = colours.muted if muted else colours.block_text
    painter.setClipRect(rect)
    if layout.badge is not None:
        pill = layout.badge
        colour = {
            AppointmentStatus.ARRIVED: ARRIVED,
            AppointmentStatus.NO_SHOW: NO_SHOW,
        }.get(appointment.status, CANCELLED)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(fonts.detail)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text.badge)
    align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    painter.setPen(ink)
    for line in layout.lines:
        painter.setFont(line.font)
        painter.drawText(line.rect, align, line.text)
    painter.setClipping(False)


def layout_text(
    rect: QRectF, text: BlockText, appointment: Appointment, fonts: BlockFonts
) -> TextLayout:
    """Which words fit where in a block of this size: name, then type, then time; a
    short block one line "9:00 Sam Lee"; a narrow one the name shortened or wrapped."""
    inner = rect.adjusted(BAR + PAD - 1, 2, -PAD + 1, -2)
    if inner.width() < 8:
        return TextLayout((), None)
    cancelled = appointment.status is AppointmentStatus.CANCELLED
    title_font = fonts.struck if cancelled else fonts.title
    title_measure, detail_measure = fonts.title_measure, fonts.detail_measure
    badge = _badge(inner, text.badge, fonts)
    reserve = 0.0 if badge is None else badge.width() + 4
    line = title_measure.height
    lines: list[TextLine] = []
    if inner.height() < line * 1.9:
        # One line only: the time first, so a glance down the column reads like a list.
        single = f"{text.when.split('–')[0]}  {text.title}"
        _line(lines, inner, single, title_font, title_measure, 0, reserve)
        return TextLayout(tuple(lines), badge)
    if inner.width() < COMPACT:
        tight = rect.adjusted(BAR + 2, 2, -1, -2)  # every pixel counts in a week column
        return TextLayout(_compact(tight, text, cancelled, fonts), badge)
    y = _line(lines, inner, text.title, title_font, title_measure, 0, reserve)
    for value in (text.detail, text.when):
        if y + detail_measure.height > inner.height() + 1:
            break
        y = _line(lines, inner, value, fonts.detail, detail_measure, y, 0)
    return TextLayout(tuple(lines), badge)


def _compact(
    inner: QRectF, text: BlockText, cancelled: bool, fonts: BlockFonts
) -> tuple[TextLine, ...]:
    """A narrow block (week view): the name (shortened, else over two lines), then the
    type when it fits whole (three letters of it say nothing; the colour says the type)
    and the start time, while there is room. The tooltip has everything."""
    name_font = fonts.struck_name if cancelled else fonts.name
    name_measure, detail_measure = fonts.name_measure, fonts.detail_measure
    room = max(1, int((inner.height() + 1) // name_measure.height))
    short = fitted_name(text.title, name_measure, inner.width())
    names = [short] if short else wrap(text.title, name_measure, inner.width(), min(2, room))
    lines: list[TextLine] = []
    y = 0.0
    for value in names:
        y = _line(lines, inner, value, name_font, name_measure, y, 0)
    details = [text.detail] if detail_measure.advance(text.detail) <= inner.width() else []
    for value in (*details, text.when.split("–")[0]):
        if y + detail_measure.height > inner.height() + 1:
            break
        y = _line(lines, inner, value, fonts.detail, detail_measure, y, 0)
    return tuple(lines)


def fitted_name(name: str, measure: Measure, width: float) -> str | None:
    """The name in full, else "Sam L.", else the first name, when one fits; else None."""
    words = name.split()
    candidates = [name]
    if len(words) > 1:
        candidates += [f"{words[0]} {words[-1][0]}.", words[0]]
    return next((c for c in candidates if measure.advance(c) <= width), None)


def wrap(value: str, measure: Measure, width: float, max_lines: int) -> list[str]:
    """Words over at most `max_lines` lines; the last one elided if it does not fit."""
    lines: list[str] = []
    words = value.split()
    while words and len(lines) < max_lines - 1:
        current = words.pop(0)
        while words and measure.advance(f"{current} {words[0]}") <= width:
            current = f"{current} {words.pop(0)}"
        lines.append(current)
    if words:
        rest = " ".join(words)
        lines.append(measure.elided(rest, width))
    return lines


def _line(
    lines: list[TextLine],
    inner: QRectF,
    value: str,
    font: QFont,
    measure: Measure,
    y: float,
    reserve: float,
) -> float:
    width = inner.width() - reserve
    shown = measure.elided(value, max(width, 0))
    rect = QRectF(inner.left(), inner.top() + y, width, measure.height)
    lines.append(TextLine(font, rect, shown))
    return y + measure.height


def _badge(inner: QRectF, label: str, fonts: BlockFonts) -> QRectF | None:
    """Where the status pill goes (top right), when there is room for it."""
    if not label:
        return None
    measure = fonts.detail_measure
    width = measure.advance(label) + 10
    if inner.width() < width + 50:
        return None
    height = min(measure.height + 2, fonts.title_measure.height)
    return QRectF(inner.right() - width, inner.top() + 1, width, height)
