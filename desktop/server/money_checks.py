"""The money rules applied again to a pushed change, on the server's own data.

A desk checked these when the change was made offline; meanwhile another desk
may have taken a payment on the same invoice or used the last session of the
same pass. So after a whole group is written (one local transaction: a payment
and the credit it used, a sale and its first session), every invoice and credit
lot it touched must still add up, and the first desk to reach the server wins:

* payments and credit on an invoice never exceed its fee; a void invoice holds
  neither; refunds never exceed what was paid;
* credit is never used beyond what is left, nor a pass beyond its sessions;
* only reception and administrators void invoices, remove payments, refund, give
  credit notes or set up packages and credit settings (as the services say);
* a number, once printed, never changes; money records are never deleted;
* a desk numbers only in its own series (desktop.store.numbering): a new invoice
  or credit carries the pushing desk's letter (FD-B-000123), and a payment, refund
  or use of credit ends in it (FD-A-000123-P2B), so no desk can take a number
  that belongs to another and print it twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.billing import InvoiceStatus, PaymentStatus, PaymentTooLarge, invoice_number
from desktop.domain.credit import CreditSource, lot_number
from desktop.domain.errors import InvalidInput, PermissionDenied
from desktop.domain.money import Money
from desktop.domain.roles import Actor, Role
from desktop.services.credit import to_lot
from desktop.store import billing_queries
from desktop.store.billing_models import InvoiceLineRow, InvoiceRow, PaymentRow, RefundRow
from desktop.store.credit_models import (
    CreditApplicationRow,
    CreditLotRow,
    CreditPackageRow,
    CreditRefundRow,
    CreditSettingsRow,
)
from desktop.store.messaging_models import MessageOptOutRow
from desktop.store.models import Row
from desktop.sync.money_conflicts import MONEY_WHAT

MODELS: dict[str, type[Row]] = {
    "credit_packages": CreditPackageRow,
    "invoices": InvoiceRow,
    "invoice_lines": InvoiceLineRow,
    "payments": PaymentRow,
    "refunds": RefundRow,
    "credit_lots": CreditLotRow,
    "credit_applications": CreditApplicationRow,
    "credit_refunds": CreditRefundRow,
    "credit_settings": CreditSettingsRow,
    "message_opt_outs": MessageOptOutRow,
}
WHAT = MONEY_WHAT  # the words the desk's Conflicts list uses too
_NEVER_DELETED = set(MODELS) - {"message_opt_outs", "invoice_lines"}
_NUMBERED = (InvoiceRow, PaymentRow, RefundRow, CreditLotRow, CreditApplicationRow, CreditRefundRow)


class CreditOverdrawn(InvalidInput):
    """Credit used beyond what is left (another desk used it first)."""


def _money_role(actor: Actor, what: str) -> None:
    if actor.role is Role.PRACTITIONER:
        raise PermissionDenied(f"Only reception or an admin can {what}.")


def check_write(
    actor: Actor, row: Row, before: Mapping[str, Any] | None, changed: set[str]
) -> None:
    """Refuse a money insert (`before` None) or update the services would have refused."""
    if isinstance(row, _NUMBERED) and before is not None and "number" in changed:
        raise InvalidInput(f"{before['number']} is printed; its number cannot change.")
    if isinstance(row, InvoiceRow):
        if before is not None and {"series", "sequence"} & changed:
            raise InvalidInput(f"{before['number']} is printed; its number cannot change.")
        if row.status == InvoiceStatus.VOIDED.value and (
            before is None or before["status"] != row.status
        ):
            _money_role(actor, "void invoices")
    elif isinstance(row, PaymentRow):
        if row.status == PaymentStatus.DELETED.value and (
            before is None or before["status"] != row.status
        ):
            _money_role(actor, "remove payments")
    elif isinstance(row, RefundRow | CreditRefundRow):
        _money_role(actor, "refund payments" if isinstance(row, RefundRow) else "refund credit")
    elif isinstance(row, CreditLotRow):
        if row.source == CreditSource.CREDIT_NOTE.value:
            _money_role(actor, "give credit notes")
    elif isinstance(row, CreditPackageRow):
        _money_role(actor, "set up packages")
    elif isinstance(row, CreditSettingsRow):
        _money_role(actor, "change how credit is applied")


def check_delete(row: Row) -> None:
    if row.__tablename__ in _NEVER_DELETED:
        raise InvalidInput(f"A {WHAT[row.__tablename__]} is never deleted; it is voided instead.")


_PARENT_LETTER: dict[type[Row], str] = {
    PaymentRow: "P",
    RefundRow: "R",
    CreditApplicationRow: "A",
    CreditRefundRow: "R",
}


def check_numbers(
    session: Session, inserted: Iterable[tuple[str, uuid.UUID]], desk: str | None
) -> None:
    """Every new numbered record is numbered in the series of the desk that pushed it."""
    for entity, entity_id in inserted:
        model = MODELS.get(entity)
        if model is None or not issubclass(model, _NUMBERED):
            continue
        row = session.get(model, entity_id)
        if row is None:
            continue
        number = str(getattr(row, "number", ""))
        if desk is None:
            raise InvalidInput(
                f"{number} cannot be accepted: only a desk registered with this server "
                "(it is given its desk letter at its first sync) makes numbered records."
            )
        if number != _expected_number(session, row, desk):
            raise InvalidInput(
                f"{number} is not in this desk's series (desk {desk}): a desk numbers "
                "invoices, payments, refunds and credit only with its own letter."
            )


def _expected_number(session: Session, row: Row, desk: str) -> str | None:
    """The number `row` must carry when made at `desk` (None: it cannot be right)."""
    if isinstance(row, InvoiceRow):
        return invoice_number(row.sequence, desk) if row.series == desk else None
    if isinstance(row, CreditLotRow):
        return lot_number(row.sequence, desk) if row.series == desk else None
    if isinstance(row, PaymentRow | RefundRow):
        parent: Any = session.get(InvoiceRow, row.invoice_id)
    else:
        parent = session.get(CreditLotRow, getattr(row, "lot_id", None))
    if parent is None:
        return None
    prefix = f"{parent.number}-{_PARENT_LETTER[type(row)]}"
    number = str(getattr(row, "number", ""))
    position = number.removeprefix(prefix).removesuffix(desk)
    if not (number.startswith(prefix) and position.isascii() and position.isdigit()):
        return None
    return f"{prefix}{int(position)}{desk}"


def touched(session: Session, entity: str, entity_id: uuid.UUID) -> tuple[set[Any], set[Any]]:
    """The invoices and credit lots whose totals a written row takes part in."""
    model = MODELS.get(entity)
    row = session.get(model, entity_id) if model is not None else None
    invoices: set[Any] = set()
    lots: set[Any] = set()
    if isinstance(row, InvoiceRow):
        invoices.add(row.id)
    elif isinstance(row, InvoiceLineRow | PaymentRow | RefundRow):
        invoices.add(row.invoice_id)
    elif isinstance(row, CreditApplicationRow):
        invoices.add(row.invoice_id)
        lots.add(row.lot_id)
    elif isinstance(row, CreditLotRow):
        lots.add(row.id)
    elif isinstance(row, CreditRefundRow):
        lots.add(row.lot_id)
    return invoices, lots


def check_totals(session: Session, invoice_ids: Iterable[Any], lot_ids: Iterable[Any]) -> None:
    """Every touched invoice and lot still adds up (after the group was written)."""
    session.flush()
    session.expire_all()  # collections loaded before the group's inserts are stale
    for invoice_id in invoice_ids:
        _check_invoice(session, invoice_id)
    for lot_id in lot_ids:
        _check_lot(session, lot_id)


def _check_invoice(session: Session, invoice_id: Any) -> None:
    invoice = billing_queries.load_invoice(session, invoice_id)
    if invoice is None:
        return
    if invoice.status is InvoiceStatus.VOIDED:
        if invoice.paid.cents > 0 or invoice.credited.cents > 0:
            raise InvalidInput(f"Invoice {invoice.number} was voided; it cannot be paid.")
        return
    settled = invoice.paid + invoice.credited
    if settled > invoice.total:
        raise PaymentTooLarge(
            f"Payments and credit on {invoice.number} would come to {settled}, more than its "
            f"{invoice.total}: it was paid on another computer first."
        )
    if invoice.refunded > invoice.paid:
        raise InvalidInput(
            f"Only {invoice.paid} was paid on {invoice.number}; {invoice.refunded} cannot be "
            "refunded."
        )


def _check_lot(session: Session, lot_id: Any) -> None:
    row = session.get(CreditLotRow, lot_id)
    if row is None:
        return
    lot = to_lot(session, row)
    if lot.sessions is not None and lot.sessions_used > lot.sessions:
        raise CreditOverdrawn(
            f"The pass {lot.number} had no sessions left: all {lot.sessions} were used, "
            "some on another computer."
        )
    if lot.remaining.cents < 0:
        over = Money(-lot.remaining.cents, lot.amount.currency)
        raise CreditOverdrawn(
            f"Credit {lot.number} would be overdrawn by {over}: "
            "it was used on another computer first."
        )
