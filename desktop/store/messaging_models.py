"""Tables for patient messages: settings, what was sent to whom, opt-outs, replies.

The sending itself is an outbox job (`outbox_jobs`); an `outgoing_messages` row is
what the clinic sees of it — the patient card's message log — and what the
worker fills in as it sends (recipient, rendered text, the gateway's id,
delivery reports). Secrets (SMTP password, SMS gateway key) are never stored
here: they live in the OS keyring.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models import Row
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.types import UTCDateTime


class MessagingSettingsRow(Row):
    """One per clinic: reminder schedule, templates, mail server, SMS gateway."""

    __tablename__ = "messaging_settings"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), unique=True)
    reminders_by_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_lead_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    sms_template: Mapped[str] = mapped_column(Text, default="")
    email_subject: Mapped[str] = mapped_column(String(300), default="")
    email_body: Mapped[str] = mapped_column(Text, default="")
    smtp_host: Mapped[str] = mapped_column(String(200), default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_security: Mapped[str] = mapped_column(String(10), default="starttls")
    smtp_username: Mapped[str] = mapped_column(String(200), default="")
    sender_address: Mapped[str] = mapped_column(String(200), default="")
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    billing_email: Mapped[str] = mapped_column(String(200), default="")
    sms_gateway_url: Mapped[str] = mapped_column(String(500), default="")
    # A number, an alphanumeric sender ID or a Twilio messaging service SID (34).
    sms_sender_id: Mapped[str] = mapped_column(String(40), default="")
    sms_provider: Mapped[str] = mapped_column(String(20), default="twilio")
    sms_account: Mapped[str] = mapped_column(String(100), default="")  # SID or username
    low_credit_warning: Mapped[int] = mapped_column(Integer, default=50)


class SmsCreditPurchaseRow(Row):
    """A bundle of local SMS credit bought before Frontdesk stopped selling it (0011):
    kept read-only, as the history its receipts in `outgoing_messages` point to."""

    __tablename__ = "sms_credit_purchases"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    credits: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    purchased_by: Mapped[str] = mapped_column(String(200))
    purchased_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageOptOutRow(Row):
    """A patient asked not to be messaged on this channel ("sms" or "email")."""

    __tablename__ = "message_opt_outs"
    __table_args__ = (UniqueConstraint("patient_id", "channel"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    channel: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


class OutgoingMessageRow(Row):
    """One message to send (a reminder, a receipt) and what became of it."""

    __tablename__ = "outgoing_messages"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_jobs.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # "sms" or "email"
    purpose: Mapped[str] = mapped_column(String(20))  # "reminder" or "receipt"
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id"), nullable=True, index=True
    )
    # A deleted appointment leaves its messages in the log, no longer linked.
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    purchase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sms_credit_purchases.id"), nullable=True
    )
    # The start time a reminder was written for: a moved appointment needs a new one.
    for_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Filled in when the message is first prepared for sending, then kept.
    recipient: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    segments: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str] = mapped_column(String(200), default="")  # gateway id / Message-ID
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivery_status: Mapped[str] = mapped_column(String(20), default="")  # delivered / failed
    delivery_detail: Mapped[str] = mapped_column(Text, default="")
    # When a person last pressed Retry: on a desk following a server this change
    # travels up, and the server's sender tries the message again.
    retry_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # Many-to-one only, so the flush writes the job before the message.
    job: Mapped[OutboxJobRow] = relationship(lazy="joined")


class SmsReplyRow(Row):
    """A text a patient sent to the clinic's number (by webhook or polling), once each."""

    __tablename__ = "sms_replies"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    # None when no patient has that number: the reply still shows for the clinic.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id"), nullable=True, index=True
    )
    sender: Mapped[str] = mapped_column(String(20))  # E.164
    body: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opt_out: Mapped[bool] = mapped_column(Boolean, default=False)  # STOP and its synonyms
