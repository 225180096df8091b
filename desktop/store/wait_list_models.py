"""The wait list's tables: who is waiting for a time, and the slots offered to them by SMS.

`wait_list_entries` is synced like the calendar (desktop.store.sync_models): every
desk sees the same list; so does `wait_list_settings`. `wait_list_offers` are
made and answered by the clinic's one message sender (desktop.services.wait_list_offers)
and downloaded by desks, never pushed. The wishes are JSON lists (ids as strings, weekdays 0-6,
time ranges as ["HH:MM", "HH:MM"]); desktop.domain.wait_list reads and checks them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store import messaging_models  # noqa: F401  (sms_replies, referred to below)
from desktop.store.models import AppointmentRow, PatientRow, Row
from desktop.store.types import UTCDateTime


class WaitListEntryRow(Row):
    """A patient waiting for a time; `created_at` is how long they have waited."""

    __tablename__ = "wait_list_entries"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    practitioner_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    appointment_type_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    weekdays: Mapped[list[Any]] = mapped_column(JSON, default=list)
    time_ranges: Mapped[list[Any]] = mapped_column(JSON, default=list)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # The appointment they already have: only earlier slots fit, and the entry
    # leaves the list when it begins. A deleted appointment unties the entry.
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), nullable=True, index=True
    )

    patient: Mapped[PatientRow] = relationship(lazy="joined")
    appointment: Mapped[AppointmentRow | None] = relationship(lazy="joined")


class WaitListSettingsRow(Row):
    """One per clinic: whether a freed slot is offered by SMS, and to how many at once."""

    __tablename__ = "wait_list_settings"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), unique=True)
    offer_by_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_to: Mapped[int] = mapped_column(Integer, default=3)


class WaitListOfferRow(Row):
    """A freed slot offered by SMS to one patient on the wait list, and what came of it.

    The offers of one freed slot share `round_id`; the first YES books it and the
    others are told it has gone.
    """

    __tablename__ = "wait_list_offers"
    __table_args__ = (Index("ix_wait_list_offers_slot", "practitioner_id", "starts_at"),)

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("wait_list_entries.id", ondelete="SET NULL"), nullable=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    practitioner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"))
    appointment_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_types.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # offered -> accepted (booked) / taken (someone else was first) / too_late (the
    # slot went before their YES) / declined (they said no)
    state: Mapped[str] = mapped_column(String(12), default="offered")
    reply_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sms_replies.id"), nullable=True)
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), nullable=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
