"""The Edit dialog changes an appointment's type and patient (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.domain.appointments import AppointmentKind
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.services import billing, booking, calendar, setup
from desktop.services.context import ServiceContext
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture, book_at, make_clinic
from tests.ui.calendar_support import open_window


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    made = make_clinic(local_ctx)
    for name, minutes in (("Initial assessment", 45), ("Review", 60)):
        setup.create_appointment_type(
            local_ctx,
            setup.AppointmentTypeDetails(name, AppointmentKind.INDIVIDUAL, minutes, Money(12000)),
        )
    return made


def _book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, patient: int = 0):
    who = {"practitioner_id": clinic.bob.id, "patient_id": clinic.patients[patient].id}
    return book_at(ctx, clinic, hour, **who).appointment


def _open(qtbot, window, ctx, appointment_id) -> EditAppointmentDialog:
    window.calendar.appointment_actions.open(calendar.appointment(ctx, appointment_id))
    settle(qtbot)
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    return dialog


def _choose_type(dialog: EditAppointmentDialog, name: str) -> None:
    texts = [dialog.type_box.itemText(i) for i in range(dialog.type_box.count())]
    assert texts == ["Consult — 30 min", "Initial assessment — 45 min", "Review — 60 min"]
    dialog.type_box.setCurrentIndex(next(i for i, t in enumerate(texts) if t.startswith(name)))


def _save(qtbot, dialog: EditAppointmentDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    settle(qtbot)  # the save runs in the background


def test_a_new_type_brings_its_length_and_nothing_else_moves(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = _book(local_ctx, clinic, 9, patient=1)
    window = open_window(qtbot, local_ctx, settings)
    dialog = _open(qtbot, window, local_ctx, appointment.id)
    _choose_type(dialog, "Review")  # the last in the list
    assert dialog.duration.value() == 60
    _save(qtbot, dialog)
    saved = calendar.appointment(local_ctx, appointment.id)
    assert saved.type_name == "Review"
    assert (saved.practitioner_id, saved.patient_id) == (clinic.bob.id, clinic.patients[1].id)
    assert (saved.starts_at, saved.ends_at) == (clinic.at(9), clinic.at(10))
    assert errors == []


def test_a_length_set_by_hand_stays_when_the_type_changes(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = _book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    dialog = _open(qtbot, window, local_ctx, appointment.id)
    dialog.duration.setValue(40)
    _choose_type(dialog, "Initial assessment")
    assert dialog.duration.value() == 40
    _save(qtbot, dialog)
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.type_name, saved.ends_at) == ("Initial assessment", clinic.at(9, 40))
    assert errors == []


def test_a_longer_type_that_runs_into_the_next_booking_is_refused_and_kept(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = _book(local_ctx, clinic, 9)
    _book(local_ctx, clinic, 10, patient=2)
    window = open_window(qtbot, local_ctx, settings)
    dialog = _open(qtbot, window, local_ctx, appointment.id)
    _choose_type(dialog, "Review")
    dialog.duration.setValue(90)
    _save(qtbot, dialog)
    assert errors and "Bob Pilates" in errors[0]
    assert dialog.isVisible() and dialog.duration.value() == 90
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.type_name, saved.ends_at) == ("Consult", clinic.at(9, 30))


def test_another_patient_chosen_in_the_picker(qtbot, local_ctx, clinic, settings, errors) -> None:
    appointment = _book(local_ctx, clinic, 9, patient=3)
    window = open_window(qtbot, local_ctx, settings)
    dialog = _open(qtbot, window, local_ctx, appointment.id)
    assert dialog.picker.line_edit.text() == appointment.title
    dialog.picker.line_edit.clear()
    qtbot.keyClicks(dialog.picker.line_edit, "Sam")
    settle(qtbot)
    assert dialog.picker.model.rowCount() == 2  # the two Sam Lees: take the second
    second = dialog.picker.model.patient(1)
    dialog.picker.choose_row(1)
    if shots := os.environ.get("FRONTDESK_SHOTS"):  # for a person to look at
        window.grab().save(str(Path(shots) / "edit-window.png"))
        dialog.grab().save(str(Path(shots) / "edit-dialog.png"))
    _save(qtbot, dialog)
    saved = calendar.appointment(local_ctx, appointment.id)
    assert saved.patient_id == second.id
    assert (saved.type_name, saved.starts_at, saved.ends_at) == (
        "Consult",
        clinic.at(9),
        clinic.at(9, 30),
    )
    assert errors == []


def test_the_service_keeps_classes_and_invoices_apart(local_ctx, clinic) -> None:
    appointment = _book(local_ctx, clinic, 9)
    with pytest.raises(InvalidInput, match="is a class"):
        booking.change_service(local_ctx, appointment.id, type_id=clinic.pilates.id)
    billing.invoice_appointment(local_ctx, appointment.id)
    with pytest.raises(InvalidInput, match="invoiced"):
        booking.change_service(local_ctx, appointment.id, patient_id=clinic.patients[2].id)
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.type_name, saved.patient_id) == ("Consult", clinic.patients[0].id)
