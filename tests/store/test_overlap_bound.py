"""The overlap guards look back only as far as the longest appointment (revision
0009), so they must still refuse every overlap they refused before: ones that start
long before, long classes, and the exact boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.errors import DoubleBooking, InvalidInput
from desktop.domain.rules import LONGEST_APPOINTMENT
from desktop.store.migrations.calendar_rules_sql import LONGEST_HOURS
from desktop.store.models import AppointmentRow
from desktop.store.unit_of_work import UnitOfWork
from tests.helpers.clinic import ClinicFixture
from tests.store.test_guards import insert_directly


def row(
    c: ClinicFixture, starts_at, length: timedelta, *, practitioner=None, kind=None
) -> AppointmentRow:  # type: ignore[no-untyped-def]
    return AppointmentRow(
        clinic_id=c.clinic.id,
        practitioner_id=(practitioner or c.alice).id,
        appointment_type_id=(kind or c.consult).id,
        patient_id=c.patients[0].id,
        starts_at=starts_at,
        ends_at=starts_at + length,
    )


def test_the_store_bound_is_the_domain_limit() -> None:
    assert timedelta(hours=LONGEST_HOURS) == LONGEST_APPOINTMENT


def test_an_overlap_with_a_long_class_that_started_hours_before_is_refused(
    database, clinic
) -> None:
    morning = clinic.at(6)
    insert_directly(database, row(clinic, morning, LONGEST_APPOINTMENT, kind=clinic.pilates))
    with pytest.raises(DoubleBooking):
        # 17:30, eleven and a half hours after the class began, still inside it.
        insert_directly(
            database, row(clinic, morning + timedelta(hours=11, minutes=30), timedelta(minutes=30))
        )


def test_back_to_back_with_a_twelve_hour_booking_is_allowed(database, clinic) -> None:
    morning = clinic.at(6)
    insert_directly(database, row(clinic, morning, LONGEST_APPOINTMENT))
    insert_directly(database, row(clinic, morning + LONGEST_APPOINTMENT, timedelta(minutes=30)))
    insert_directly(database, row(clinic, morning - timedelta(minutes=30), timedelta(minutes=30)))
    with pytest.raises(DoubleBooking):
        insert_directly(
            database,
            row(
                clinic, morning + LONGEST_APPOINTMENT - timedelta(minutes=1), timedelta(minutes=30)
            ),
        )


def test_a_move_onto_the_tail_of_a_long_booking_is_refused(database, clinic) -> None:
    morning = clinic.at(6)
    insert_directly(database, row(clinic, morning, timedelta(hours=11), practitioner=clinic.bob))
    short = row(clinic, morning + timedelta(hours=12), timedelta(minutes=30))
    insert_directly(database, short)  # Alice, no clash
    with UnitOfWork(database) as uow:
        stored = uow.session.get(AppointmentRow, short.id)
        assert stored is not None
        stored.practitioner_id = clinic.bob.id
        stored.starts_at = morning + timedelta(hours=10, minutes=45)
        stored.ends_at = stored.starts_at + timedelta(minutes=30)
        with pytest.raises(DoubleBooking):
            uow.commit()


def test_history_days_before_does_not_block_a_booking(database, clinic) -> None:
    morning = clinic.at(9)
    for days in (1, 2, 30):
        insert_directly(database, row(clinic, morning - timedelta(days=days), LONGEST_APPOINTMENT))
    insert_directly(database, row(clinic, morning, timedelta(minutes=30)))


def test_the_store_refuses_an_appointment_longer_than_the_limit(database, clinic) -> None:
    with pytest.raises(InvalidInput, match="12 hours"):
        insert_directly(
            database, row(clinic, clinic.at(6), LONGEST_APPOINTMENT + timedelta(minutes=1))
        )


def test_the_store_refuses_stretching_an_appointment_past_the_limit(database, clinic) -> None:
    booked = row(clinic, clinic.at(6), timedelta(hours=1))
    insert_directly(database, booked)
    with UnitOfWork(database) as uow:
        stored = uow.session.get(AppointmentRow, booked.id)
        assert stored is not None
        stored.ends_at = stored.starts_at + timedelta(hours=13)
        with pytest.raises(InvalidInput, match="12 hours"):
            uow.commit()
