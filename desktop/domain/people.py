"""The clinic, its practitioners and its patients, as the rest of the app sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from desktop.domain.hours import WeeklyHours


@dataclass(frozen=True, slots=True)
class Clinic:
    """One location of the business, with the zone its calendar is shown in."""

    id: UUID
    name: str
    timezone: str
    opening_hours: WeeklyHours
    phone: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Practitioner:
    """Someone patients are booked with. Inactive ones are hidden and unbookable."""

    id: UUID
    name: str
    profession: str
    colour: str
    active: bool
    availability: WeeklyHours
    # Health funds need the provider number for the location the service was given at.
    provider_numbers: dict[UUID, str] = field(default_factory=dict)
    version: int = 1
    display_order: int = 0  # the calendar's column order, lowest first

    def provider_number_at(self, clinic_id: UUID) -> str | None:
        return self.provider_numbers.get(clinic_id)


@dataclass(frozen=True, slots=True)
class Patient:
    id: UUID
    number: int
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    health_fund: str = ""
    health_fund_number: str = ""
    notes: str = ""
    version: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """Unique among patients: two "Sam Lee"s differ by their patient number."""
        return f"{self.full_name} (#{self.number})"
