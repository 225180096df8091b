"""The receipt emailed to the clinic's billing address for each SMS credit purchase."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from desktop.domain.clinic_time import to_local
from desktop.domain.messages import format_day, format_time
from desktop.domain.money import Money


@dataclass(frozen=True, slots=True)
class PurchaseFacts:
    purchase_id: uuid.UUID
    clinic_name: str
    credits: int
    amount: Money
    purchased_by: str
    purchased_at: datetime


def receipt_number(purchase_id: uuid.UUID) -> str:
    """Short enough to read out on the phone, stable for the same purchase."""
    return f"SMS-{purchase_id.hex[:8].upper()}"


def gst_included(amount: Money) -> Money:
    """Australian GST is one eleventh of a GST-inclusive price, rounded to the cent."""
    return Money.from_decimal(amount.to_decimal() / Decimal(11), amount.currency)


def receipt_email(facts: PurchaseFacts, zone: ZoneInfo) -> tuple[str, str]:
    """Subject and text of the receipt; times in the clinic's own zone."""
    local = to_local(facts.purchased_at, zone)
    number = receipt_number(facts.purchase_id)
    subject = f"Receipt {number}: {facts.credits:,} SMS credits for {facts.clinic_name}"
    body = "\n".join(
        [
            f"Receipt {number}",
            "",
            f"Clinic:        {facts.clinic_name}",
            f"Date:          {format_day(local)} {local.year}, {format_time(local)}",
            f"Bought by:     {facts.purchased_by}",
            f"Item:          {facts.credits:,} SMS credits (one credit per SMS part)",
            f"Amount paid:   {facts.amount} {facts.amount.currency}",
            f"GST included:  {gst_included(facts.amount)}",
            "",
            "The credits were added to the clinic's SMS balance when the purchase was made.",
            "Keep this email for your records.",
            "",
        ]
    )
    return subject, body
