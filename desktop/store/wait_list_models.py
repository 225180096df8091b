"""The wait list's table: who is waiting for a time, and what they can take.

`wait_list_entries` is synced like the calendar (desktop.store.sync_models): every
desk sees the same list. The wishes are JSON lists (ids as strings, weekdays 0-6,
time ranges as ["HH:MM", "HH:MM"]); desktop.domain.wait_list reads and checks them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.store.models import AppointmentRow, PatientRow, Row


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
