"""Importing patients and appointments from another system's CSV export.

One import is one unit of work: every row is checked and written inside a single
transaction, which is committed only when the whole file is acceptable — or, when
the user asked to skip bad rows, with the refused rows left out. A dry run takes
exactly the same path and rolls back, so its report is what the real run will do.

* **Who**: receptionists and administrators (receptionists register patients and
  book for every practitioner anyway); a practitioner account is refused. The
  command line acts as the clinic itself, as for `frontdesk demo`.
* **Already there** (skipped, never created twice): a patient with the same
  first and last name and date of birth, the same email, or the same id from the
  old system; an appointment of the same patient with the same practitioner at
  the same start (for a class: the patient already in that class session).
* **Booking rules** hold for every imported appointment: inactive practitioners
  and retired types are refused, classes keep their capacity, and a double
  booking is refused with the clash named — except when it is wholly in the
  past, where it is history, not a booking decision: it is imported marked as an
  accepted double booking (as a receptionist's "book anyway"). Working hours are
  not checked: the old system already accepted those times.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desktop.domain import rules
from desktop.domain.appointments import AppointmentKind, AppointmentStatus, CancellationReason
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.csv_import import (
    ColumnMapping,
    ImportKind,
    SourceRow,
    SourceTable,
    check_header,
    decode,
    guess_mapping,
    mapped_by_hand,
    normalised_name,
    parse_day,
    parse_instant,
    read_table,
    split_full_name,
    status_of,
)
from desktop.domain.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from desktop.domain.roles import Role
from desktop.services import billing_sync
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders
from desktop.services.patients import PatientDetails
from desktop.store import queries
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.types import utc_now
from desktop.store.unit_of_work import UnitOfWork

# Alternatives: each group needs one of its fields mapped before an import can run.
REQUIRED: Mapping[ImportKind, tuple[tuple[str, ...], ...]] = {
    ImportKind.PATIENTS: (("first_name",), ("last_name",)),
    ImportKind.APPOINTMENTS: (
        ("patient", "patient_last_name", "patient_email", "patient_source_id"),
        ("practitioner",),
        ("appointment_type",),
        ("start",),
    ),
}

IMPORTED_CANCELLATION = "Cancelled in the previous system."


class Outcome(enum.StrEnum):
    CREATED = "created"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    row: int  # line in the file
    outcome: Outcome
    summary: str  # what the row is, e.g. "Zoë Nguyễn, born 31/12/1980"
    reason: str = ""  # why it was skipped or refused (or a remark on what was created)


@dataclass(frozen=True, slots=True)
class ImportSource:
    """A file read and its columns recognised: what the dialog shows before importing."""

    path: Path
    table: SourceTable
    mapping: ColumnMapping
    note: str = ""  # e.g. the encoding had to be guessed


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: ImportKind
    rows: tuple[RowOutcome, ...]
    dry_run: bool
    imported: bool  # committed
    skip_bad_rows: bool = False
    note: str = ""
    changes: Changes = field(default_factory=Changes)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def refused(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.outcome is Outcome.REFUSED]

    def headline(self) -> str:
        created, skipped, refused = (self.count(o) for o in Outcome)
        noun = self.kind.value if created != 1 else self.kind.value.removesuffix("s")
        if self.dry_run or (refused and not self.imported):
            verbs = ("Would create", "skip", "leave out" if self.skip_bad_rows else "refuse")
        else:
            verbs = ("Created", "skipped", "left out")
        text = f"{verbs[0]} {created} {noun}, {verbs[1]} {skipped} already there"
        if refused:
            text += f", {verbs[2]} {refused} bad row" + "s" * (refused != 1)
        return text + "."

    def blocked_message(self, skip_hint: str) -> str:
        """Why nothing was (or would be) imported, when bad rows stop the file."""
        rows = ", ".join(str(row.row) for row in self.refused[:10])
        more = " …" if len(self.refused) > 10 else ""
        return (
            f"Nothing {'would be' if self.dry_run else 'was'} imported: {'row' if len(self.refused) == 1 else 'rows'} "
            f"{rows}{more} {'is' if len(self.refused) == 1 else 'are'} refused. "
            f"Fix the file, or {skip_hint} to import the rest."
        )


def read_source(
    path: Path, kind: ImportKind, choices: Mapping[str, str] | None = None
) -> ImportSource:
    """Read a CSV export and recognise its columns (plus the user's own choices)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    decoded = decode(data)
    table = read_table(decoded.text)
    mapping = mapped_by_hand(guess_mapping(kind, table.headers), choices or {})
    return ImportSource(path, table, mapping, decoded.note)


def run_import(
    ctx: ServiceContext,
    source: ImportSource,
    mapping: ColumnMapping | None = None,
    *,
    dry_run: bool,
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Check every row, and write them all in one transaction (unless a dry run or blocked)."""
    actor = ctx.actor()
    if actor.role is Role.PRACTITIONER:
        raise PermissionDenied("Only a receptionist or an administrator can import.")
    mapping = mapping or source.mapping
    check_header(mapping, REQUIRED[mapping.kind])
    with ctx.unit_of_work() as uow:
        importer: _Importer
        if mapping.kind is ImportKind.PATIENTS:
            importer = _PatientImporter(uow.session)
        else:
            importer = _AppointmentImporter(uow)
        outcomes = tuple(_take(importer, row, mapping.values(row)) for row in source.table.rows)
        created = any(o.outcome is Outcome.CREATED for o in outcomes)
        blocked = any(o.outcome is Outcome.REFUSED for o in outcomes) and not skip_bad_rows
        imported = not dry_run and not blocked and created
        if imported:
            uow.commit()
    changes = importer.changes if imported else Changes()
    return ImportReport(
        mapping.kind, outcomes, dry_run, imported, skip_bad_rows, source.note, changes
    )


class _Importer(Protocol):
    changes: Changes

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome: ...


class _WriteFailed(DomainError):
    """A row passed every check but the database refused it: the whole import stops."""


def _take(importer: _Importer, row: SourceRow, values: dict[str, str]) -> RowOutcome:
    try:
        return importer.take(row, values)
    except _WriteFailed:
        raise
    except DomainError as exc:
        return RowOutcome(row.number, Outcome.REFUSED, _describe(values), str(exc))


@contextmanager
def _writing(row: SourceRow) -> Iterator[None]:
    try:
        yield
    except (DomainError, SQLAlchemyError) as exc:
        raise _WriteFailed(
            f"Row {row.number} passed every check but could not be saved ({exc}); "
            "nothing was imported."
        ) from exc


def _describe(values: Mapping[str, str]) -> str:
    name = values.get("patient") or " ".join(
        values.get(key, "") for key in ("first_name", "last_name", "patient_first_name")
    )
    name = name.strip() or values.get("patient_last_name", "") or "(no name)"
    when = values.get("start", "")
    return f"{name}, {when}" if when else name


T = TypeVar("T")
NamedRow = TypeVar("NamedRow", PractitionerRow, AppointmentTypeRow)


def _parsed(label: str, text: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc}") from None


def _check_lengths(model: type[PatientRow], values: Mapping[str, str]) -> None:
    """Refuse a value the database column cannot hold (PostgreSQL would refuse the lot)."""
    for name, value in values.items():
        length = getattr(model.__table__.c[name].type, "length", None)
        if length is not None and len(value) > length:
            label = name.replace("_", " ").capitalize()
            raise InvalidInput(f"{label} is longer than {length} characters.")


# --- patients --------------------------------------------------------------------


def _patient_details(values: Mapping[str, str]) -> PatientDetails:
    born = values.get("date_of_birth", "")
    mobile, phone = values.get("mobile", ""), values.get("phone", "")
    notes = [values.get("notes", "")]
    if mobile and phone and mobile != phone:
        notes.append(f"Other phone: {phone}")  # one phone is kept; the other is not lost
    locality = " ".join(filter(None, (values.get(k, "") for k in ("suburb", "state", "postcode"))))
    address = ", ".join(
        filter(None, (values.get("address", ""), values.get("address_2", ""), locality))
    )
    return PatientDetails(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        date_of_birth=_parsed("Date of birth", born, parse_day) if born else None,
        phone=mobile or phone,
        email=values.get("email", ""),
        address=address,
        health_fund=values.get("health_fund", ""),
        health_fund_number=values.get("health_fund_number", ""),
        notes="\n".join(filter(None, notes)),
    ).cleaned()


def _name_key(first: str, last: str) -> tuple[str, str]:
    return normalised_name(first), normalised_name(last)


class _PatientIndex:
    """Every patient, findable by name (+ birth date), email or old-system id."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[tuple[str, str], list[PatientRow]] = {}
        self.by_email: dict[str, PatientRow] = {}
        self.by_source: dict[str, PatientRow] = {}
        for row in session.execute(select(PatientRow).order_by(PatientRow.number)).scalars():
            self.add(row)

    def add(self, row: PatientRow) -> None:
        self.by_name.setdefault(_name_key(row.first_name, row.last_name), []).append(row)
        if row.email:
            self.by_email.setdefault(row.email.casefold(), row)
        if row.source_id:
            self.by_source.setdefault(row.source_id, row)

    def same_person(self, details: PatientDetails, source_id: str) -> tuple[PatientRow, str] | None:
        if source_id and source_id in self.by_source:
            return self.by_source[source_id], "same patient id in the old system"
        named = self.by_name.get(_name_key(details.first_name, details.last_name), [])
        born = [
            row
            for row in named
            if details.date_of_birth and row.date_of_birth == details.date_of_birth
        ]
        if born:
            return born[0], "same name and date of birth"
        if details.email and details.email.casefold() in self.by_email:
            return self.by_email[details.email.casefold()], "same email"
        return None


class _PatientImporter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.index = _PatientIndex(session)
        self.next_number: int | None = None
        self.changes = Changes()

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome:
        details = _patient_details(values)
        source_id = values.get("source_id", "")
        summary = f"{details.first_name} {details.last_name}"
        if details.date_of_birth:
            summary += f", born {details.date_of_birth:%d/%m/%Y}"
        found = self.index.same_person(details, source_id)
        if found is not None:
            existing, why = found
            return RowOutcome(
                row.number, Outcome.SKIPPED, summary, f"already there as #{existing.number} ({why})"
            )
        columns = {
            "first_name": details.first_name,
            "last_name": details.last_name,
            "phone": details.phone,
            "email": details.email,
            "health_fund": details.health_fund,
            "health_fund_number": details.health_fund_number,
            "source_id": source_id,
        }
        _check_lengths(PatientRow, columns)
        if self.next_number is None:
            self.next_number = queries.next_patient_number(self.session)
        patient = PatientRow(
            number=self.next_number,
            date_of_birth=details.date_of_birth,
            address=details.address,
            notes=details.notes,
            **columns,
        )
        self.next_number += 1
        with _writing(row):
            self.session.add(patient)
            queued = billing_sync.patient_changed(self.session, patient)  # Xero contact, if on
            self.session.flush()
        self.index.add(patient)
        self.changes |= Changes(
            patients=True, outbox=queued is not None, ids=frozenset({patient.id})
        )
        return RowOutcome(row.number, Outcome.CREATED, summary)


# --- appointments ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AppointmentLine:
    patient: PatientRow
    practitioner: PractitionerRow
    kind_row: AppointmentTypeRow
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    notes: str
    cancellation_note: str


class _AppointmentImporter:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        session = uow.session
        clinic = session.execute(select(ClinicRow).order_by(ClinicRow.name)).scalars().first()
        if clinic is None:
            raise NotFound(
                "No clinic is set up yet: set up the clinic before importing appointments."
            )
        self.clinic = clinic
        self.zone: ZoneInfo = clinic_zone(clinic.timezone)
        self.patients = _PatientIndex(session)
        self.practitioners = _by_name(session.execute(select(PractitionerRow)).scalars())
        self.types = _by_name(session.execute(select(AppointmentTypeRow)).scalars())
        self.now = utc_now()
        self.changes = Changes()

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome:
        line = self._line(values)
        local = to_local(line.starts_at, self.zone)
        summary = (
            f"{line.patient.first_name} {line.patient.last_name}: {line.kind_row.name} with "
            f"{line.practitioner.name}, {local:%a %d/%m/%Y %H:%M}"
        )
        if line.kind_row.kind == AppointmentKind.CLASS.value:
            return self._class_place(row, line, summary)
        if self._existing(line, line.patient.id) is not None:
            return RowOutcome(row.number, Outcome.SKIPPED, summary, "already there")
        remark = self._check_clash(line)
        appointment = AppointmentRow(
            clinic_id=self.clinic.id,
            practitioner_id=line.practitioner.id,
            appointment_type_id=line.kind_row.id,
            patient_id=line.patient.id,
            starts_at=line.starts_at,
            ends_at=line.ends_at,
            status=line.status.value,
            capacity=1,
            notes=line.notes,
            overrides_availability=True,
            overrides_double_booking=bool(remark),
        )
        if line.status is AppointmentStatus.CANCELLED:
            appointment.cancellation_reason = CancellationReason.OTHER.value
            appointment.cancellation_note = line.cancellation_note
        self._add(row, appointment)
        return RowOutcome(row.number, Outcome.CREATED, summary, remark)

    def _line(self, values: Mapping[str, str]) -> _AppointmentLine:
        practitioner = self._practitioner(values.get("practitioner", ""))
        kind_row = self._type(values.get("appointment_type", ""))
        day_text = values.get("date", "")
        day = _parsed("Date", day_text, parse_day) if day_text else None
        starts_at = _parsed(
            "Start", values.get("start", ""), lambda t: parse_instant(t, self.zone, day)
        )
        end_text = values.get("end", "")
        ends_at = (
            _parsed("End", end_text, lambda t: parse_instant(t, self.zone, day))
            if end_text
            else starts_at + timedelta(minutes=kind_row.duration_minutes)
        )
        starts_at, ends_at = rules.ensure_time_range(starts_at, ends_at)
        return _AppointmentLine(
            patient=self._patient(values),
            practitioner=practitioner,
            kind_row=kind_row,
            starts_at=starts_at,
            ends_at=ends_at,
            status=_parsed("Status", values.get("status", ""), lambda _: status_of(values)),
            notes=values.get("notes", ""),
            cancellation_note=values.get("cancellation_reason", "") or IMPORTED_CANCELLATION,
        )

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
        named = self.patients.by_name.get(_name_key(first, last), [])
        born_text = values.get("patient_date_of_birth", "")
        if born_text:
            born = _parsed("Date of birth", born_text, parse_day)
            named = [p for p in named if p.date_of_birth == born]
        if len(named) == 1:
            return named[0]
        who = f"{first} {last}".strip()
        if not named:
            raise InvalidInput(
                f"No patient {who}{' born ' + born_text if born_text else ''} (import the patients first)."
            )
        raise InvalidInput(
            f"{len(named)} patients are called {who}: add a date of birth or email column to tell them apart."
        )

    def _existing(
        self, line: _AppointmentLine, patient_id: uuid.UUID | None
    ) -> AppointmentRow | None:
        query = select(AppointmentRow).where(
            AppointmentRow.practitioner_id == line.practitioner.id,
            AppointmentRow.starts_at == line.starts_at,
        )
        if patient_id is not None:
            query = query.where(AppointmentRow.patient_id == patient_id)
        else:
            query = query.where(AppointmentRow.appointment_type_id == line.kind_row.id)
        return self.uow.session.execute(query).unique().scalars().first()

    def _check_clash(self, line: _AppointmentLine) -> str:
        """Refuse a double booking; one wholly in the past is history, imported as accepted."""
        if line.status is AppointmentStatus.CANCELLED:
            return ""
        busy = queries.busy_blocks(
            self.uow.session, line.practitioner.id, line.starts_at, line.ends_at
        )
        try:
            rules.ensure_no_double_booking(
                line.practitioner.name, line.starts_at, line.ends_at, busy, self.zone
            )
        except DomainError as exc:
            if line.ends_at > self.now:
                raise
            return f"a past double booking, kept as it was ({exc})"
        return ""

    def _class_place(self, row: SourceRow, line: _AppointmentLine, summary: str) -> RowOutcome:
        session_row = self._existing(line, None)
        remark = ""
        if session_row is None:
            remark = self._check_clash(line)
            session_row = AppointmentRow(
                clinic_id=self.clinic.id,
                practitioner_id=line.practitioner.id,
                appointment_type_id=line.kind_row.id,
                starts_at=line.starts_at,
                ends_at=line.ends_at,
                status=AppointmentStatus.BOOKED.value,
                capacity=line.kind_row.capacity,
                overrides_availability=True,
                overrides_double_booking=bool(remark),
            )
        elif any(a.patient_id == line.patient.id for a in session_row.attendances):
            return RowOutcome(row.number, Outcome.SKIPPED, summary, "already in this class")
        if line.status.takes_time:
            taken = sum(
                1 for a in session_row.attendances if a.status != AppointmentStatus.CANCELLED.value
            )
            rules.ensure_capacity(line.kind_row.name, session_row.capacity, taken)
        place = AttendanceRow(patient_id=line.patient.id, status=line.status.value)
        if line.status is AppointmentStatus.CANCELLED:
            place.cancellation_reason = CancellationReason.OTHER.value
        self._add(row, session_row, place)
        return RowOutcome(row.number, Outcome.CREATED, summary, remark)

    def _add(
        self, source: SourceRow, appointment: AppointmentRow, place: AttendanceRow | None = None
    ) -> None:
        with _writing(source):
            self.uow.session.add(appointment)
            if place is not None:
                appointment.attendances.append(place)
            if appointment.starts_at > self.now:
                reminders.appointment_changed(self.uow, appointment)  # as any booking would
            else:
                self.uow.session.flush()
        self.changes |= Changes(appointments=True, ids=frozenset({appointment.id}))


def _by_name(rows: Iterable[NamedRow]) -> dict[str, NamedRow]:
    """Rows by loose name; an active one wins over a retired namesake."""
    found: dict[str, NamedRow] = {}
    for row in rows:
        key = normalised_name(row.name)
        if key not in found or (row.active and not found[key].active):
            found[key] = row
    return found
