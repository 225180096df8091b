"""Reading Xero's side of the books for `frontdesk xero reconcile` (issue 7).

For each patient Frontdesk knows (see `desktop.services.reconcile`): every credit
document (prepayment, overpayment, credit note) by its Xero ID, and every invoice by
number. Read-only: nothing here changes Xero. Invoices are read 40 numbers to a
call; credit documents one call each (a clinic's live credits are few).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from desktop.domain.money import Money
from desktop.services import reconcile
from desktop.services.context import ServiceContext
from desktop.xero import documents
from desktop.xero.client import XeroApi
from desktop.xero.credit_jobs import _GET, _ID_ARG, _LIST
from desktop.xero.delivery import chunks
from desktop.xero.errors import XeroNotFound


def read_xero(
    api: XeroApi, books: Iterable[reconcile.PatientBook]
) -> tuple[dict[str, reconcile.XeroCredit], dict[str, reconcile.XeroInvoice]]:
    books = list(books)
    credits: dict[str, reconcile.XeroCredit] = {}
    for book in books:
        for lot in book.credits:
            if not lot.xero_id:
                continue
            try:
                answer = api.call(_GET[lot.xero_kind], **{_ID_ARG[lot.xero_kind]: lot.xero_id})
            except XeroNotFound:
                continue
            document = getattr(answer, _LIST[lot.xero_kind])[0]
            status = str(document.status)
            if status in ("DELETED", "VOIDED"):
                continue
            credits[lot.xero_id] = reconcile.XeroCredit(
                lot.xero_id,
                Money(documents.cents(document.remaining_credit or 0), lot.remaining.currency),
                status,
            )
    numbers = [invoice.number for book in books for invoice in book.invoices]
    invoices: dict[str, reconcile.XeroInvoice] = {}
    for part in chunks(numbers, 40):
        answer = api.call("get_invoices", invoice_numbers=list(part))
        for item in answer.invoices or []:
            if not item.invoice_number:
                continue
            invoices[str(item.invoice_number)] = reconcile.XeroInvoice(
                str(item.invoice_number),
                str(item.invoice_id),
                Money(documents.cents(item.amount_due or 0)),
                str(item.status),
            )
    return credits, invoices


def reconcile_with_xero(
    ctx: ServiceContext, api: XeroApi, patient_ids: Iterable[uuid.UUID] | None = None
) -> reconcile.Reconciliation:
    """Frontdesk and Xero compared per patient; every difference with a suggested fix."""
    books = reconcile.frontdesk_books(ctx, patient_ids)
    credits, invoices = read_xero(api, books)
    return reconcile.compare(books, credits, invoices)
