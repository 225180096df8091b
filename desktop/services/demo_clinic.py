"""A realistic demo clinic a newcomer can click through.

Harbourside Physio & Pilates in Sydney: five active practitioners and one inactive,
individual appointment types and a reformer pilates class, a few hundred patients,
and a fortnight of appointments around today (past ones completed, a few cancelled
or no-shows). The data is random but seeded, so every run looks the same.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.auth.passwords import Passwords
from desktop.domain.appointments import AppointmentKind, AppointmentStatus, CancellationReason
from desktop.domain.clinic_time import clinic_zone, local_to_utc
from desktop.domain.errors import InvalidInput
from desktop.domain.hours import TimeWindow, WeeklyHours
from desktop.domain.money import Money
from desktop.domain.roles import Role
from desktop.resources import resources_dir
from desktop.services import setup
from desktop.services.context import ServiceContext
from desktop.services.practitioners import PractitionerDetails, new_practitioner_row
from desktop.store import queries
from desktop.store.auth_models import UserRow
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)

DEMO_CLINIC_NAME = "Harbourside Physio & Pilates"
ZONE = "Australia/Sydney"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    created: bool
    practitioners: int = 0
    patients: int = 0
    appointments: int = 0


_WEEKDAYS = WeeklyHours.same_every_day(range(5), time(7), time(19))
_OPENING = WeeklyHours({**_WEEKDAYS.days, 5: (TimeWindow(time(8), time(13)),)})

_PRACTITIONERS = [
    ("Sarah Chen", "Physiotherapist", "#2e86de", "2448761A", True),
    ("James O'Connor", "Physiotherapist", "#10ac84", "3159872B", True),
    ("Priya Sharma", "Pilates instructor", "#8854d0", "4417263C", True),
    ("Tom Nguyen", "Exercise physiologist", "#f39c12", "5528394D", True),
    ("Emma Walsh", "Psychologist", "#e15f41", "6672015E", True),
    ("Mark Davies", "Physiotherapist", "#7f8c8d", "7783126F", False),
]

# name, kind, minutes, price cents, colour, item code, capacity
_TYPES = [
    ("Initial physio consult", "individual", 45, 11000, "#74b9ff", "500", 1),
    ("Standard physio consult", "individual", 30, 9000, "#81ecec", "505", 1),
    ("Long physio consult", "individual", 60, 14000, "#a29bfe", "510", 1),
    ("Clinical pilates 1:1", "individual", 55, 9500, "#fd79a8", "560", 1),
    ("Psychology session", "individual", 50, 22000, "#ffeaa7", "80110", 1),
    ("Exercise physiology", "individual", 45, 10500, "#fab1a0", "10953", 1),
    ("Reformer pilates class", "class", 55, 4500, "#b8e994", "560", 8),
]
_TYPES_FOR = {
    "Physiotherapist": [
        "Initial physio consult",
        "Standard physio consult",
        "Standard physio consult",
        "Long physio consult",
    ],
    "Pilates instructor": ["Clinical pilates 1:1"],
    "Exercise physiologist": ["Exercise physiology"],
    "Psychologist": ["Psychology session"],
}
_CLASS_TIMES = [
    (0, time(7)),
    (0, time(18)),
    (2, time(7)),
    (2, time(18)),
    (4, time(7)),
    (5, time(9)),
]


def load_demo_clinic(
    ctx: ServiceContext, today: date | None = None, patients: int = 300
) -> DemoSummary:
    """Fill an empty database with the demo clinic; a second run changes nothing."""
    ctx.actor()
    today = today or datetime.now(clinic_zone(ZONE)).date()
    names = json.loads((resources_dir() / "demo" / "names.json").read_text(encoding="utf-8"))
    rng = random.Random(20261125)
    zone = clinic_zone(ZONE)
    with ctx.unit_of_work() as uow:
        existing = uow.session.execute(select(ClinicRow.name)).scalars().all()
        if DEMO_CLINIC_NAME in existing:
            return DemoSummary(created=False)
        if existing:
            raise InvalidInput(
                "This database already holds a clinic, so demo data was not added. "
                "Use --database-url to load the demo into another database."
            )
        session = uow.session
        # Made by the same checked paths as Settings ▸ Clinic, Practitioners and Types.
        clinic = setup.new_clinic_row(
            DEMO_CLINIC_NAME,
            ZONE,
            _OPENING,
            phone="02 9555 0100",
            address="12 Harbour St, Balmain NSW 2041",
        )
        session.add(clinic)
        session.flush()
        practitioners = []
        for order, (name, profession, colour, provider, active) in enumerate(_PRACTITIONERS):
            details = PractitionerDetails(
                name, profession, colour, _OPENING, provider_numbers={clinic.id: provider}
            )
            row = new_practitioner_row(details, sort_order=order)
            session.add(row)
            practitioners.append((row, active))
        types = {}
        for name, kind, minutes, cents, colour, item, capacity in _TYPES:
            type_details = setup.AppointmentTypeDetails(
                name, AppointmentKind(kind), minutes, Money(cents), colour, item, capacity
            )
            type_row = setup.new_type_row(session, type_details)
            session.add(type_row)
            types[name] = type_row
        start_number = queries.next_patient_number(session)
        patient_rows = [_patient(rng, names, start_number + i, today) for i in range(patients)]
        session.add_all(patient_rows)
        session.flush()
        count = 0
        for day_offset in range(-7, 8):
            day = today + timedelta(days=day_offset)
            for practitioner, _active in practitioners:
                count += _fill_day(
                    session, rng, clinic, practitioner, types, patient_rows, day, today, zone
                )
        # Deactivated only now, so the demo shows what an inactive practitioner's past
        # looks like (history kept, hidden from the calendar, never bookable).
        for practitioner, active in practitioners:
            if not active:
                for appointment in practitioner_future(session, practitioner, today, zone):
                    appointment.status = AppointmentStatus.CANCELLED.value
                    appointment.cancellation_reason = (
                        CancellationReason.PRACTITIONER_UNAVAILABLE.value
                    )
                practitioner.active = False
        _add_demo_users(session, {row.name: row.id for row, _active in practitioners})
        uow.commit()
        return DemoSummary(True, len(practitioners), len(patient_rows), count)


# Demo sign-ins (stated in the README): username, name, role, password, practitioner.
DEMO_USERS = [
    ("admin", "Demo Administrator", Role.ADMIN, "harbourside-admin", None),
    ("reception", "Front Desk", Role.RECEPTIONIST, "harbourside-desk", None),
    ("sarah", "Sarah Chen", Role.PRACTITIONER, "harbourside-sarah", "Sarah Chen"),
]


def _add_demo_users(session: Session, practitioner_ids: dict[str, uuid.UUID]) -> None:
    """The demo's users, except where a user of that name already exists."""
    taken = set(session.execute(select(UserRow.username)).scalars())
    passwords = Passwords()
    for username, name, role, password, practitioner in DEMO_USERS:
        if username not in taken:
            session.add(
                UserRow(
                    username=username,
                    display_name=name,
                    role=role.value,
                    practitioner_id=practitioner_ids[practitioner] if practitioner else None,
                    password_hash=passwords.hash(password),
                )
            )


def practitioner_future(
    session: Session, practitioner: PractitionerRow, today: date, zone: ZoneInfo
) -> Sequence[AppointmentRow]:
    start = local_to_utc(today, time(0), zone)
    return (
        session.execute(
            select(AppointmentRow).where(
                AppointmentRow.practitioner_id == practitioner.id, AppointmentRow.starts_at >= start
            )
        )
        .unique()
        .scalars()
        .all()
    )


def _patient(
    rng: random.Random, names: dict[str, list[str]], number: int, today: date
) -> PatientRow:
    first = rng.choice(names["first_names"])
    last = rng.choice(names["last_names"])
    age_days = rng.randint(16 * 365, 85 * 365)
    fund = rng.choice(names["health_funds"])
    return PatientRow(
        number=number,
        first_name=first,
        last_name=last,
        date_of_birth=today - timedelta(days=age_days),
        phone=f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        email=f"{first.lower()}.{last.lower().replace(chr(39), '')}{number}@example.com",
        address=f"{rng.randint(1, 240)} {rng.choice(names['streets'])}, {rng.choice(names['suburbs'])}",
        health_fund=fund,
        health_fund_number=str(rng.randint(10_000_000, 99_999_999)) if fund else "",
    )


def _fill_day(
    session: Session,
    rng: random.Random,
    clinic: ClinicRow,
    practitioner: PractitionerRow,
    types: dict[str, AppointmentTypeRow],
    patients: list[PatientRow],
    day: date,
    today: date,
    zone: ZoneInfo,
) -> int:
    windows = _OPENING.windows(day.weekday())
    if not windows:
        return 0
    window = windows[0]
    booked = 0
    if practitioner.profession == "Pilates instructor":
        for weekday, start in _CLASS_TIMES:
            if weekday == day.weekday():
                booked += _add_class(
                    session, rng, clinic, practitioner, types, patients, day, start, today, zone
                )
    cursor = local_to_utc(day, max(window.start, time(8)), zone)
    end = local_to_utc(day, min(window.end, time(18)), zone)
    options = _TYPES_FOR[practitioner.profession]
    while True:
        type_row = types[rng.choice(options)]
        finish = cursor + timedelta(minutes=type_row.duration_minutes)
        if finish > end:
            break
        clash = session.execute(
            select(AppointmentRow.id).where(
                AppointmentRow.practitioner_id == practitioner.id,
                AppointmentRow.starts_at < finish,
                AppointmentRow.ends_at > cursor,
            )
        ).first()
        if patients and clash is None and rng.random() < 0.72:
            status, reason = _status(rng, day, today)
            session.add(
                AppointmentRow(
                    clinic_id=clinic.id,
                    practitioner_id=practitioner.id,
                    appointment_type_id=type_row.id,
                    patient_id=rng.choice(patients).id,
                    starts_at=cursor,
                    ends_at=finish,
                    status=status,
                    cancellation_reason=reason,
                )
            )
            session.flush()
            booked += 1
        cursor = finish + timedelta(minutes=rng.choice([0, 0, 0, 15, 30]))
    return booked


def _add_class(
    session: Session,
    rng: random.Random,
    clinic: ClinicRow,
    practitioner: PractitionerRow,
    types: dict[str, AppointmentTypeRow],
    patients: list[PatientRow],
    day: date,
    start: time,
    today: date,
    zone: ZoneInfo,
) -> int:
    type_row = types["Reformer pilates class"]
    starts_at = local_to_utc(day, start, zone)
    row = AppointmentRow(
        clinic_id=clinic.id,
        practitioner_id=practitioner.id,
        appointment_type_id=type_row.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=type_row.duration_minutes),
        status=AppointmentStatus.COMPLETED.value if day < today else AppointmentStatus.BOOKED.value,
        capacity=type_row.capacity,
    )
    # A small demo (--patients 5) still gets classes, just smaller ones.
    wanted = min(len(patients), rng.randint(3, type_row.capacity))
    for patient in rng.sample(patients, wanted):
        row.attendances.append(
            AttendanceRow(
                patient_id=patient.id,
                status=AppointmentStatus.COMPLETED.value
                if day < today
                else AppointmentStatus.BOOKED.value,
            )
        )
    session.add(row)
    session.flush()
    return 1


def _status(rng: random.Random, day: date, today: date) -> tuple[str, str | None]:
    roll = rng.random()
    if roll < 0.06:
        return AppointmentStatus.CANCELLED.value, rng.choice(list(CancellationReason)).value
    if day < today:
        if roll < 0.09:
            return AppointmentStatus.NO_SHOW.value, None
        return AppointmentStatus.COMPLETED.value, None
    return AppointmentStatus.BOOKED.value, None
