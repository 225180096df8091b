"""The day sheet laid out as an A4 PDF with reportlab: one section per practitioner.

Each practitioner starts on a new page (sheets are handed out separately), with
a running header (clinic, date) and footer (when it was printed, a reminder
that it holds patient information, "page n of m" counted per practitioner).
The appointment table repeats its header row when it runs over a page; each row
carries its appointment type's colour as a stripe, cancelled rows are greyed.

Fonts, colours and styles are the reports' shared ones (desktop.services.pdf_style).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.services.exports import DaySheet, PractitionerDay, SheetEntry
from desktop.services.pdf_style import (
    HEADER_FILL,
    INK,
    MARGIN,
    MUTED,
    MUTED_HEX,
    RULE,
    PdfFonts,
    PdfStyles,
    a4_document,
    load_fonts,
)

FADED_HEX = "#8a94a3"  # cancelled rows
ZEBRA = colors.HexColor("#fafbfc")
NOTICE_FILL = colors.HexColor("#fff4e5")
NOTICE_EDGE = colors.HexColor("#f0a04b")
STATUS_COLOURS = {
    AppointmentStatus.BOOKED: "#1d63d8",
    AppointmentStatus.ARRIVED: "#0f8a7e",
    AppointmentStatus.COMPLETED: "#2f7d32",
    AppointmentStatus.NO_SHOW: "#b45309",
    AppointmentStatus.CANCELLED: "#b42318",
}
COLUMNS = (26 * mm, 50 * mm, 36 * mm, 24 * mm, 42 * mm)  # 178 mm: A4 less margins


class _SheetCanvas(Canvas):
    """Holds pages back until the end, so each can say "page 2 of 3" of its practitioner."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = ""
        self._pages: list[tuple[str, dict[str, Any]]] = []

    def showPage(self) -> None:
        self._pages.append((self.section, dict(self.__dict__)))
        # The ReportLab recipe for "page n of m": begin a new page without emitting this one.
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        totals = Counter(section for section, _ in self._pages)
        seen: Counter[str] = Counter()
        for section, state in self._pages:
            self.__dict__.update(state)
            seen[section] += 1
            label = f"Page {seen[section]} of {totals[section]}"
            self.setFont(load_fonts().regular, 7.5)
            self.setFillColor(MUTED)
            text = f"{section}  ·  {label}" if section else label
            self.drawRightString(A4[0] - MARGIN, 10 * mm, text)
            super().showPage()
        super().save()


class _Section(Flowable):
    """Marks where a practitioner's pages begin, for the running footer's page count."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.width = self.height = 0

    def draw(self) -> None:
        if isinstance(self.canv, _SheetCanvas):
            self.canv.section = self.name


def render_day_sheet(sheet: DaySheet) -> bytes:
    """The PDF bytes of the day sheet."""
    fonts = load_fonts()
    styles = PdfStyles(fonts)
    buffer = io.BytesIO()
    doc = a4_document(
        BaseDocTemplate,
        buffer,
        top=22 * mm,
        bottom=20 * mm,
        title=f"Day sheet — {sheet.clinic.name} — {sheet.day:%d %B %Y}",
        subject="Appointments per practitioner",
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def decorate(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        _draw_header_and_footer(canvas, sheet, fonts)

    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame], onPageEnd=decorate)])
    story: list[Flowable] = []
    for index, page in enumerate(sheet.pages):
        if index:
            story.append(PageBreak())
        story.extend(_practitioner_section(sheet, page, styles))
    if not sheet.pages:
        story.append(Paragraph("No appointments", styles.title))
        story.append(Paragraph(f"Nobody is booked on {_long_date(sheet)}.", styles.subtitle))
    doc.build(story, canvasmaker=_SheetCanvas)
    return buffer.getvalue()


def _long_date(sheet: DaySheet) -> str:
    return f"{sheet.day:%A} {sheet.day.day} {sheet.day:%B %Y}"


def _draw_header_and_footer(canvas: Canvas, sheet: DaySheet, fonts: PdfFonts) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(fonts.bold, 8.5)
    canvas.drawString(MARGIN, height - 12 * mm, sheet.clinic.name)
    canvas.setFont(fonts.regular, 8.5)
    canvas.setFillColor(MUTED)
    # On a continuation page this is what says whose sheet it is.
    who = canvas.section if isinstance(canvas, _SheetCanvas) and canvas.section else "Day sheet"
    canvas.drawRightString(width - MARGIN, height - 12 * mm, f"{who}  ·  {_long_date(sheet)}")
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, height - 14.5 * mm, width - MARGIN, height - 14.5 * mm)
    canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
    printed = sheet.generated_at
    canvas.setFont(fonts.regular, 7.5)
    canvas.drawString(
        MARGIN, 10 * mm, f"Printed {printed:%a} {printed.day} {printed:%b %Y at %H:%M %Z}"
    )
    canvas.drawString(
        MARGIN,
        6.5 * mm,
        "Confidential patient information: keep it secure and shred it after use.",
    )
    canvas.restoreState()


def _practitioner_section(
    sheet: DaySheet, page: PractitionerDay, styles: PdfStyles
) -> list[Flowable]:
    practitioner = page.practitioner
    status = "" if practitioner.active else "  ·  inactive"
    parts: list[Flowable] = [
        _Section(practitioner.name),
        Paragraph(escape(practitioner.name), styles.title),
        Paragraph(
            escape(f"{practitioner.profession}{status}  ·  {_long_date(sheet)}"), styles.subtitle
        ),
        Paragraph(escape(_summary(sheet, page)), styles.summary),
    ]
    if sheet.clock_change:
        parts.append(_notice(sheet.clock_change, styles))
    if page.entries:
        parts.append(_table(page, styles))
    else:
        parts.append(Paragraph("No appointments booked.", styles.empty))
    return parts


def _summary(sheet: DaySheet, page: PractitionerDay) -> str:
    live = page.live_entries
    individual = sum(1 for e in live if e.kind is AppointmentKind.INDIVIDUAL)
    classes = [e for e in live if e.kind is AppointmentKind.CLASS]
    cancelled = len(page.entries) - len(live)
    facts = [_plural(individual, "appointment")] if individual or not classes else []
    if classes:
        people = sum(e.booked_places for e in classes)
        facts.append(f"{_plural(len(classes), 'class', 'classes')} ({_plural(people, 'attendee')})")
    if cancelled:
        facts.append(f"{cancelled} cancelled")
    if live:
        facts.append(f"{live[0].starts:%H:%M} to {max(e.ends for e in live):%H:%M}")
    zone = sheet.generated_at.tzinfo
    facts.append(f"times in {getattr(zone, 'key', sheet.clinic.timezone)}")
    return "  ·  ".join(facts)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _notice(text: str, styles: PdfStyles) -> Table:
    box = Table([[Paragraph(escape(text), styles.notice)]], colWidths=[sum(COLUMNS)])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), NOTICE_FILL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, NOTICE_EDGE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    box.spaceAfter = 4 * mm
    return box


def _table(page: PractitionerDay, styles: PdfStyles) -> Table:
    heading = [
        Paragraph(text, styles.head)
        for text in ("TIME", "PATIENT", "APPOINTMENT", "STATUS", "NOTES")
    ]
    rows = [heading] + [_row(entry, styles) for entry in page.entries]
    table = Table(rows, colWidths=COLUMNS, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for index, entry in enumerate(page.entries, start=1):
        stripe = _colour(entry.colour)
        if entry.status is AppointmentStatus.CANCELLED:
            stripe = RULE
        commands.append(("LINEBEFORE", (0, index), (0, index), 3.5, stripe))
        if index % 2 == 0:
            commands.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
    table.setStyle(TableStyle(commands))
    return table


def _row(entry: SheetEntry, styles: PdfStyles) -> list[Paragraph]:
    cancelled = entry.status is AppointmentStatus.CANCELLED

    def dimmed(markup: str) -> str:
        return f"<font color='{FADED_HEX}'>{markup}</font>" if cancelled else markup

    notes = entry.notes
    if cancelled:
        notes = "\n".join(part for part in (f"Cancelled: {entry.cancellation}", notes) if part)
    status = (
        f"<font color='{STATUS_COLOURS[entry.status]}'><b>{escape(entry.status.label)}</b></font>"
    )
    return [
        Paragraph(
            dimmed(f"<b>{entry.starts:%H:%M}–{entry.ends:%H:%M}</b>")
            + f"<br/><font size=7.5 color='{MUTED_HEX}'>{entry.minutes} min</font>",
            styles.cell,
        ),
        _patient_cell(entry, styles, dimmed),
        Paragraph(dimmed(escape(entry.type_name)), styles.cell),
        Paragraph(status, styles.cell),
        Paragraph(_lines(notes), styles.small if cancelled else styles.cell),
    ]


def _patient_cell(entry: SheetEntry, styles: PdfStyles, dimmed: Callable[[str], str]) -> Paragraph:
    if entry.kind is AppointmentKind.INDIVIDUAL:
        return Paragraph(dimmed(escape(entry.patient) or "—"), styles.cell_bold)
    lines = [f"<b>Class</b> · {entry.booked_places} of {entry.capacity} places"]
    # Who is coming first; cancelled places after them, for the record.
    ordered = sorted(entry.attendees, key=lambda a: a.status is AppointmentStatus.CANCELLED)
    for attendee in ordered:
        name = escape(attendee.name)
        if attendee.status is AppointmentStatus.CANCELLED:
            lines.append(f"<font color='{FADED_HEX}'><strike>{name}</strike> (cancelled)</font>")
        elif attendee.status is AppointmentStatus.BOOKED:
            lines.append(f"•&nbsp;{name}")
        else:
            lines.append(
                f"•&nbsp;{name} <font color='{MUTED_HEX}'>({attendee.status.label})</font>"
            )
    if not entry.attendees:
        lines.append(f"<font color='{MUTED_HEX}'>No one booked yet</font>")
    return Paragraph("<br/>".join(lines), styles.cell)


def _lines(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.splitlines())


def _colour(value: str) -> colors.Color:
    try:
        return colors.HexColor(value)
    except ValueError:
        return RULE
