"""Appointments from another system, booked by the same rules as any booking.

Each row names its patient, practitioner and type in the old system's words;
`_RowReader` finds them (and reads the times in the clinic's zone), then
`AppointmentImporter` applies the calendar rules against `_Calendar`, which
holds the practitioner-days the file touches — the stored appointments, read
once per day, plus those this import adds — so thousands of rows are checked
without a query and a write per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import rules
from desktop.domain.appointments import AppointmentKind, AppointmentStatus, CancellationReason
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.csv_import import (
    SourceRow,
    normalised_name,
    parse_day,
    parse_instant,
    split_full_name,
    status_of,
)
from desktop.domain.errors import DomainError, InvalidInput, NotFound
from desktop.domain.rules import BusyBlock
from desktop.services.changes import Changes
from desktop.services.importing.report import Outcome, RowOutcome
from desktop.services.importing.rows import PatientIndex, name_key, parsed, writing
from desktop.services.messaging import reminders
from desktop.store import queries
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.unit_of_work import UnitOfWork

IMPORTED_CANCELLATION = "Cancelled in the previous system."
NamedRow = TypeVar("NamedRow", PractitionerRow, AppointmentTypeRow)


@dataclass(frozen=True, slots=True)
class _Line:
    """One row, understood: who, with whom, what, when."""

    patient: PatientRow
    practitioner: PractitionerRow
    kind_row: AppointmentTypeRow
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    notes: str
    cancellation_note: str

    @property
    def is_class(self) -> bool:
        return self.kind_row.kind == AppointmentKind.CLASS.value


def _by_name(rows: Iterable[NamedRow]) -> dict[str, NamedRow]:
    """Rows by loose name; an active one wins over a retired namesake."""
    found: dict[str, NamedRow] = {}
    for row in rows:
        key = normalised_name(row.name)
        if key not in found or (row.active and not found[key].active):
            found[key] = row
    return found


class _RowReader:
    """Finds a row's patient, practitioner and type, and reads its times."""

    def __init__(self, session: Session, zone: ZoneInfo) -> None:
        self.zone = zone
        self.patients = PatientIndex(session)
        self.practitioners = _by_name(session.execute(select(PractitionerRow)).scalars())
        self.types = _by_name(session.execute(select(AppointmentTypeRow)).scalars())

    def line(self, values: Mapping[str, str]) -> _Line:
        practitioner = self._practitioner(values.get("practitioner", ""))
        kind_row = self._type(values.get("appointment_type", ""))
        day_text = values.get("date", "")
        day = parsed("Date", day_text, parse_day) if day_text else None
        starts_at = parsed("Start", values.get("start", ""), lambda t: self._instant(t, day))
        end_text = values.get("end", "")
        ends_at = (
            parsed("End", end_text, lambda t: self._instant(t, day))
            if end_text
            else starts_at + timedelta(minutes=kind_row.duration_minutes)
        )
        starts_at, ends_at = rules.ensure_time_range(starts_at, ends_at)
        return _Line(
            patient=self._patient(values),
            practitioner=practitioner,
            kind_row=kind_row,
            starts_at=starts_at,
            ends_at=ends_at,
            status=parsed("Status", values.get("status", ""), lambda _: status_of(values)),
            notes=values.get("notes", ""),
            cancellation_note=values.get("cancellation_reason", "") or IMPORTED_CANCELLATION,
        )

    def _instant(self, text: str, day: date | None) -> datetime:
        return parse_instant(text, self.zone, day)

    def _practitioner(self, name: str) -> PractitionerRow:
        if not name:
            raise InvalidInput("The practitioner is missing.")
        row = self.practitioners.get(normalised_name(name))
        if row is None:
            raise InvalidInput(
                f"There is no practitioner called “{name}” (add them in Settings first)."
            )
        try:
            rules.ensure_bookable(row.name, row.active)
        except DomainError:
            raise InvalidInput(f"{row.name} is inactive and cannot be booked.") from None
        return row

    def _type(self, name: str) -> AppointmentTypeRow:
        if not name:
            raise InvalidInput("The appointment type is missing.")
        row = self.types.get(normalised_name(name))
        if row is None:
            raise InvalidInput(
                f"There is no appointment type called “{name}” (add it in Settings first)."
            )
        if not row.active:
            raise InvalidInput(f"“{row.name}” is no longer offered.")
        return row

    def _patient(self, values: Mapping[str, str]) -> PatientRow:
        """By old-system id, else email, else name and birth date, else a unique name."""
        source_id = values.get("patient_source_id", "")
        if source_id and source_id in self.patients.by_source:
            return self.patients.by_source[source_id]
        email = values.get("patient_email", "").casefold()
        if email and email in self.patients.by_email:
            return self.patients.by_email[email]
        first, last = values.get("patient_first_name", ""), values.get("patient_last_name", "")
        if not last and values.get("patient"):
            first, last = split_full_name(values["patient"])
        if not last:
            raise InvalidInput("The patient is missing.")
        named = self.patients.by_name.get(name_key(first, last), [])
        born_text = values.get("patient_date_of_birth", "")
        if born_text:
            born = parsed("Date of birth", born_text, parse_day)
            named = [p for p in named if p.date_of_birth == born]
        if len(named) == 1:
            return named[0]
        who = f"{first} {last}".strip()
        if not named:
            born_words = f" born {born_text}" if born_text else ""
            raise InvalidInput(f"No patient {who}{born_words} (import the patients first).")
        raise InvalidInput(
            f"{len(named)} patients are called {who}: "
            "add a date of birth or email column to tell them apart."
        )


class _Calendar:
    """The appointments an import can repeat or clash with, by practitioner and UTC day.

    A practitioner's month is read from the database the first time a row
    touches it; what the import adds is kept here too (it is written at the end).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.months: dict[tuple[uuid.UUID, int, int], dict[date, list[AppointmentRow]]] = {}

    def _day(self, practitioner_id: uuid.UUID, day: date) -> list[AppointmentRow]:
        key = (practitioner_id, day.year, day.month)
        if key not in self.months:
            start = datetime(day.year, day.month, 1, tzinfo=UTC)
            end = datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=UTC)
            query = select(AppointmentRow).where(
                AppointmentRow.practitioner_id == practitioner_id,
                AppointmentRow.starts_at >= start,
                AppointmentRow.starts_at < end,
            )
            by_day: dict[date, list[AppointmentRow]] = {}
            with self.session.no_autoflush:
                for row in self.session.execute(query).unique().scalars():
                    by_day.setdefault(row.starts_at.astimezone(UTC).date(), []).append(row)
            self.months[key] = by_day
        return self.months[key].setdefault(day, [])

    def _around(self, practitioner_id: uuid.UUID, instant: datetime) -> Iterator[AppointmentRow]:
        # No appointment is longer than 12 hours: the days either side cover every overlap.
        for offset in (-1, 0, 1):
            yield from self._day(practitioner_id, instant.date() + timedelta(days=offset))

    def starting(self, line: _Line) -> list[AppointmentRow]:
        day = self._day(line.practitioner.id, line.starts_at.date())
        return [row for row in day if row.starts_at == line.starts_at]

    def busy(self, line: _Line) -> list[BusyBlock]:
        """What `queries.busy_blocks` would find, had the import's rows been written."""
        return [
            queries.busy_block(row)
            for row in self._around(line.practitioner.id, line.starts_at)
            if row.status != AppointmentStatus.CANCELLED.value
            and not row.overrides_double_booking
            and rules.overlaps(row.starts_at, row.ends_at, line.starts_at, line.ends_at)
        ]

    def add(self, row: AppointmentRow) -> None:
        self._day(row.practitioner_id, row.starts_at.date()).append(row)


class AppointmentImporter:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self.uow = uow
        session = uow.session
        clinic = session.execute(select(ClinicRow).order_by(ClinicRow.name)).scalars().first()
        if clinic is None:
            raise NotFound(
                "No clinic is set up yet: an administrator sets it up in Settings ▸ Clinic "
                "(or the set-up shown when Frontdesk first opens), then imports appointments."
            )
        self.clinic = clinic
        self.zone = clinic_zone(clinic.timezone)
        self.reader = _RowReader(session, self.zone)
        self.calendar = _Calendar(session)
        self.now = now  # the context's clock: what counts as past
        self.changes = Changes()

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome:
        line = self.reader.line(values)
        local = to_local(line.starts_at, self.zone)
        summary = (
            f"{line.patient.first_name} {line.patient.last_name}: {line.kind_row.name} with "
            f"{line.practitioner.name}, {local:%a %d/%m/%Y %H:%M}"
        )
        if line.is_class:
            return self._class_place(row, line, summary)
        if any(a.patient_id == line.patient.id for a in self.calendar.starting(line)):
            return RowOutcome(row.number, Outcome.SKIPPED, summary, "already there")
        remark = self._check_clash(line)
        appointment = self._new_appointment(line, accepted_clash=bool(remark))
        appointment.patient_id, appointment.patient = line.patient.id, line.patient
        appointment.status = line.status.value
        appointment.notes = line.notes
        if line.status is AppointmentStatus.CANCELLED:
            appointment.cancellation_reason = CancellationReason.OTHER.value
            appointment.cancellation_note = line.cancellation_note
        self._add(row, appointment)
        return RowOutcome(row.number, Outcome.CREATED, summary, remark)

    def _new_appointment(self, line: _Line, *, accepted_clash: bool) -> AppointmentRow:
        # Ids and relationships are set now: nothing is flushed until the end.
        return AppointmentRow(
            id=uuid.uuid4(),
            clinic_id=self.clinic.id,
            practitioner_id=line.practitioner.id,
            practitioner=line.practitioner,
            appointment_type_id=line.kind_row.id,
            appointment_type=line.kind_row,
            starts_at=line.starts_at,
            ends_at=line.ends_at,
            status=AppointmentStatus.BOOKED.value,
            capacity=line.kind_row.capacity if line.is_class else 1,
            notes="",
            overrides_availability=True,  # the old system already accepted these hours
            overrides_double_booking=accepted_clash,
        )

    def _check_clash(self, line: _Line) -> str:
        """Refuse a double booking; one wholly in the past is history, imported as accepted."""
        if line.status is AppointmentStatus.CANCELLED:
            return ""
        try:
            rules.ensure_no_double_booking(
                line.practitioner.name,
                line.starts_at,
                line.ends_at,
                self.calendar.busy(line),
                self.zone,
            )
        except DomainError as exc:
            if line.ends_at > self.now:
                raise
            return f"a past double booking, kept as it was ({exc})"
        return ""

    def _class_place(self, row: SourceRow, line: _Line, summary: str) -> RowOutcome:
        """A place in the class session at that time (the session is made by its first row)."""
        sessions = [
            a for a in self.calendar.starting(line) if a.appointment_type_id == line.kind_row.id
        ]
        remark = ""
        if sessions:
            session_row = sessions[0]
            if any(a.patient_id == line.patient.id for a in session_row.attendances):
                return RowOutcome(row.number, Outcome.SKIPPED, summary, "already in this class")
        else:
            remark = self._check_clash(line)
            session_row = self._new_appointment(line, accepted_clash=bool(remark))
        if line.status.takes_time:
            taken = sum(
                1 for a in session_row.attendances if a.status != AppointmentStatus.CANCELLED.value
            )
            rules.ensure_capacity(line.kind_row.name, session_row.capacity, taken)
        place = AttendanceRow(id=uuid.uuid4(), patient_id=line.patient.id, status=line.status.value)
        if line.status is AppointmentStatus.CANCELLED:
            place.cancellation_reason = CancellationReason.OTHER.value
        session_row.attendances.append(place)
        if not sessions:
            self._add(row, session_row)
        elif session_row.starts_at > self.now:
            with writing(f"Row {row.number}"):
                reminders.appointment_changed(self.uow, session_row)
        self.changes |= Changes(appointments=True, ids=frozenset({session_row.id}))
        return RowOutcome(row.number, Outcome.CREATED, summary, remark)

    def _add(self, row: SourceRow, appointment: AppointmentRow) -> None:
        self.uow.session.add(appointment)
        self.calendar.add(appointment)
        if appointment.starts_at > self.now:
            with writing(f"Row {row.number}"):
                reminders.appointment_changed(self.uow, appointment)  # as any booking would
        self.changes |= Changes(appointments=True, ids=frozenset({appointment.id}))
