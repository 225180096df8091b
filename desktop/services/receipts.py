"""Invoices and receipts as PDF (reportlab), with what an Australian health fund needs.

A claimable receipt shows, for one service: the clinic, the patient, the date of
service, the item number, the practitioner and their provider number *at that
location*, the full fee, what was paid (how and when) and the paid status. The
same layout serves both: titled "Receipt" once paid in full, "Tax invoice"
before that, and stamped VOID or REFUNDED where that applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.domain.billing import Invoice, PaidStatus
from desktop.domain.errors import NotFound
from desktop.services.context import ServiceContext
from desktop.store import billing_queries
from desktop.store.models import ClinicRow


@dataclass(frozen=True, slots=True)
class ClinicHeading:
    name: str
    address: str = ""
    phone: str = ""


def document_title(invoice: Invoice) -> str:
    return "Receipt" if invoice.paid_status is PaidStatus.PAID else "Tax invoice"


def render_invoice_pdf(invoice: Invoice, clinic: ClinicHeading) -> bytes:
    """One A4 page for one service."""
    # reportlab takes a while to import; only printing needs it, not start-up.
    from desktop.services import receipt_pdf

    return receipt_pdf.render_invoice_pdf(invoice, clinic)


def render_receipts_pdf(invoices: Sequence[Invoice], clinic: ClinicHeading) -> bytes:
    """Several services, one per page."""
    from desktop.services import receipt_pdf

    return receipt_pdf.render_receipts_pdf(invoices, clinic)


def invoice_pdf(ctx: ServiceContext, invoice_id: uuid.UUID) -> bytes:
    """The invoice (or, once paid, the receipt) of one service as PDF bytes."""
    ctx.actor()
    with ctx.database.reading() as session:
        invoice = billing_queries.load_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("That invoice no longer exists.")
        clinic = session.get(ClinicRow, invoice.service.clinic_id)
        heading = ClinicHeading(
            clinic.name if clinic else invoice.service.clinic_name,
            clinic.address if clinic else "",
            clinic.phone if clinic else "",
        )
    return render_invoice_pdf(invoice, heading)
