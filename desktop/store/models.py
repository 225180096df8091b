"""Tables of the clinic calendar: clinics, practitioners, patients, types, appointments.

Every row has a UUID id, created/updated instants and a version that SQLAlchemy
bumps on each update (optimistic locking: a stale edit raises instead of
overwriting someone else's change).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from desktop.store.types import UTCDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Row(Base):
    """Columns every entity has."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(self) -> dict[str, Any]:
        return {"version_id_col": self.__table__.c.version}


class ClinicRow(Row):
    __tablename__ = "clinics"

    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")


class PractitionerRow(Row):
    __tablename__ = "practitioners"

    name: Mapped[str] = mapped_column(String(200))
    profession: Mapped[str] = mapped_column(String(100), default="")
    colour: Mapped[str] = mapped_column(String(9), default="#4a90d9")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    availability: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    provider_numbers: Mapped[list[ProviderNumberRow]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan", lazy="selectin"
    )


class ProviderNumberRow(Row):
    """Provider numbers are issued per practitioner per location."""

    __tablename__ = "provider_numbers"
    __table_args__ = (UniqueConstraint("practitioner_id", "clinic_id"),)

    practitioner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"))
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    number: Mapped[str] = mapped_column(String(20))

    practitioner: Mapped[PractitionerRow] = relationship(back_populates="provider_numbers")


class PatientRow(Row):
    __tablename__ = "patients"

    number: Mapped[int] = mapped_column(Integer, unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str] = mapped_column(String(40), default="", index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    health_fund: Mapped[str] = mapped_column(String(100), default="")
    health_fund_number: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The patient's id in the system the clinic imported them from (`frontdesk import`),
    # so that system's appointments file finds them; "" for patients added here.
    source_id: Mapped[str] = mapped_column(String(64), default="", server_default="")


class AppointmentTypeRow(Row):
    __tablename__ = "appointment_types"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    colour: Mapped[str] = mapped_column(String(9), default="#7fb3d5")
    item_code: Mapped[str] = mapped_column(String(20), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AppointmentRow(Row):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_practitioner_starts", "practitioner_id", "starts_at"),)

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    practitioner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("practitioners.id"))
    appointment_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_types.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id"), nullable=True, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str] = mapped_column(Text, default="")
    cancellation_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cancellation_note: Mapped[str] = mapped_column(Text, default="")
    overrides_availability: Mapped[bool] = mapped_column(Boolean, default=False)
    overrides_double_booking: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept when a practitioner is deactivated and the clinic chose "keep read-only".
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shared by the appointments booked together from one repeat rule (0011_repeats).
    series_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)

    practitioner: Mapped[PractitionerRow] = relationship(lazy="joined")
    appointment_type: Mapped[AppointmentTypeRow] = relationship(lazy="joined")
    patient: Mapped[PatientRow | None] = relationship(lazy="joined")
    attendances: Mapped[list[AttendanceRow]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", lazy="selectin"
    )


class AttendanceRow(Row):
    """A patient's place in a class."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("appointment_id", "patient_id"),)

    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointments.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    cancellation_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)

    appointment: Mapped[AppointmentRow] = relationship(back_populates="attendances")
    patient: Mapped[PatientRow] = relationship(lazy="joined")
