"""Patients: register, edit, find fast (type-ahead by name, phone or date of birth)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.domain import fields
from desktop.domain.appointments import Appointment
from desktop.domain.errors import InvalidInput, NotFound, StaleEdit
from desktop.domain.people import Patient
from desktop.domain.phones import DEFAULT_REGION, display_phone, region_for_zone, stored_phone
from desktop.services import billing_sync
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store import queries
from desktop.store.mapping import to_appointment, to_patient
from desktop.store.models import AppointmentRow, AttendanceRow, ClinicRow, PatientRow

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y")


@dataclass(frozen=True, slots=True)
class PatientDetails:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    health_fund: str = ""
    health_fund_number: str = ""
    notes: str = ""

    def cleaned(self) -> PatientDetails:
        details = replace(
            self,
            first_name=self.first_name.strip(),
            last_name=self.last_name.strip(),
            phone=self.phone.strip(),
            email=self.email.strip(),
            address=self.address.strip(),
            health_fund=self.health_fund.strip(),
            health_fund_number=self.health_fund_number.strip(),
            notes=self.notes.strip(),
        )
        if not details.first_name or not details.last_name:
            raise InvalidInput("A patient needs a first and a last name.")
        if details.email:
            fields.ensure_email(details.email)
        if details.date_of_birth:
            fields.ensure_birth_date(details.date_of_birth, date.today())  # noqa: DTZ011
        return details


def parse_date(text: str) -> date | None:
    """A date as Australians type it (31/12/1980), or ISO; None if it is not a date."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def create_patient(ctx: ServiceContext, details: PatientDetails) -> tuple[Patient, Changes]:
    ctx.actor()
    details = details.cleaned()
    with ctx.unit_of_work() as uow:
        details = _with_stored_phone(uow.session, details)
        row = PatientRow(number=queries.next_patient_number(uow.session), **_columns(details))
        uow.session.add(row)
        queued = billing_sync.patient_changed(uow.session, row)  # its Xero contact, if connected
        uow.commit()
        return to_patient(row), Changes(
            patients=True, outbox=queued is not None, ids=frozenset({row.id})
        )


def update_patient(
    ctx: ServiceContext, patient_id: uuid.UUID, details: PatientDetails, expected_version: int
) -> tuple[Patient, Changes]:
    ctx.actor()
    details = details.cleaned()
    with ctx.unit_of_work() as uow:
        row = uow.session.get(PatientRow, patient_id)
        if row is None:
            raise NotFound("That patient no longer exists.")
        if row.version != expected_version:
            raise StaleEdit("patient")
        details = _with_stored_phone(uow.session, details, kept=row.phone)
        for key, value in _columns(details).items():
            setattr(row, key, value)
        queued = billing_sync.patient_changed(uow.session, row)  # its Xero contact, if connected
        uow.commit()
        return to_patient(row), Changes(
            patients=True, appointments=True, outbox=queued is not None, ids=frozenset({row.id})
        )


def home_region(session: Session) -> str:
    """The clinic's country, where a phone number typed without + is read."""
    zone = session.execute(
        select(ClinicRow.timezone).order_by(ClinicRow.name).limit(1)
    ).scalar_one_or_none()
    return region_for_zone(zone) if zone else DEFAULT_REGION


def _with_stored_phone(session: Session, details: PatientDetails, kept: str = "") -> PatientDetails:
    """The phone in E.164; a phone the user left as it was shown stays exactly as stored
    (an old record's "ring after 5" must not stop a change of address)."""
    region = home_region(session)
    if kept and details.phone in (kept, display_phone(kept, region)):
        return replace(details, phone=kept)
    return replace(details, phone=stored_phone(details.phone, region))


def _columns(details: PatientDetails) -> dict[str, object]:
    return {
        "first_name": details.first_name,
        "last_name": details.last_name,
        "date_of_birth": details.date_of_birth,
        "phone": details.phone,
        "email": details.email,
        "address": details.address,
        "health_fund": details.health_fund,
        "health_fund_number": details.health_fund_number,
        "notes": details.notes,
    }


def get_patient(ctx: ServiceContext, patient_id: uuid.UUID) -> Patient:
    ctx.actor()
    with ctx.database.reading() as session:
        row = session.get(PatientRow, patient_id)
        if row is None:
            raise NotFound("That patient no longer exists.")
        return to_patient(row)


def search_patients(ctx: ServiceContext, text: str, limit: int = 50) -> list[Patient]:
    """Type-ahead: "sam le", "0412 345", "#123" or a birth date like 31/12/1980."""
    ctx.actor()
    text = text.strip()
    if not text:
        return []
    with ctx.database.reading() as session:
        if text.startswith("#") and text[1:].isdigit():
            query = select(PatientRow).where(PatientRow.number == int(text[1:]))
        else:
            born = parse_date(text)
            words = [] if born else text.replace(",", " ").split()
            query = queries.patient_search_query(words, born)
        rows = session.execute(query.limit(limit)).scalars()
        return [to_patient(row) for row in rows]


def patient_appointments(ctx: ServiceContext, patient_id: uuid.UUID) -> list[Appointment]:
    """Individual appointments and classes the patient is booked into, oldest first."""
    ctx.actor()
    with ctx.database.reading() as session:
        in_class = select(AttendanceRow.appointment_id).where(
            AttendanceRow.patient_id == patient_id
        )
        query = (
            select(AppointmentRow)
            .where(or_(AppointmentRow.patient_id == patient_id, AppointmentRow.id.in_(in_class)))
            .order_by(AppointmentRow.starts_at)
        )
        return [to_appointment(row) for row in session.execute(query).unique().scalars()]
