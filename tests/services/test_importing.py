"""Importing another system's CSV exports through the real service and database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.domain.csv_import import ImportKind
from desktop.domain.errors import InvalidInput, PermissionDenied
from desktop.domain.roles import Actor, Role
from desktop.services import calendar, patients
from desktop.services.context import ServiceContext
from desktop.services.importing import Outcome, read_source, run_import
from desktop.store.models import AppointmentRow, AttendanceRow, PatientRow
from tests.helpers.clinic import ClinicFixture
from tests.helpers.import_files import PATIENTS_CSV, write_csv


def count(ctx: ServiceContext, model: type) -> int:
    with ctx.database.reading() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def import_file(ctx: ServiceContext, path: Path, kind: ImportKind, **options: bool):  # type: ignore[no-untyped-def]
    return run_import(
        ctx, read_source(path, kind), dry_run=options.pop("dry_run", False), **options
    )


def test_patients_import_awkward_content_and_skip_who_is_there(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "patients.csv", PATIENTS_CSV)
    dry = import_file(ctx, path, ImportKind.PATIENTS, dry_run=True)
    assert [(r.row, r.outcome) for r in dry.rows] == [
        (2, Outcome.CREATED),
        (4, Outcome.CREATED),
        (5, Outcome.SKIPPED),
    ]
    assert "already there as #1 (same name and date of birth)" in dry.rows[2].reason
    assert dry.headline() == "Would create 2 patients, skip 1 already there."
    assert count(ctx, PatientRow) == 4  # the dry run changed nothing

    report = import_file(ctx, path, ImportKind.PATIENTS)
    assert report.imported and report.changes.patients
    assert report.headline() == "Created 2 patients, skipped 1 already there."
    zoe = patients.search_patients(ctx, "zoë")[0]
    assert (zoe.last_name, zoe.date_of_birth) == ("Nguyễn", date(1980, 12, 31))
    assert zoe.address == "12 Smith St, Unit 3, Bondi 2026"
    assert zoe.notes == 'Said "hello", then left'
    assert (zoe.health_fund, zoe.health_fund_number, zoe.number) == ("Bupa", "1234567", 5)
    assert patients.search_patients(ctx, "o'connor")[0].date_of_birth == date(1975, 6, 2)

    again = import_file(ctx, path, ImportKind.PATIENTS)
    assert again.count(Outcome.CREATED) == 0 and not again.imported
    assert count(ctx, PatientRow) == 6


def test_a_bad_row_stops_the_file_unless_bad_rows_are_skipped(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    text = PATIENTS_CSV + "Ava,Brown,31/02/1990,,,,,,,,,P-4\r\nEva,Green,,,not-an-email,,,,,,,\r\n"
    path = write_csv(tmp_path, "patients.csv", text, bom=False)
    blocked = import_file(ctx, path, ImportKind.PATIENTS)
    assert not blocked.imported
    assert [(r.row, r.reason) for r in blocked.refused] == [
        (6, "Date of birth: “31/02/1990” is not a date that exists."),
        (7, "“not-an-email” is not an email address."),
    ]
    assert "rows 6, 7 are refused" in blocked.blocked_message("skip them")
    assert count(ctx, PatientRow) == 4

    report = import_file(ctx, path, ImportKind.PATIENTS, skip_bad_rows=True)
    assert report.imported
    assert report.headline() == "Created 2 patients, skipped 1 already there, left out 2 bad rows."
    assert count(ctx, PatientRow) == 6


def test_a_file_missing_a_needed_column_is_refused(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "p.csv", "First name,DOB\r\nSam,15/01/1980\r\n")
    with pytest.raises(InvalidInput, match="No column is mapped to “Last name”"):
        import_file(ctx, path, ImportKind.PATIENTS)
    with pytest.raises(InvalidInput, match="There is no file"):
        read_source(tmp_path / "missing.csv", ImportKind.PATIENTS)


def test_practitioners_cannot_import(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "patients.csv", PATIENTS_CSV)
    sarah = ServiceContext(
        ctx.database,
        type(
            "Source",
            (),
            {
                "current_actor": lambda self: Actor(
                    None, "Alice", Role.PRACTITIONER, clinic.alice.id
                )
            },
        )(),
    )
    with pytest.raises(PermissionDenied):
        import_file(sarah, path, ImportKind.PATIENTS, dry_run=True)


APPOINTMENTS = (
    "Patient,Patient DOB,Patient ID,Practitioner,Appointment Type,Start,End,Status\r\n"
    # by name + date of birth: the second Sam Lee
    '"Lee, Sam",15/01/1981,,Alice Physio,Consult,03/03/2031 09:00,03/03/2031 09:30,Booked\r\n'
    # by the old system's id (given in the patients file)
    ",,P-1,alice physio,consult,2031-03-03 10:00,,Arrived\r\n"
    # a class of 3, two places, one cancelled
    "Jo Citizen,15/01/1982,,Bob Pilates,Reformer,2031-03-03T08:00:00+11:00,,Booked\r\n"
    "Ana Lima,,,Bob Pilates,Reformer,03/03/2031 08:00,,Cancelled\r\n"
    # refused: clashes with Sam Lee's 09:00 (future), inactive practitioner, unknown patient
    "Jo Citizen,15/01/1982,,Alice Physio,Consult,03/03/2031 09:15,,Booked\r\n"
    "Jo Citizen,15/01/1982,,Rita Retired,Consult,03/03/2031 11:00,,Booked\r\n"
    "Nobody Here,,,Alice Physio,Consult,03/03/2031 12:00,,Booked\r\n"
    # history: two overlapping past appointments are both kept
    "Ana Lima,,,Alice Physio,Consult,01/03/2021 09:00,,Completed\r\n"
    "Jo Citizen,,,Alice Physio,Consult,01/03/2021 09:10,,No show\r\n"
)


def test_appointments_follow_the_booking_rules(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    import_file(ctx, write_csv(tmp_path, "patients.csv", PATIENTS_CSV), ImportKind.PATIENTS)
    path = write_csv(tmp_path, "appointments.csv", APPOINTMENTS)
    blocked = import_file(ctx, path, ImportKind.APPOINTMENTS)
    assert not blocked.imported and count(ctx, AppointmentRow) == 0
    reasons = {r.row: r.reason for r in blocked.refused}
    assert sorted(reasons) == [6, 7, 8]
    assert reasons[6].startswith("Alice Physio is already booked from 09:00 to 09:30")
    assert reasons[7] == "Rita Retired is inactive and cannot be booked."
    assert reasons[8] == "No patient Nobody Here (import the patients first)."

    report = import_file(ctx, path, ImportKind.APPOINTMENTS, skip_bad_rows=True)
    assert report.imported and report.count(Outcome.CREATED) == 6
    assert "past double booking" in report.rows[-1].reason
    day = calendar.appointments_between(ctx, clinic.at(0), clinic.at(23, 59))
    sam = next(a for a in day if a.type_name == "Consult" and a.starts_at == clinic.at(9))
    assert sam.patient_id == clinic.patients[1].id and sam.ends_at == clinic.at(9, 30)
    zoe = next(a for a in day if a.starts_at == clinic.at(10))
    assert zoe.patient_name.startswith("Zoë") and zoe.ends_at == clinic.at(10, 30)
    assert zoe.status.value == "arrived"
    reformer = next(a for a in day if a.type_name == "Reformer")
    assert reformer.starts_at == clinic.at(8) and reformer.booked_places == 1
    assert {a.status.value for a in reformer.attendees} == {"booked", "cancelled"}

    again = import_file(ctx, path, ImportKind.APPOINTMENTS, skip_bad_rows=True)
    assert again.count(Outcome.CREATED) == 0 and again.count(Outcome.SKIPPED) == 6
    assert count(ctx, AppointmentRow) == 5 and count(ctx, AttendanceRow) == 2


def test_a_class_keeps_its_capacity(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    rows = "".join(
        f"{p.first_name} {p.last_name},{p.date_of_birth:%d/%m/%Y},Bob Pilates,Reformer,03/03/2031 08:00\r\n"
        for p in clinic.patients
    )
    path = write_csv(tmp_path, "a.csv", "Patient,DOB,Practitioner,Type,Start\r\n" + rows)
    report = import_file(ctx, path, ImportKind.APPOINTMENTS, dry_run=True)
    assert [r.outcome for r in report.rows] == [Outcome.CREATED] * 3 + [Outcome.REFUSED]
    assert report.rows[3].reason == "Reformer is full (3 of 3 places taken)."


def test_a_windows_1252_export_is_read_with_a_note(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("First name,Surname,DOB\r\nZoë,Müller,31/12/1980\r\n".encode("cp1252"))
    report = import_file(ctx, path, ImportKind.PATIENTS)
    assert "read as Windows-1252" in report.note
    assert patients.search_patients(ctx, "müller")[0].first_name == "Zoë"


def test_cancelled_rows_keep_the_old_systems_reason(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    text = (
        "Patient,DOB,Practitioner,Appointment Type,Appointment Start,Cancelled At,"
        "Cancellation Reason\r\n"
        "Jo Citizen,15/01/1982,Alice Physio,Consult,03/03/2031 09:00,01/03/2031,Flu\r\n"
        "Ana Lima,15/01/1983,Alice Physio,Consult,03/03/2031 09:00,,\r\n"
    )
    report = import_file(ctx, write_csv(tmp_path, "a.csv", text), ImportKind.APPOINTMENTS)
    assert report.count(Outcome.CREATED) == 2  # a cancelled one does not take the slot
    day = calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))
    jo = next(a for a in day if a.patient_id == clinic.patients[2].id)
    assert (jo.status.value, jo.cancellation_note) == ("cancelled", "Flu")


def test_a_patient_twice_in_the_file_is_created_once_and_no_phone_is_lost(
    ctx: ServiceContext, clinic: ClinicFixture, tmp_path: Path
) -> None:
    text = (
        "Given name,Family name,Email,Mobile,Home phone,Address 1,Address 2,City,State,Zip\r\n"
        "Mia,Wong,MIA@example.com,0400 111 333,02 9999 0000,1 Beach Rd,Flat 2,Manly,NSW,2095\r\n"
        "Mia,Wong,mia@example.com,,,,,,,\r\n"
    )
    report = import_file(ctx, write_csv(tmp_path, "p.csv", text), ImportKind.PATIENTS)
    assert [r.outcome for r in report.rows] == [Outcome.CREATED, Outcome.SKIPPED]
    assert report.rows[1].reason == "already there as #5 (same email)"
    mia = patients.search_patients(ctx, "wong")[0]
    assert (mia.phone, mia.notes) == ("0400 111 333", "Other phone: 02 9999 0000")
    assert mia.address == "1 Beach Rd, Flat 2, Manly NSW 2095"
