"""`frontdesk xero send-history`: what was raised before Xero was connected, sent once.

Invoices, their payments, credit (packages sold, money on account, credit notes)
and the uses of that credit, dated on or after a day, that Xero has never been
sent: no Xero ID and no job for them, ever. Planning is read-only (the dry run);
sending queues the same jobs a change made today would, oldest first, and the
worker sends them in dependency order (contact → invoice / credit → payment /
allocation). A second run finds nothing left to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidInput
from desktop.services import billing_sync, credit
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.billing_models import InvoiceRow, PaymentRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow
from desktop.store.models import PatientRow
from desktop.store.outbox_models import OutboxJobRow


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    since: date
    invoices: tuple[str, ...]
    payments: tuple[str, ...]
    credits: tuple[str, ...]
    allocations: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.invoices) + len(self.payments) + len(self.credits) + len(self.allocations)

    def lines(self) -> list[str]:
        """One line per kind, numbers in the order they go."""
        parts = (
            ("invoices", self.invoices),
            ("payments", self.payments),
            ("credits", self.credits),
            ("uses of credit", self.allocations),
        )
        return [
            f"{len(numbers)} {what}: {', '.join(numbers)}" for what, numbers in parts if numbers
        ]


def plan_history(ctx: ServiceContext, since: date) -> HistoryPlan:
    """The dry run: what `send_history` would queue. Changes nothing."""
    ctx.actor()
    with ctx.database.reading() as session:
        return _plan(since, _Unsent(session))


def send_history(ctx: ServiceContext, since: date) -> tuple[HistoryPlan, Changes]:
    """Queue the Xero jobs for what the plan lists, oldest first, in one transaction."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        session = uow.session
        if not billing_sync.xero_enabled(session):
            raise InvalidInput("Connect Xero first (`frontdesk xero connect`).")
        unsent = _Unsent(session)
        plan = _plan(since, unsent)
        for invoice in unsent.invoices(since):
            billing_sync.invoice_changed(session, invoice)
            for payment in unsent.payments(invoice):
                billing_sync.payment_changed(session, invoice, payment)
        for lot in unsent.lots(since):
            patient = session.get(PatientRow, lot.patient_id)
            assert patient is not None
            credit.lot_changed(session, lot, patient)
        for app in unsent.applications(since):
            used_on = session.get(InvoiceRow, app.invoice_id)
            assert used_on is not None
            credit.application_changed(session, app, app.lot, used_on)
        uow.commit()
    return plan, Changes(billing=True, outbox=plan.total > 0)


def _plan(since: date, unsent: _Unsent) -> HistoryPlan:
    invoices = unsent.invoices(since)
    return HistoryPlan(
        since,
        tuple(i.number for i in invoices),
        tuple(p.number for i in invoices for p in unsent.payments(i)),
        tuple(lot.number for lot in unsent.lots(since)),
        tuple(app.number for app in unsent.applications(since)),
    )


class _Unsent:
    """Rows Xero has never been sent: no Xero ID, and no job about them in any state."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.queued = set(session.execute(select(OutboxJobRow.subject_id)).scalars())

    def invoices(self, since: date) -> list[InvoiceRow]:
        rows = self.session.execute(
            select(InvoiceRow)
            .where(
                InvoiceRow.issued_on >= since,
                InvoiceRow.xero_invoice_id.is_(None),
                InvoiceRow.status != "voided",  # never in Xero: nothing to void there
            )
            .order_by(InvoiceRow.issued_on, InvoiceRow.number)
        ).scalars()
        return [row for row in rows if row.id not in self.queued]

    def payments(self, invoice: InvoiceRow) -> list[PaymentRow]:
        rows = self.session.execute(
            select(PaymentRow)
            .where(
                PaymentRow.invoice_id == invoice.id,
                PaymentRow.status == "received",
                PaymentRow.xero_payment_id.is_(None),
            )
            .order_by(PaymentRow.received_on, PaymentRow.number)
        ).scalars()
        return [row for row in rows if row.id not in self.queued]

    def lots(self, since: date) -> list[CreditLotRow]:
        rows = self.session.execute(
            select(CreditLotRow)
            .where(CreditLotRow.received_on >= since, CreditLotRow.xero_credit_id.is_(None))
            .order_by(CreditLotRow.received_on, CreditLotRow.number)
        ).scalars()
        return [row for row in rows if row.id not in self.queued]

    def applications(self, since: date) -> list[CreditApplicationRow]:
        rows = self.session.execute(
            select(CreditApplicationRow)
            .where(
                CreditApplicationRow.applied_on >= since,
                CreditApplicationRow.status == "applied",
                CreditApplicationRow.xero_allocation_id.is_(None),
            )
            .order_by(CreditApplicationRow.applied_on, CreditApplicationRow.number)
        ).scalars()
        return [row for row in rows if row.id not in self.queued]
