"""Exports a clinic asks for: the day sheet (PDF), a practitioner's calendar (.ics), CSV.

* **Day sheet** — what each practitioner reviews at the start of the day: one page
  (or more) per practitioner with time, patient, appointment type, status, notes
  and class attendees, in the clinic's local time. The day is the clinic's local
  day, so a 23- or 25-hour DST day holds exactly its own appointments, and the
  sheet says when the clocks change. The layout lives in `day_sheet_pdf`.
* **iCalendar** — a practitioner's schedule for their own calendar app. The UID of
  an event is the appointment id, so importing again updates events instead of
  duplicating them (SEQUENCE is the appointment's version); times are UTC; a
  cancelled appointment stays as STATUS:CANCELLED so calendars remove it. The
  file leaves the clinic, so it carries no health data: patients appear only as
  first name and initial ("Sam L."), and notes are never included.
* **CSV** — appointments (one row per individual appointment and per class
  place) for spreadsheets and accountants. `write_csv` takes any columns and
  rows, so payments join as `PAYMENT_COLUMNS` + a `payment_rows()` query once
  billing exists. Files are UTF-8 with a byte-order mark (Excel on Windows reads
  names like "Zoë" correctly), and text that a spreadsheet would run as a formula
  is defused with a leading apostrophe.

Every file is written to a temporary name beside the target and renamed into
place, so a failed export never leaves half a file under the name asked for.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from desktop import __version__
from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AppointmentType,
    CancellationReason,
)
from desktop.domain.clinic_time import clinic_zone, day_bounds, to_local
from desktop.domain.errors import InvalidInput, NotFound
from desktop.domain.money import Money
from desktop.domain.people import Clinic, Patient, Practitioner
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.store.mapping import to_patient
from desktop.store.models import PatientRow

if TYPE_CHECKING:
    import icalendar

MAX_EXPORT_DAYS = 2 * 366


# --- what every export reads -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Range:
    """Appointments between two clinic-local days, with the patients and types they name."""

    clinic: Clinic
    zone: ZoneInfo
    appointments: list[Appointment]
    patients: dict[uuid.UUID, Patient]
    types: dict[uuid.UUID, AppointmentType]


def _read_range(
    ctx: ServiceContext,
    first_day: date,
    last_day: date,
    practitioner_ids: Sequence[uuid.UUID] | None = None,
) -> _Range:
    if last_day < first_day:
        raise InvalidInput("The end date is before the start date.")
    if (last_day - first_day).days >= MAX_EXPORT_DAYS:
        raise InvalidInput("Export at most two years at a time.")
    clinic = calendar.main_clinic(ctx)
    zone = clinic_zone(clinic.timezone)
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    appointments = calendar.appointments_between(ctx, start, end, practitioner_ids)
    wanted = {a.patient_id for a in appointments if a.patient_id is not None}
    wanted |= {place.patient_id for a in appointments for place in a.attendees}
    types = {t.id: t for t in calendar.appointment_types(ctx, include_inactive=True)}
    return _Range(clinic, zone, appointments, _patients(ctx, wanted), types)


def _patients(ctx: ServiceContext, ids: set[uuid.UUID]) -> dict[uuid.UUID, Patient]:
    if not ids:
        return {}
    with ctx.database.reading() as session:
        rows = session.execute(select(PatientRow).where(PatientRow.id.in_(ids))).scalars()
        return {row.id: to_patient(row) for row in rows}


def find_practitioner(ctx: ServiceContext, name: str) -> Practitioner:
    """A practitioner by name as typed: exact (any case), else the one name containing it."""
    everyone = calendar.practitioners(ctx, include_inactive=True)
    wanted = " ".join(name.split()).casefold()
    exact = [p for p in everyone if p.name.casefold() == wanted]
    found = exact or [p for p in everyone if wanted and wanted in p.name.casefold()]
    if len(found) == 1:
        return found[0]
    names = ", ".join(p.name for p in (found or everyone))
    if found:
        raise InvalidInput(f"“{name}” matches several practitioners: {names}.")
    raise NotFound(f"No practitioner is called “{name}”. Practitioners: {names or 'none yet'}.")


def write_atomically(out: Path, data: bytes) -> None:
    """Write `data` to `out` by way of a temporary file, so `out` is whole or untouched."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


# --- day sheet ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetAttendee:
    name: str
    status: AppointmentStatus


@dataclass(frozen=True, slots=True)
class SheetEntry:
    """One appointment or class as a practitioner reads it, in clinic-local time."""

    appointment_id: uuid.UUID
    starts: datetime
    ends: datetime
    minutes: int  # from the UTC instants: right even across a clock change
    type_name: str
    colour: str
    kind: AppointmentKind
    patient: str
    status: AppointmentStatus
    notes: str
    cancellation: str
    capacity: int
    attendees: tuple[SheetAttendee, ...]

    @property
    def booked_places(self) -> int:
        return sum(1 for a in self.attendees if a.status.takes_time)


@dataclass(frozen=True, slots=True)
class PractitionerDay:
    practitioner: Practitioner
    entries: tuple[SheetEntry, ...]

    @property
    def live_entries(self) -> list[SheetEntry]:
        return [e for e in self.entries if e.status is not AppointmentStatus.CANCELLED]


@dataclass(frozen=True, slots=True)
class DaySheet:
    clinic: Clinic
    day: date
    pages: tuple[PractitionerDay, ...]
    generated_at: datetime
    clock_change: str | None


def day_sheet(
    ctx: ServiceContext,
    day: date,
    practitioner_ids: Sequence[uuid.UUID] | None = None,
    now: datetime | None = None,
) -> DaySheet:
    """The day's appointments per practitioner.

    Without `practitioner_ids`: every practitioner with an appointment that day
    (an empty page helps nobody). With them: those practitioners, even if free.
    """
    found = _read_range(ctx, day, day, practitioner_ids)
    asked_for = set(practitioner_ids or ())
    pages = []
    for practitioner in calendar.practitioners(ctx, include_inactive=True):
        entries = tuple(
            _sheet_entry(a, found)
            for a in found.appointments
            if a.practitioner_id == practitioner.id
        )
        # An inactive practitioner whose day was all cancelled has nothing to review.
        live = any(e.status is not AppointmentStatus.CANCELLED for e in entries)
        if practitioner.id in asked_for or live or (entries and practitioner.active):
            pages.append(PractitionerDay(practitioner, entries))
    generated = to_local(now or ctx.now(), found.zone)
    return DaySheet(found.clinic, day, tuple(pages), generated, clock_change(day, found.zone))


def _sheet_entry(appointment: Appointment, found: _Range) -> SheetEntry:
    patient = found.patients.get(appointment.patient_id) if appointment.patient_id else None
    attendees = tuple(
        SheetAttendee(_display_name(found.patients.get(a.patient_id), a.patient_name), a.status)
        for a in appointment.attendees
    )
    reason = appointment.cancellation_reason
    cancellation = " — ".join(
        part for part in (reason.label if reason else "", appointment.cancellation_note) if part
    )
    return SheetEntry(
        appointment_id=appointment.id,
        starts=to_local(appointment.starts_at, found.zone),
        ends=to_local(appointment.ends_at, found.zone),
        minutes=(appointment.ends_at - appointment.starts_at) // timedelta(minutes=1),
        type_name=appointment.type_name,
        colour=appointment.colour,
        kind=appointment.kind,
        patient=_display_name(patient, appointment.patient_name),
        status=appointment.status,
        notes=appointment.notes,
        cancellation=cancellation,
        capacity=appointment.capacity,
        attendees=attendees,
    )


def _display_name(patient: Patient | None, fallback: str) -> str:
    return patient.display_name if patient is not None else fallback


def clock_change(day: date, zone: ZoneInfo) -> str | None:
    """A sentence about the clocks changing on this local day, or None on a normal day."""
    start, end = day_bounds(day, zone)
    before = _offset(start.astimezone(zone))
    instant = start
    # Quarter-hour steps find any zone's change (some are on the half hour).
    while instant < end:
        instant += timedelta(minutes=15)
        after = _offset(instant.astimezone(zone))
        if after != before:
            break
    else:
        return None
    shift = after - before
    amount = (
        "one hour"
        if abs(shift) == timedelta(hours=1)
        else f"{abs(shift) // timedelta(minutes=1)} minutes"
    )
    at = instant.astimezone(timezone(before))  # said the usual way: the clock time before it
    names = f"{start.astimezone(zone).tzname()} to {end.astimezone(zone).tzname()}"
    return (
        f"Clocks go {'forward' if shift > timedelta() else 'back'} {amount} at {at:%H:%M} "
        f"today ({names}); all times shown are clock times on the day."
    )


def _offset(local: datetime) -> timedelta:
    return local.utcoffset() or timedelta()


def write_day_sheet(
    ctx: ServiceContext,
    day: date,
    out: Path,
    practitioner_ids: Sequence[uuid.UUID] | None = None,
    now: datetime | None = None,
) -> DaySheet:
    """Render the day sheet as a PDF at `out`; returns what it holds."""
    from desktop.services.day_sheet_pdf import render_day_sheet

    sheet = day_sheet(ctx, day, practitioner_ids, now)
    write_atomically(out, render_day_sheet(sheet))
    return sheet


# --- iCalendar ----------------------------------------------------------------------


def short_name(patient: Patient | None, fallback: str = "Patient") -> str:
    """First name and the initial of the last: as much as may leave the clinic."""
    if patient is None:
        return fallback
    initial = f" {patient.last_name[0].upper()}." if patient.last_name else ""
    return f"{patient.first_name}{initial}"


def practitioner_calendar(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
) -> icalendar.Calendar:
    """The practitioner's appointments between two local days as an iCalendar."""
    practitioner = next(
        (p for p in calendar.practitioners(ctx, include_inactive=True) if p.id == practitioner_id),
        None,
    )
    if practitioner is None:
        raise NotFound("That practitioner no longer exists.")
    found = _read_range(ctx, first_day, last_day, [practitioner_id])
    stamp = (now or ctx.now()).astimezone(UTC)
    import icalendar  # slow to import; only this export needs it

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Frontdesk//Frontdesk {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{practitioner.name} — {found.clinic.name}")
    cal.add("x-wr-timezone", found.clinic.timezone)
    for appointment in found.appointments:
        cal.add_component(_event(appointment, found, stamp))
    return cal


def _event(appointment: Appointment, found: _Range, stamp: datetime) -> icalendar.Event:
    import icalendar

    event = icalendar.Event()
    cancelled = appointment.status is AppointmentStatus.CANCELLED
    event.add("uid", str(appointment.id))
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("sequence", appointment.version)
    event.add("summary", _event_summary(appointment, found))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A cancelled slot is free time again for anyone looking at free/busy.
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("location", ", ".join(p for p in (found.clinic.name, found.clinic.address) if p))
    event.add("description", _event_description(appointment, found))
    return event


def _event_summary(appointment: Appointment, found: _Range) -> str:
    if appointment.kind is AppointmentKind.CLASS:
        return f"{appointment.type_name} ({appointment.booked_places}/{appointment.capacity})"
    patient = found.patients.get(appointment.patient_id) if appointment.patient_id else None
    return f"{appointment.type_name} — {short_name(patient)}"


def _event_description(appointment: Appointment, found: _Range) -> str:
    lines = [f"Status: {appointment.status.label}"]
    if appointment.kind is AppointmentKind.CLASS:
        names = [
            short_name(found.patients.get(a.patient_id))
            for a in appointment.attendees
            if a.status.takes_time
        ]
        lines.append(f"Attendees: {', '.join(names) or 'none yet'}")
    lines.append(f"Frontdesk reference: {appointment.id}")
    return "\n".join(lines)


def write_practitioner_ics(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    first_day: date,
    last_day: date,
    out: Path,
    now: datetime | None = None,
) -> int:
    """Write the .ics file; returns how many events it holds."""
    cal = practitioner_calendar(ctx, practitioner_id, first_day, last_day, now)
    write_atomically(out, cal.to_ical())
    return len(cal.events)


# --- CSV ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvColumn:
    key: str
    heading: str


APPOINTMENT_COLUMNS: tuple[CsvColumn, ...] = tuple(
    CsvColumn(key, heading)
    for key, heading in (
        ("appointment_id", "Appointment ID"),
        ("date", "Date"),
        ("start", "Start"),
        ("end", "End"),
        ("minutes", "Minutes"),
        ("practitioner", "Practitioner"),
        ("appointment_type", "Appointment type"),
        ("item_number", "Item number"),
        ("kind", "Kind"),
        ("patient_number", "Patient number"),
        ("patient", "Patient"),
        ("status", "Status"),
        ("cancellation_reason", "Cancellation reason"),
        ("fee", "Fee"),
        ("currency", "Currency"),
        ("notes", "Notes"),
    )
)


def appointment_rows(
    ctx: ServiceContext, first_day: date, last_day: date
) -> list[dict[str, object]]:
    """One row per individual appointment and per class place (an empty class: one row)."""
    found = _read_range(ctx, first_day, last_day)
    names = {p.id: p.name for p in calendar.practitioners(ctx, include_inactive=True)}
    rows: list[dict[str, object]] = []
    for appointment in found.appointments:
        kind = found.types.get(appointment.type_id)
        starts = to_local(appointment.starts_at, found.zone)
        common: dict[str, object] = {
            "appointment_id": appointment.id,
            "date": starts.date(),
            "start": f"{starts:%H:%M}",
            "end": f"{to_local(appointment.ends_at, found.zone):%H:%M}",
            "minutes": (appointment.ends_at - appointment.starts_at) // timedelta(minutes=1),
            "practitioner": names.get(appointment.practitioner_id, ""),
            "appointment_type": appointment.type_name,
            "item_number": kind.item_code if kind else "",
            "kind": "Class" if appointment.kind is AppointmentKind.CLASS else "Individual",
            "fee": kind.price if kind else None,
            "currency": kind.price.currency if kind else "",
            "notes": appointment.notes,
        }
        places: list[tuple[uuid.UUID | None, AppointmentStatus, CancellationReason | None]]
        places = [(a.patient_id, a.status, a.cancellation_reason) for a in appointment.attendees]
        if appointment.kind is AppointmentKind.INDIVIDUAL or not places:
            places = [(appointment.patient_id, appointment.status, appointment.cancellation_reason)]
        for patient_id, status, reason in places:
            patient = found.patients.get(patient_id) if patient_id else None
            rows.append(
                {
                    **common,
                    "patient_number": patient.number if patient else None,
                    "patient": patient.full_name if patient else "",
                    "status": status.label,
                    "cancellation_reason": reason.label if reason else "",
                    "fee": common["fee"] if patient else None,
                }
            )
    return rows


def write_csv(out: Path, columns: Sequence[CsvColumn], rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows (dicts keyed by column key) as a spreadsheet-safe CSV; returns the count."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.heading for column in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(column.key)) for column in columns])
        count += 1
    write_atomically(out, buffer.getvalue().encode("utf-8-sig"))
    return count


def write_appointments_csv(ctx: ServiceContext, first_day: date, last_day: date, out: Path) -> int:
    return write_csv(out, APPOINTMENT_COLUMNS, appointment_rows(ctx, first_day, last_day))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a spreadsheet shows it: money in units, ISO dates, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return str(value.to_decimal())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | uuid.UUID | date):
        return str(value)
    text = str(value)
    # A name like "=HYPERLINK(...)" must stay text when the file is opened in Excel.
    return f"'{text}" if text.startswith(_FORMULA_START) else text
