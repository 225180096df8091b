"""The store enforces the booking rules itself, so a writer that skips the services,
or loses a race, still cannot double-book or book an inactive practitioner."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from desktop.domain.errors import DoubleBooking, PractitionerInactive
from desktop.services import booking, calendar
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.store.models import AppointmentRow
from desktop.store.unit_of_work import UnitOfWork
from tests.helpers.clinic import ClinicFixture


def raw_row(c: ClinicFixture, practitioner_id, hour: int, minute: int = 0) -> AppointmentRow:  # type: ignore[no-untyped-def]
    start = c.at(hour, minute)
    return AppointmentRow(
        clinic_id=c.clinic.id,
        practitioner_id=practitioner_id,
        appointment_type_id=c.consult.id,
        patient_id=c.patients[0].id,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )


def insert_directly(database: Database, row: AppointmentRow) -> None:
    with UnitOfWork(database) as uow:
        uow.session.add(row)
        uow.commit()


def test_store_refuses_an_overlap_written_past_the_services(database, clinic) -> None:
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9))
    with pytest.raises(DoubleBooking):
        insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 15))
    insert_directly(database, raw_row(clinic, clinic.alice.id, 9, 30))  # back to back is fine


def test_store_refuses_an_inactive_practitioner_written_past_the_services(database, clinic) -> None:
    with pytest.raises(PractitionerInactive):
        insert_directly(database, raw_row(clinic, clinic.retired.id, 9))


def test_store_refuses_moving_a_row_onto_an_inactive_practitioner(database, clinic) -> None:
    row = raw_row(clinic, clinic.alice.id, 9)
    insert_directly(database, row)
    with UnitOfWork(database) as uow:
        stored = uow.session.get(AppointmentRow, row.id)
        assert stored is not None
        stored.practitioner_id = clinic.retired.id
        with pytest.raises(PractitionerInactive):
            uow.commit()


def test_two_desks_racing_for_one_slot_exactly_one_wins(database, clinic) -> None:
    """Several threads, each its own connection, book the same slot at the same moment."""
    contenders = 6
    start = threading.Barrier(contenders)
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk(index: int) -> None:
        ctx = ServiceContext.for_system(database)
        request = BookingRequest(
            clinic_id=clinic.clinic.id,
            practitioner_id=clinic.alice.id,
            appointment_type_id=clinic.consult.id,
            patient_id=clinic.patients[index % len(clinic.patients)].id,
            starts_at=clinic.at(9, index),  # all overlap 09:00-09:35
        )
        start.wait()
        try:
            booking.book_appointment(ctx, request)
            result = "booked"
        except DoubleBooking:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * (contenders - 1)
    ctx = ServiceContext.for_system(database)
    assert len(calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))) == 1


def test_racing_for_the_last_class_place_never_overfills(database, clinic) -> None:
    ctx = ServiceContext.for_system(database)
    session = booking.book_appointment(
        ctx,
        BookingRequest(
            clinic_id=clinic.clinic.id,
            practitioner_id=clinic.bob.id,
            appointment_type_id=clinic.pilates.id,
            starts_at=clinic.at(7),
        ),
    ).appointment
    booking.add_attendee(ctx, session.id, clinic.patients[0].id)
    booking.add_attendee(ctx, session.id, clinic.patients[1].id)
    start = threading.Barrier(2)
    results: list[str] = []

    def desk(patient_index: int) -> None:
        start.wait()
        try:
            booking.add_attendee(
                ServiceContext.for_system(database), session.id, clinic.patients[patient_index].id
            )
            results.append("booked")
        except Exception as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=desk, args=(i,)) for i in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ClassFull", "booked"]
    assert calendar.appointment(ctx, session.id).booked_places == 3
