"""Appointment types, individual appointments, group classes and their attendees."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from desktop.domain.money import Money


class AppointmentKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    CLASS = "class"


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {"no_show": "No-show"}.get(self.value, self.value.capitalize())

    @property
    def takes_time(self) -> bool:
        """Whether the practitioner's time is still spoken for."""
        return self is not AppointmentStatus.CANCELLED

    @property
    def frees_slot(self) -> bool:
        """Whether the appointment leaves its time to other bookings: a cancellation, or a
        no-show (the rest of its time can go to the wait list). The store's guards agree."""
        return self in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


class CancellationReason(enum.StrEnum):
    FEELING_BETTER = "feeling_better"
    SICK = "sick"
    AWAY = "away"
    WORK = "work"
    CLINIC = "clinic"
    PRACTITIONER_UNAVAILABLE = "practitioner_unavailable"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "feeling_better": "Feeling better",
            "sick": "Sick",
            "away": "Away / travelling",
            "work": "Work commitment",
            "clinic": "Cancelled by the clinic",
            "practitioner_unavailable": "Practitioner unavailable",
            "other": "Other",
        }[self.value]


@dataclass(frozen=True, slots=True)
class AppointmentType:
    id: UUID
    name: str
    kind: AppointmentKind
    duration_minutes: int
    price: Money
    colour: str
    item_code: str = ""
    capacity: int = 1
    active: bool = True

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class Attendance:
    """A patient's place in a class."""

    id: UUID
    patient_id: UUID
    patient_name: str
    status: AppointmentStatus
    cancellation_reason: CancellationReason | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    """A booked block of a practitioner's time: one patient, or a class of several."""

    id: UUID
    clinic_id: UUID
    practitioner_id: UUID
    type_id: UUID
    type_name: str
    kind: AppointmentKind
    colour: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    patient_id: UUID | None = None
    patient_name: str = ""
    capacity: int = 1
    attendees: tuple[Attendance, ...] = field(default=())
    notes: str = ""
    cancellation_reason: CancellationReason | None = None
    cancellation_note: str = ""
    read_only: bool = False
    version: int = 1
    series_id: UUID | None = None  # booked together with others from one repeat rule

    @property
    def booked_places(self) -> int:
        return sum(1 for a in self.attendees if a.status.takes_time)

    @property
    def title(self) -> str:
        if self.kind is AppointmentKind.CLASS:
            return f"{self.type_name} ({self.booked_places}/{self.capacity})"
        return self.patient_name
