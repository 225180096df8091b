"""Tables for billing and the Xero connection: invoices, their lines, payments, refunds,
patients' Xero contacts and the clinic's Xero settings.

Xero IDs live on our rows (`xero_invoice_id`, `xero_payment_id`, ...) so a retry
finds what Xero already has. The Xero worker writes them with plain UPDATEs that
leave `version` alone: a receptionist editing the invoice at that moment must not
get a "changed by someone else" refusal because Xero answered.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models import Base, Row
from desktop.store.types import UTCDateTime


class InvoiceRow(Row):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("sequence > 0", name="sequence_positive"),
        UniqueConstraint("series", "sequence"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    # The numbering series: "" on a desk of its own, the desk's code on a shared
    # clinic (desktop.store.numbering); the sequence counts within it.
    series: Mapped[str] = mapped_column(String(4), default="")
    sequence: Mapped[int] = mapped_column(Integer)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointments.id"), index=True)
    # "<appointment>:<patient>" while the invoice is live, NULL once void: one live
    # invoice per service, enforced by the store as well as the service.
    active_service_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    practitioner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"))
    # Frozen at invoicing time: a receipt must read the same years later.
    practitioner_name: Mapped[str] = mapped_column(String(200))
    provider_number: Mapped[str] = mapped_column(String(20), default="")
    clinic_name: Mapped[str] = mapped_column(String(200), default="")
    type_name: Mapped[str] = mapped_column(String(120))
    item_code: Mapped[str] = mapped_column(String(20), default="")
    service_date: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    status: Mapped[str] = mapped_column(String(20), default="issued")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    xero_invoice_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    lines: Mapped[list[InvoiceLineRow]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="InvoiceLineRow.position",
    )
    payments: Mapped[list[PaymentRow]] = relationship(
        back_populates="invoice", lazy="selectin", order_by="PaymentRow.position"
    )
    refunds: Mapped[list[RefundRow]] = relationship(
        back_populates="invoice", lazy="selectin", order_by="RefundRow.position"
    )


class InvoiceLineRow(Row):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="unit_price_not_negative"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(Text)
    item_code: Mapped[str] = mapped_column(String(20), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_cents: Mapped[int] = mapped_column(Integer)

    invoice: Mapped[InvoiceRow] = relationship(back_populates="lines")


class PaymentRow(Row):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    method: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="received")
    deleted_reason: Mapped[str] = mapped_column(Text, default="")
    # Xero cannot edit a payment: each time ours changes it is deleted there and made
    # again, under a new Reference (FD-000123-P1, FD-000123-P1.2, ...).
    xero_revision: Mapped[int] = mapped_column(Integer, default=0)
    xero_payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    invoice: Mapped[InvoiceRow] = relationship(back_populates="payments")


class RefundRow(Row):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    method: Mapped[str] = mapped_column(String(20))
    refunded_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    xero_credit_note_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    xero_payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    invoice: Mapped[InvoiceRow] = relationship(back_populates="refunds")


class XeroContactRow(Row):
    """A patient's contact in Xero (ContactNumber FDP-000123, unique name "Sam Lee (#123)")."""

    __tablename__ = "xero_contacts"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), unique=True)
    contact_number: Mapped[str] = mapped_column(String(50), unique=True)
    xero_contact_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class XeroSettingsRow(Row):
    """The clinic's connection to one Xero organisation (one row, key "main").

    Tokens are not here: they live in the OS keyring under `connection_key`.
    `refresh_lock_*` is a lease that makes one process at a time refresh the
    token (Xero rotates the refresh token; two refreshing at once kill each other).
    """

    __tablename__ = "xero_settings"

    key: Mapped[str] = mapped_column(String(20), unique=True, default="main")
    # disconnected | connected | needs_reconnect
    status: Mapped[str] = mapped_column(String(20), default="disconnected")
    status_message: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str] = mapped_column(String(100), default="")
    connection_key: Mapped[str] = mapped_column(String(64), default="")
    tenant_id: Mapped[str] = mapped_column(String(36), default="")
    tenant_name: Mapped[str] = mapped_column(String(200), default="")
    income_account_code: Mapped[str] = mapped_column(String(20), default="200")
    bank_account_code: Mapped[str] = mapped_column(String(20), default="090")
    # Optional per payment method, e.g. {"card": "091"}; missing methods use the bank account.
    payment_accounts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tax_type: Mapped[str] = mapped_column(String(40), default="EXEMPTOUTPUT")
    # Prepayments and overpayments (credit not used yet) are a current liability.
    advance_account_code: Mapped[str] = mapped_column(
        String(20), default="835", server_default="835"
    )
    # "service": an invoice is dated its date of service in Xero; "raised": the day made.
    invoice_date_basis: Mapped[str] = mapped_column(
        String(20), default="service", server_default="service"
    )
    daily_call_limit: Mapped[int] = mapped_column(Integer, default=5000)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    refresh_lock_owner: Mapped[str] = mapped_column(String(64), default="")
    refresh_lock_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class XeroCallSlotRow(Base):
    """One of an organisation's concurrent-call places (Xero allows 5 at once),
    leased by whichever process is calling, so several processes on one database
    share the limit. A lease runs out by itself if its process dies."""

    __tablename__ = "xero_call_slots"

    tenant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(64), default="")
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
