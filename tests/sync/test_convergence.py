"""Two clinic PCs working offline, then syncing through a real server on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.domain.appointments import Appointment, AppointmentStatus, CancellationReason
from desktop.services import booking, calendar, patients, practitioners
from desktop.services.booking import BookingRequest
from desktop.services.patients import PatientDetails
from desktop.sync import conflicts
from desktop.sync.pull import pull_changes
from desktop.sync.state import pending_count
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide, table_contents

pytestmark = pytest.mark.postgres


def book(desk: Desk, c: ClinicFixture, hour: int, **kw: object) -> booking.Booked:
    request = BookingRequest(
        clinic_id=c.clinic.id,
        practitioner_id=kw.pop("practitioner_id", c.alice.id),  # type: ignore[arg-type]
        appointment_type_id=kw.pop("type_id", c.consult.id),  # type: ignore[arg-type]
        patient_id=kw.pop("patient_id", c.patients[0].id),  # type: ignore[arg-type]
        starts_at=c.at(hour),
    )
    return booking.book_appointment(desk.ctx, request)


def day(desk: Desk, c: ClinicFixture) -> list[Appointment]:
    return calendar.appointments_between(desk.ctx, c.at(0), c.at(23))


def converged(server: ServerSide, *desks: Desk) -> None:
    expected = table_contents(server.database)
    for desk in desks:
        assert pending_count(desk.database) == 0
        assert table_contents(desk.database) == expected, desk.name


def test_the_first_sync_brings_the_whole_clinic(desks, server, clinic_on_server) -> None:
    front, _ = desks
    names = [p.name for p in calendar.practitioners(front.ctx, include_inactive=True)]
    assert names == ["Alice Physio", "Bob Pilates", "Rita Retired"]
    converged(server, front)


def test_concurrent_offline_edits_converge(desks, server, clinic_on_server) -> None:
    front, back = desks
    c = clinic_on_server
    a = book(front, c, 9)
    b = book(back, c, 10, practitioner_id=c.bob.id, patient_id=c.patients[1].id)
    jo = c.patients[2]
    patients.update_patient(
        back.ctx, jo.id, PatientDetails("Jo", "Citizen", jo.date_of_birth, phone="0400 000 000"), 1
    )
    patients.create_patient(front.ctx, PatientDetails("New", "Person", date(1990, 1, 1)))
    booking.cancel_appointment(front.ctx, a.appointment.id, CancellationReason.SICK)

    for desk in (front, back, front):
        desk.sync()

    converged(server, front, back)
    shown = {x.id: x for x in day(back, c)}
    assert set(shown) == {a.appointment.id, b.appointment.id}
    assert shown[a.appointment.id].cancellation_reason is CancellationReason.SICK
    assert patients.get_patient(front.ctx, jo.id).phone == "+61400000000"  # stored in E.164
    assert conflicts.open_conflicts(front.database) == []
    assert conflicts.open_conflicts(back.database) == []


def test_a_double_booking_made_offline_is_reported_on_exactly_one_side(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    first = book(front, c, 9)
    book(back, c, 9, patient_id=c.patients[2].id)  # the same slot, offline on the other PC

    front.sync()
    back.sync()
    front.sync()

    assert conflicts.open_conflicts(front.database) == []
    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.code == "double_booking"
    assert "Alice Physio is already booked" in conflict.reason
    assert conflict.summary.startswith("New appointment: Consult, Jo Citizen, Alice Physio")
    # Rolled back locally: the back desk now shows the server's booking only.
    assert [x.id for x in day(back, c)] == [first.appointment.id]
    converged(server, front, back)


def test_a_no_show_set_back_offline_over_a_booking_made_meanwhile_is_refused(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    missed = book(front, c, 9).appointment
    booking.set_status(front.ctx, missed.id, AppointmentStatus.NO_SHOW)
    front.sync()
    back.sync()
    book(front, c, 9, patient_id=c.patients[2].id)  # its time, given to someone else
    booking.set_status(back.ctx, missed.id, AppointmentStatus.ARRIVED)  # offline: no clash seen

    front.sync()
    back.sync()

    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.code == "double_booking"
    assert "Consult with Jo Citizen" in conflict.reason  # names the booking in the way
    assert calendar.appointment(back.ctx, missed.id).status is AppointmentStatus.NO_SHOW
    front.sync()
    converged(server, front, back)


def test_booking_a_practitioner_deactivated_meanwhile_is_refused(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    practitioners.deactivate_practitioner(front.ctx, c.bob.id)
    front.sync()
    book(back, c, 11, practitioner_id=c.bob.id)  # back still shows Bob as active

    back.sync()

    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.code == "practitioner_inactive"
    assert "Bob Pilates is inactive and cannot be booked" in conflict.reason
    assert day(back, c) == []
    converged(server, front, back)


def test_a_stale_edit_is_refused_and_the_server_copy_restored(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    sam = clinic_on_server.patients[0]
    for desk in (front, back):
        details = PatientDetails("Sam", "Lee", sam.date_of_birth, email=f"sam@{desk.name}.example")
        patients.update_patient(desk.ctx, sam.id, details, 1)

    front.sync()
    back.sync()

    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.code == "stale_edit"
    assert "changed by someone else" in conflict.reason
    assert patients.get_patient(back.ctx, sam.id).email == "sam@front.example"
    converged(server, front, back)


def test_a_class_and_its_first_attendee_are_refused_together(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    book(front, c, 14)
    book(back, c, 14, type_id=c.pilates.id, patient_id=c.patients[3].id)  # a class, same slot

    front.sync()
    back.sync()

    refused = conflicts.open_conflicts(back.database)
    assert {x.entity for x in refused} == {"appointments", "attendances"}
    assert all("Alice Physio is already booked" in x.reason for x in refused)
    converged(server, front, back)


def test_deletions_replicate(desks, server, clinic_on_server) -> None:
    front, back = desks
    c = clinic_on_server
    doomed = book(front, c, 15, type_id=c.pilates.id, patient_id=c.patients[0].id)
    front.sync()
    back.sync()
    assert [x.id for x in day(back, c)] == [doomed.appointment.id]

    booking.delete_appointment(front.ctx, doomed.appointment.id)
    front.sync()
    back.sync()

    assert day(back, c) == []
    converged(server, front, back)


def test_downloaded_rows_never_overwrite_changes_waiting_to_upload(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    jo = clinic_on_server.patients[2]
    for desk in (front, back):
        details = PatientDetails("Jo", "Citizen", jo.date_of_birth, notes=desk.name)
        patients.update_patient(desk.ctx, jo.id, details, 1)
        if desk is front:
            front.sync()

    pull_changes(back.database, back.api)  # a pull on its own: the waiting edit stays

    assert patients.get_patient(back.ctx, jo.id).notes == "back"
    back.sync()  # now the server judges it: stale, rolled back to the server's copy
    assert patients.get_patient(back.ctx, jo.id).notes == "front"
    assert [x.code for x in conflicts.open_conflicts(back.database)] == ["stale_edit"]


def test_patients_added_offline_on_two_desks_get_distinct_numbers(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    one, _ = patients.create_patient(front.ctx, PatientDetails("Ada", "One"))
    two, _ = patients.create_patient(back.ctx, PatientDetails("Bea", "Two"))
    assert one.number == two.number  # both desks picked the next number offline

    front.sync()
    back.sync()
    front.sync()

    numbers = {patients.get_patient(front.ctx, p.id).number for p in (one, two)}
    assert len(numbers) == 2
    converged(server, front, back)


def test_deactivating_with_bookings_kept_read_only_syncs_as_one_change(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    c = clinic_on_server
    booked = book(front, c, 9, practitioner_id=c.bob.id)
    front.sync()
    practitioners.deactivate_practitioner(
        front.ctx, c.bob.id, practitioners.FutureBookings.KEEP_READ_ONLY
    )
    front.sync()
    back.sync()

    assert conflicts.open_conflicts(front.database) == []
    [kept] = day(back, c)
    assert kept.id == booked.appointment.id and kept.read_only
    converged(server, front, back)


def test_a_refused_record_takes_the_later_changes_built_on_it_along(
    tmp_path, server, clinic_on_server
) -> None:
    from desktop.domain.appointments import AppointmentKind
    from desktop.domain.money import Money
    from desktop.services import setup
    from desktop.sync.engine import SyncSettings
    from tests.sync.harness import make_desk

    c = clinic_on_server
    # Signed in to the server as a receptionist, one group per push.
    desk = make_desk(tmp_path, "desk", server, username="reception", settings=SyncSettings(1))
    desk.sync()
    kind, _ = setup.create_appointment_type(
        desk.ctx,
        setup.AppointmentTypeDetails("Dry needling", AppointmentKind.INDIVIDUAL, 30, Money(8000)),
    )
    book(desk, c, 16, type_id=kind.id)

    desk.sync()

    refused = {x.entity: x for x in conflicts.open_conflicts(desk.database)}
    assert refused["appointment_types"].code == "permission_denied"
    assert refused["appointments"].code == "depends_on_refused"
    assert "POST /v1/sync/rows" in desk.transport.requests  # the booking was not yet sent
    assert day(desk, c) == []
    assert table_contents(desk.database) == table_contents(server.database)
    desk.close()
