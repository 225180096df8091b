"""The day's takings as files: a CSV for the bookkeeper and an A4 PDF for the desk.

The CSV has one row per line of the report (section, line, received, refunded,
credit sold, net), then the drawer and the invoices still owing, so a
spreadsheet can add it up. The PDF lays out the same figures with reportlab,
in the reports' shared style (desktop.services.pdf_style).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.domain.clinic_time import clinic_zone
from desktop.services.exports import CsvColumn, write_atomically, write_csv
from desktop.services.pdf_style import HEADER_FILL, RULE, PdfStyles, a4_document, load_fonts
from desktop.services.takings import Takings, TakingsRow

CSV_COLUMNS = tuple(
    CsvColumn(key, heading)
    for key, heading in (
        ("section", "Section"),
        ("line", "Line"),
        ("received", "Received"),
        ("refunded", "Refunded"),
        ("credit_sold", "Credit sold"),
        ("net", "Net"),
    )
)


def _figures(row: TakingsRow) -> dict[str, object]:
    return {
        "line": row.label,
        "received": row.received,
        "refunded": row.refunded,
        "credit_sold": row.credit_sold,
        "net": row.net,
    }


def csv_rows(takings: Takings) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"section": "By method", **_figures(row)} for row in takings.by_method
    ]
    rows.append({"section": "By method", **_figures(takings.total)})
    rows += [{"section": "By practitioner", **_figures(row)} for row in takings.by_practitioner]
    rows.append({"section": "Cash drawer", "line": "Cash to hold", "net": takings.drawer_cash})
    rows.append(
        {
            "section": "Still owing",
            "line": f"{takings.owing_count} invoices",
            "net": takings.owing_total,
        }
    )
    return rows


def write_takings_csv(takings: Takings, out: Path) -> int:
    return write_csv(out, CSV_COLUMNS, csv_rows(takings))


def render_takings_pdf(takings: Takings, now: datetime | None = None) -> bytes:
    fonts = load_fonts()
    styles = PdfStyles(fonts)
    printed = (now or datetime.now(UTC)).astimezone(clinic_zone(takings.timezone))
    buffer = io.BytesIO()
    doc = a4_document(
        SimpleDocTemplate,
        buffer,
        top=18 * mm,
        bottom=18 * mm,
        title=f"Takings — {takings.clinic_name} — {takings.period}",
    )
    whose = f"  ·  {takings.only_practitioner} only" if takings.only_practitioner else ""
    story = [
        Paragraph(escape(f"Takings — {takings.clinic_name}"), styles.title),
        Paragraph(escape(f"{takings.period}{whose}"), styles.subtitle),
        Paragraph(
            escape(
                f"Times in {takings.timezone}  ·  printed {printed:%d %b %Y at %H:%M}  ·  "
                f"cash the drawer should hold: {takings.drawer_cash}  ·  "
                f"still owing: {takings.owing_count} invoices, {takings.owing_total}"
            ),
            styles.summary,
        ),
        _table("BY METHOD", [*takings.by_method, takings.total], styles),
        Spacer(1, 6 * mm),
        _table("BY PRACTITIONER", list(takings.by_practitioner), styles),
    ]
    doc.build(story)
    return buffer.getvalue()


def _table(title: str, rows: list[TakingsRow], styles: PdfStyles) -> Table:
    figure = ParagraphStyle("figure", parent=styles.cell, alignment=TA_RIGHT)
    figure_head = ParagraphStyle("figure_head", parent=styles.head, alignment=TA_RIGHT)
    heading = [Paragraph(title, styles.head)] + [
        Paragraph(text, figure_head) for text in ("RECEIVED", "REFUNDED", "CREDIT SOLD", "NET")
    ]

    def bold(row: TakingsRow, text: str) -> str:
        return f"<b>{text}</b>" if row.label == "Total" else text

    body = [
        [Paragraph(bold(row, escape(row.label)), styles.cell)]
        + [
            Paragraph(bold(row, str(value)), figure)
            for value in (row.received, row.refunded, row.credit_sold, row.net)
        ]
        for row in rows
    ]
    if not body:
        body = [[Paragraph(text, styles.small) for text in ("Nothing taken.", "", "", "", "")]]
    table = Table([heading, *body], colWidths=(62 * mm, 29 * mm, 29 * mm, 29 * mm, 29 * mm))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
            ]
        )
    )
    return table


def write_takings_pdf(takings: Takings, out: Path) -> None:
    write_atomically(out, render_takings_pdf(takings))


def takings_text(takings: Takings) -> str:
    """The takings as a plain table for the terminal."""
    lines = [f"Takings, {takings.clinic_name}: {takings.period} ({takings.timezone})", ""]
    head = f"{'':<34}{'Received':>12}{'Refunded':>12}{'Credit sold':>12}{'Net':>12}"
    for title, rows in (
        ("By method", [*takings.by_method, takings.total]),
        ("By practitioner", list(takings.by_practitioner)),
    ):
        lines += [head.replace(" " * len(title), title, 1), "-" * len(head)]
        for row in rows:
            figures = (row.received, row.refunded, row.credit_sold, row.net)
            lines.append(f"{row.label[:33]:<34}" + "".join(f"{m!s:>12}" for m in figures))
        lines.append("")
    lines.append(f"Cash the drawer should hold: {takings.drawer_cash}")
    lines.append(f"Still owing: {takings.owing_count} invoices, {takings.owing_total}")
    return "\n".join(lines)
