"""The PDF layout of invoices and receipts (reportlab), loaded when first printed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop.domain.billing import Invoice
from desktop.services.receipts import ClinicHeading, document_title


def _date(value: object) -> str:
    return f"{value:%d/%m/%Y}"


def _document(
    buffer: io.BytesIO, title: str, clinic: ClinicHeading, subject: str | None = None
) -> SimpleDocTemplate:
    """An A4 receipt document by the clinic, written into `buffer`."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=clinic.name,
        subject=subject,
    )


def render_invoice_pdf(invoice: Invoice, clinic: ClinicHeading) -> bytes:
    """One A4 page for one service."""
    buffer = io.BytesIO()
    title = document_title(invoice)
    document = _document(
        buffer,
        f"{title} {invoice.number}",
        clinic,
        subject=f"{invoice.service.type_name} for {invoice.patient_name}",
    )
    document.build(_story(invoice, clinic))  # type: ignore[arg-type]
    return buffer.getvalue()


def render_receipts_pdf(invoices: Sequence[Invoice], clinic: ClinicHeading) -> bytes:
    """Several services, one page each (a patient's batch for their health fund)."""
    buffer = io.BytesIO()
    document = _document(
        buffer, f"Receipts for {invoices[0].patient_name}" if invoices else "Receipts", clinic
    )
    story: list[object] = []
    for position, invoice in enumerate(invoices):
        if position:
            story.append(PageBreak())
        story += _story(invoice, clinic)
    document.build(story)  # type: ignore[arg-type]
    return buffer.getvalue()


def _story(invoice: Invoice, clinic: ClinicHeading) -> list[object]:
    title = document_title(invoice)
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=9, leading=11)
    story: list[object] = [
        Paragraph(clinic.name, styles["Title"]),
        Paragraph(" · ".join(x for x in (clinic.address, clinic.phone) if x), small),
        Spacer(1, 6 * mm),
        Paragraph(f"{title} {invoice.number}", styles["Heading2"]),
        _facts_table(invoice),
        Spacer(1, 6 * mm),
        _lines_table(invoice),
        Spacer(1, 4 * mm),
        _money_table(invoice),
    ]
    if invoice.payments or invoice.refunds or invoice.credits:
        story += [Spacer(1, 5 * mm), Paragraph("Payments", styles["Heading3"])]
        story.append(_payments_table(invoice))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(f"Status: {invoice.paid_status.label.upper()}", styles["Heading2"]),
    ]
    if invoice.void_reason:
        story.append(Paragraph(f"Void: {invoice.void_reason}", small))
    return story


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
        ]
    table.setStyle(TableStyle(style))
    return table


def _facts_table(invoice: Invoice) -> Table:
    service = invoice.service
    fund = invoice.patient_health_fund
    if fund and invoice.patient_health_fund_number:
        fund = f"{fund} {invoice.patient_health_fund_number}"
    rows = [
        ["Patient", f"{invoice.patient_name} (#{invoice.patient_number})"],
        ["Date of service", _date(service.service_date)],
        ["Service", service.type_name],
        ["Item number", service.item_code or "-"],
        ["Practitioner", service.practitioner_name],
        ["Provider number", service.provider_number or "not recorded"],
        ["Location", service.clinic_name],
        ["Invoice date", _date(invoice.issued_on)],
    ]
    if fund:
        rows.append(["Health fund", fund])
    return _grid(rows, [40 * mm, 120 * mm])


def _lines_table(invoice: Invoice) -> Table:
    rows = [["Item", "Description", "Qty", "Fee"]]
    for line in invoice.lines:
        rows.append([line.item_code or "-", line.description, str(line.quantity), str(line.amount)])
    table = _grid(rows, [18 * mm, 112 * mm, 10 * mm, 24 * mm], header=True)
    table.setStyle(TableStyle([("ALIGN", (2, 0), (-1, -1), "RIGHT")]))
    return table


def _money_table(invoice: Invoice) -> Table:
    rows = [
        ["Total fee", str(invoice.total)],
        ["Amount paid", str(invoice.paid)],
    ]
    if invoice.credits:
        rows.append(["Paid from credit", str(invoice.credited)])
    if invoice.refunded.cents:
        rows.append(["Amount refunded", str(invoice.refunded)])
    rows.append(["Balance due", str(invoice.amount_due)])
    table = _grid(rows, [140 * mm, 24 * mm])
    table.setStyle(
        TableStyle(
            [("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9)]
        )
    )
    return table


def _payments_table(invoice: Invoice) -> Table:
    rows = [["Number", "Date", "Method", "Amount"]]
    for payment in invoice.payments:
        label = payment.method.label
        if not payment.live:
            label += " (removed)"
        rows.append([payment.number, _date(payment.received_on), label, str(payment.amount)])
    for used in invoice.credits:  # prepaid credit, a dated allocation each (issue 7)
        label = f"Credit: {used.description}" if used.description else "Credit"
        rows.append([used.number, _date(used.applied_on), label, str(used.amount)])
    for refund in invoice.refunds:
        rows.append(
            [
                refund.number,
                _date(refund.refunded_on),
                f"Refund, {refund.method.label}",
                str(-refund.amount),
            ]
        )
    table = _grid(rows, [40 * mm, 28 * mm, 72 * mm, 24 * mm], header=True)
    table.setStyle(TableStyle([("ALIGN", (3, 0), (3, -1), "RIGHT")]))
    return table
