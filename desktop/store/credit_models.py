"""Tables for prepaid packages and patient credit (issue 7).

* `credit_packages` — what the clinic sells ("10 x Pilates Reformer").
* `credit_lots` — credit a patient holds: a package sold, money on account, a credit
  note. `xero_credit_id` is the PrepaymentID / OverpaymentID / CreditNoteID.
* `credit_applications` — part of a lot paying one session's invoice, on a date; in
  Xero an allocation (`xero_allocation_id`).
* `credit_refunds` — unused credit handed back; in Xero a payment on the credit.
* `credit_settings` — one row ("main"): whether credit is applied automatically.

Xero IDs are written by the worker with plain UPDATEs that leave `version` alone
(as for invoices, see billing_models).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models import Row


class CreditPackageRow(Row):
    __tablename__ = "credit_packages"
    __table_args__ = (CheckConstraint("price_cents > 0", name="price_positive"),)

    name: Mapped[str] = mapped_column(String(120), unique=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    sessions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Appointment type ids (as text); empty: any type.
    eligible_type_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    valid_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CreditLotRow(Row):
    __tablename__ = "credit_lots"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        UniqueConstraint("series", "sequence"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    series: Mapped[str] = mapped_column(String(4), default="")  # as invoices.series
    sequence: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    package_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credit_packages.id"), nullable=True
    )
    source: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    sessions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    eligible_type_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    received_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    method: Mapped[str] = mapped_column(String(20), default="")  # how it was paid for
    status: Mapped[str] = mapped_column(String(20), default="active")
    xero_credit_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    applications: Mapped[list[CreditApplicationRow]] = relationship(
        back_populates="lot", lazy="selectin", order_by="CreditApplicationRow.position"
    )
    refunds: Mapped[list[CreditRefundRow]] = relationship(
        back_populates="lot", lazy="selectin", order_by="CreditRefundRow.position"
    )


class CreditApplicationRow(Row):
    __tablename__ = "credit_applications"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_lots.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    applied_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="applied")
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    xero_allocation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    lot: Mapped[CreditLotRow] = relationship(back_populates="applications")


class CreditRefundRow(Row):
    __tablename__ = "credit_refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_lots.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    refunded_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    xero_payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    lot: Mapped[CreditLotRow] = relationship(back_populates="refunds")


class CreditSettingsRow(Row):
    __tablename__ = "credit_settings"

    key: Mapped[str] = mapped_column(String(20), unique=True, default="main")
    auto_apply: Mapped[bool] = mapped_column(Boolean, default=True)
