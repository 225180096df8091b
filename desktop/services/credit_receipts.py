"""Health-fund receipts of a patient's sessions, printed as one PDF for a date range."""

from __future__ import annotations

import uuid
from datetime import date

from desktop.domain.billing import Invoice
from desktop.domain.errors import InvalidInput
from desktop.services import receipts
from desktop.services.context import ServiceContext
from desktop.store import billing_queries
from desktop.store.billing_models import InvoiceRow
from desktop.store.models import ClinicRow


def session_invoices(
    ctx: ServiceContext, patient_id: uuid.UUID, start: date, end: date
) -> list[Invoice]:
    """A patient's live session invoices with a date of service in [start, end]."""
    ctx.actor()
    with ctx.database.reading() as session:
        return billing_queries.patient_invoices(
            session,
            patient_id,
            InvoiceRow.status == "issued",
            InvoiceRow.service_date >= start,
            InvoiceRow.service_date <= end,
            order_by=(InvoiceRow.service_date, InvoiceRow.sequence),
        )


def session_receipts_pdf(
    ctx: ServiceContext, patient_id: uuid.UUID, start: date, end: date
) -> bytes:
    """Batch print for a health fund: one page per session in the range, each the same
    receipt `receipts.invoice_pdf` prints (full fee, item number, date of service,
    provider number at that location, patient, paid — from credit or otherwise)."""
    invoices = session_invoices(ctx, patient_id, start, end)
    if not invoices:
        raise InvalidInput(
            f"No sessions between {start:%d/%m/%Y} and {end:%d/%m/%Y} have been invoiced."
        )
    with ctx.database.reading() as session:
        clinic = session.get(ClinicRow, invoices[0].service.clinic_id)
        heading = receipts.ClinicHeading(
            clinic.name if clinic else invoices[0].service.clinic_name,
            clinic.address if clinic else "",
            clinic.phone if clinic else "",
        )
    return receipts.render_receipts_pdf(invoices, heading)
