"""Xero IDs on our rows, and the marks that make a retry look before it creates.

The worker writes IDs with plain UPDATEs that leave each row's `version` alone,
so a receptionist editing the same invoice is never told "someone else changed
it" because Xero answered in between.

Before a create is sent, its jobs are marked `sending`. A job found with that
mark (its worker crashed, or the answer was lost) asks Xero whether the document
is already there before creating it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from desktop.domain.outbox import JobState, OutboxJob
from desktop.store.billing_models import InvoiceRow, PaymentRow, RefundRow, XeroContactRow
from desktop.store.credit_models import CreditApplicationRow
from desktop.store.database import Database
from desktop.store.outbox_models import OutboxJobRow


class XeroLinks:
    def __init__(self, database: Database) -> None:
        self.database = database

    # ------------------------------------------------------------------ reads

    def _scalar(self, query: Any) -> Any:
        with self.database.reading() as session:
            return session.execute(query).scalar_one_or_none()

    def contact_id(self, patient_id: uuid.UUID) -> str | None:
        value = self._scalar(
            select(XeroContactRow.xero_contact_id).where(XeroContactRow.patient_id == patient_id)
        )
        return str(value) if value else None

    def invoice_id(self, invoice_id: uuid.UUID) -> str | None:
        value = self._scalar(select(InvoiceRow.xero_invoice_id).where(InvoiceRow.id == invoice_id))
        return str(value) if value else None

    def payment_id(self, payment_id: uuid.UUID) -> str | None:
        value = self._scalar(select(PaymentRow.xero_payment_id).where(PaymentRow.id == payment_id))
        return str(value) if value else None

    def payment_ids_of_invoice(self, invoice_id: uuid.UUID) -> dict[str, uuid.UUID]:
        """Xero payment ID -> our payment, for the payments we made on an invoice."""
        with self.database.reading() as session:
            rows = session.execute(
                select(PaymentRow.xero_payment_id, PaymentRow.id).where(
                    PaymentRow.invoice_id == invoice_id, PaymentRow.xero_payment_id.is_not(None)
                )
            ).all()
            return {str(xero_id): ours for xero_id, ours in rows}

    def allocations_on_invoice(self, invoice_id: uuid.UUID) -> bool:
        """Whether credit of ours is (or may be) allocated to this invoice in Xero."""
        with self.database.reading() as session:
            found = session.execute(
                select(CreditApplicationRow.id).where(
                    CreditApplicationRow.invoice_id == invoice_id,
                    CreditApplicationRow.xero_allocation_id.is_not(None),
                )
            ).first()
            return found is not None

    def refund_ids(self, refund_id: uuid.UUID) -> tuple[str | None, str | None]:
        with self.database.reading() as session:
            row = session.execute(
                select(RefundRow.xero_credit_note_id, RefundRow.xero_payment_id).where(
                    RefundRow.id == refund_id
                )
            ).one_or_none()
            return (row[0], row[1]) if row is not None else (None, None)

    def sent_payloads(self, job: OutboxJob) -> list[dict[str, Any]]:
        """Payloads of earlier jobs for the same record that may have reached Xero
        (marked sending) without us learning what Xero made of them."""
        with self.database.reading() as session:
            rows = session.execute(
                select(OutboxJobRow.payload, OutboxJobRow.result).where(
                    OutboxJobRow.kind == job.kind,
                    OutboxJobRow.subject_id == job.subject_id,
                    OutboxJobRow.id != job.id,
                    OutboxJobRow.state == JobState.SUPERSEDED.value,
                )
            ).all()
            return [dict(payload) for payload, result in rows if (result or {}).get("sending")]

    def may_exist(self, job: OutboxJob) -> bool:
        """Whether this job (or one it replaced) may already have reached Xero."""
        return bool(job.attempts > 0 or job.result.get("sending") or self.sent_payloads(job))

    # ------------------------------------------------------------------ writes

    def _execute(self, statement: Any) -> None:
        with self.database.write_session() as session:
            session.execute(statement.execution_options(synchronize_session=False))
            session.commit()

    def set_contact_id(self, patient_id: uuid.UUID, xero_id: str) -> None:
        self._execute(
            update(XeroContactRow)
            .where(XeroContactRow.patient_id == patient_id)
            .values(xero_contact_id=xero_id)
        )

    def set_invoice_id(self, invoice_id: uuid.UUID, xero_id: str) -> None:
        self._execute(
            update(InvoiceRow).where(InvoiceRow.id == invoice_id).values(xero_invoice_id=xero_id)
        )

    def set_payment_id(self, payment_id: uuid.UUID, xero_id: str | None) -> None:
        self._execute(
            update(PaymentRow).where(PaymentRow.id == payment_id).values(xero_payment_id=xero_id)
        )

    def forget_payment(self, xero_id: str) -> None:
        """A payment we made was deleted in Xero (e.g. to let its invoice be edited)."""
        self._execute(
            update(PaymentRow)
            .where(PaymentRow.xero_payment_id == xero_id)
            .values(xero_payment_id=None)
        )

    def set_refund_ids(
        self, refund_id: uuid.UUID, credit_note_id: str | None, payment_id: str | None
    ) -> None:
        values: dict[str, str] = {}
        if credit_note_id:
            values["xero_credit_note_id"] = credit_note_id
        if payment_id:
            values["xero_payment_id"] = payment_id
        if values:
            self._execute(update(RefundRow).where(RefundRow.id == refund_id).values(**values))

    def mark_sending(self, jobs: Iterable[OutboxJob]) -> None:
        """One short transaction for a whole batch, before the batch is sent."""
        ids = [job.id for job in jobs if not job.result.get("sending")]
        if not ids:
            return
        with self.database.write_session() as session:
            for row in session.execute(
                select(OutboxJobRow).where(OutboxJobRow.id.in_(ids))
            ).scalars():
                row.result = {**(row.result or {}), "sending": True}
            session.commit()
