"""Job payloads to xero-python's models: the only place cents become Xero amounts.

Amounts leave as `Decimal` (the SDK writes them as JSON numbers); dates as
`datetime.date` (the SDK refuses strings). Invoices are written with
`LineAmountTypes.INCLUSIVE`: the fee on our receipt is what the patient pays,
whatever tax type the clinic maps its income to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xero_python.accounting import (
    Account,
    Contact,
    CreditNote,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
    Phone,
)

from desktop.services.xero_settings import XeroConnection


def amount(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def cents(value: Any) -> int:
    """A Xero amount (Decimal or float from the SDK) back to whole cents."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def day(text: str) -> date:
    return date.fromisoformat(text)


def contact(payload: dict[str, Any], xero_id: str | None = None) -> Contact:
    phones = (
        [Phone(phone_type="MOBILE", phone_number=payload["phone"])]
        if payload.get("phone")
        else None
    )
    return Contact(
        contact_id=xero_id,
        contact_number=payload["contact_number"],
        name=payload["name"],
        first_name=payload.get("first_name") or None,
        last_name=payload.get("last_name") or None,
        email_address=payload.get("email") or None,
        phones=phones,
        is_customer=True if xero_id is None else None,
    )


def invoice_lines(payload: dict[str, Any], connection: XeroConnection) -> list[LineItem]:
    return [
        LineItem(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_amount=amount(line["unit_cents"]),
            account_code=connection.income_account_code,
            tax_type=connection.tax_type,
        )
        for line in payload["lines"]
    ]


def invoice(
    payload: dict[str, Any], connection: XeroConnection, contact_id: str, xero_id: str | None = None
) -> Invoice:
    return Invoice(
        invoice_id=xero_id,
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        invoice_number=payload["number"],
        reference=payload.get("reference") or None,
        date=day(payload["date"]),
        due_date=day(payload["due_date"]),
        line_amount_types=LineAmountTypes.INCLUSIVE,
        line_items=invoice_lines(payload, connection),
        currency_code=CurrencyCode(payload.get("currency") or "AUD"),
        status="AUTHORISED",
    )


def invoice_total_cents(payload: dict[str, Any]) -> int:
    return sum(int(line["unit_cents"]) * int(line["quantity"]) for line in payload["lines"])


def payment(payload: dict[str, Any], connection: XeroConnection, invoice_id: str) -> Payment:
    return Payment(
        invoice=Invoice(invoice_id=invoice_id),
        account=Account(code=connection.account_for(payload["method"])),
        date=day(payload["date"]),
        amount=amount(payload["amount_cents"]),
        reference=payload["reference"],
    )


def refund_credit_note(
    payload: dict[str, Any], connection: XeroConnection, contact_id: str
) -> CreditNote:
    return CreditNote(
        type="ACCRECCREDIT",
        contact=Contact(contact_id=contact_id),
        date=day(payload["date"]),
        status="AUTHORISED",
        line_amount_types=LineAmountTypes.INCLUSIVE,
        line_items=[
            LineItem(
                description=payload["description"],
                quantity=Decimal(1),
                unit_amount=amount(payload["amount_cents"]),
                account_code=connection.income_account_code,
                tax_type=connection.tax_type,
            )
        ],
        credit_note_number=payload["credit_note_number"],
        reference=payload["invoice_number"],
        currency_code=CurrencyCode(payload.get("currency") or "AUD"),
    )


def refund_payment(
    payload: dict[str, Any], connection: XeroConnection, credit_note_id: str
) -> Payment:
    return Payment(
        credit_note=CreditNote(credit_note_id=credit_note_id),
        account=Account(code=connection.account_for(payload["method"])),
        date=day(payload["date"]),
        amount=amount(payload["amount_cents"]),
        reference=payload["credit_note_number"],
    )


def quoted_or(field: str, values: list[str]) -> str:
    """A Xero `where` clause matching any of the values: Field=="a" OR Field=="b"."""
    return " OR ".join(f'{field}=="{_escape(v)}"' for v in values)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
