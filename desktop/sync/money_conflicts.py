"""Refused money changes in words a receptionist recognises, and what they mean now.

When the server refuses an offline payment, a use of credit or a sale, the desk
undoes it and lists it under Conflicts. "Refused" alone is not enough at a front
desk: the list also says what the refusal leaves behind, read from the replica
after the rollback — "FD-A-000231 is owing $45.00 again", "FDC-B-000004 has 0 of 10
sessions left" — so the receptionist knows to ask the patient for the money.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.billing import InvoiceStatus
from desktop.domain.money import Money
from desktop.services.credit import to_lot
from desktop.store import billing_queries
from desktop.store.billing_models import InvoiceRow
from desktop.store.credit_models import CreditLotRow
from desktop.store.models import PatientRow

MONEY_WHAT = {
    "credit_packages": "package",
    "invoices": "invoice",
    "invoice_lines": "invoice line",
    "payments": "payment",
    "refunds": "refund",
    "credit_lots": "credit",
    "credit_applications": "use of credit",
    "credit_refunds": "credit refund",
    "credit_settings": "credit setting",
    "message_opt_outs": "message opt-out",
}


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _money(data: Mapping[str, Any], currency: str = "AUD") -> str:
    cents = data.get("amount_cents")
    return str(Money(int(cents), str(data.get("currency") or currency))) if cents else ""


def _invoice(session: Session, ident: Any) -> InvoiceRow | None:
    key = _uuid(ident)
    return session.get(InvoiceRow, key) if key else None


def _lot(session: Session, ident: Any) -> CreditLotRow | None:
    key = _uuid(ident)
    return session.get(CreditLotRow, key) if key else None


def _patient(session: Session, ident: Any) -> str:
    key = _uuid(ident)
    row = session.get(PatientRow, key) if key else None
    return f"{row.first_name} {row.last_name}" if row else ""


def detail(session: Session, entity: str, data: Mapping[str, Any]) -> str:
    """“FD-A-000001-P1B, $40.00 cash on FD-A-000001 (Sam Lee)” and the like."""
    number = str(data.get("number", ""))
    if entity in ("payments", "refunds"):
        invoice = _invoice(session, data.get("invoice_id"))
        on = f" on {invoice.number} ({_patient(session, invoice.patient_id)})" if invoice else ""
        return f"{number}, {_money(data)} {data.get('method', '')}{on}".strip()
    if entity == "invoices":
        parts = [number, str(data.get("type_name", "")), _patient(session, data.get("patient_id"))]
        return ", ".join(p for p in parts if p)
    if entity == "credit_applications":
        invoice = _invoice(session, data.get("invoice_id"))
        return f"{number}, {_money(data)} of credit" + (f" on {invoice.number}" if invoice else "")
    if entity == "credit_lots":
        parts = [
            number,
            str(data.get("description", "")),
            _patient(session, data.get("patient_id")),
        ]
        return ", ".join(p for p in parts if p)
    if entity == "credit_refunds":
        return f"{number}, {_money(data)} {data.get('method', '')}".strip()
    if entity == "message_opt_outs":
        return f"{_patient(session, data.get('patient_id'))} ({data.get('channel', '')})"
    return str(data.get("name", ""))


def consequence(session: Session, entity: str, data: Mapping[str, Any]) -> str:
    """What the undone change leaves behind, read after the rollback ("" when nothing)."""
    said: list[str] = []
    invoice_id = data.get("id") if entity == "invoices" else data.get("invoice_id")
    invoice = _invoice(session, invoice_id)
    if invoice is not None:
        said.append(_owing(session, invoice))
    lot_id = data.get("id") if entity == "credit_lots" else data.get("lot_id")
    lot = _lot(session, lot_id)
    if lot is not None:
        said.append(_left(session, lot))
    elif entity == "credit_lots":
        said.append(f"{data.get('number', 'The credit')} was not sold; no credit was given.")
    return " ".join(s for s in said if s)


def _owing(session: Session, row: InvoiceRow) -> str:
    invoice = billing_queries.load_invoice(session, row.id)
    if invoice is None or invoice.status is InvoiceStatus.VOIDED:
        return ""
    if invoice.amount_due.cents > 0:
        return f"{invoice.number} is owing {invoice.amount_due} again."
    return f"{invoice.number} is paid."


def _left(session: Session, row: CreditLotRow) -> str:
    lot = to_lot(session, row)
    if lot.sessions is not None:
        return f"{lot.number} has {lot.sessions_left} of {lot.sessions} sessions left."
    return f"{lot.number} has {lot.remaining} left."
