"""booking.change_service: an appointment's type and patient, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.appointments import AppointmentKind
from desktop.domain.errors import DoubleBooking, PermissionDenied, StaleEdit
from desktop.domain.money import Money
from desktop.domain.roles import Actor, Role
from desktop.services import booking, calendar, setup
from desktop.services.context import ServiceContext
from tests.helpers.clinic import ClinicFixture, book_at


def _book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, patient: int = 0):
    who = {"practitioner_id": clinic.alice.id, "patient_id": clinic.patients[patient].id}
    return book_at(ctx, clinic, hour, **who).appointment


def test_type_patient_and_length_change_in_one_go(ctx: ServiceContext, clinic: ClinicFixture):
    long, _ = setup.create_appointment_type(
        ctx, setup.AppointmentTypeDetails("Long", AppointmentKind.INDIVIDUAL, 60, Money(15000))
    )
    appointment = _book(ctx, clinic, 9)
    changed = booking.change_service(
        ctx,
        appointment.id,
        type_id=long.id,
        patient_id=clinic.patients[2].id,
        ends_at=clinic.at(10),
        expected_version=appointment.version,
    )
    saved = calendar.appointment(ctx, appointment.id)
    assert saved == changed.appointment
    assert (saved.type_id, saved.patient_id) == (long.id, clinic.patients[2].id)
    assert (saved.starts_at, saved.ends_at) == (clinic.at(9), clinic.at(10))
    with pytest.raises(StaleEdit):  # a screen that read it before the change
        booking.change_service(
            ctx, appointment.id, type_id=clinic.consult.id, expected_version=appointment.version
        )


def test_a_longer_appointment_cannot_run_into_the_next(ctx: ServiceContext, clinic: ClinicFixture):
    appointment = _book(ctx, clinic, 9)
    _book(ctx, clinic, 10, patient=1)
    with pytest.raises(DoubleBooking):
        booking.change_service(ctx, appointment.id, ends_at=clinic.at(9) + timedelta(minutes=75))
    assert calendar.appointment(ctx, appointment.id).ends_at == clinic.at(9, 30)


def test_a_practitioner_changes_only_their_own(
    ctx: ServiceContext, clinic: ClinicFixture, monkeypatch
) -> None:
    appointment = _book(ctx, clinic, 9)
    bob = Actor(None, "Bob", Role.PRACTITIONER, clinic.bob.id)
    monkeypatch.setattr(ctx.actors, "current_actor", lambda: bob)
    with pytest.raises(PermissionDenied, match="Alice Physio"):
        booking.change_service(ctx, appointment.id, patient_id=clinic.patients[1].id)
