"""Saves run off the GUI thread: the dialog waits busy, keeps what was typed on a
refusal, closes on success; undo steps run in turn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.services import booking, calendar
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.dialogs.booking import BookingDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import double_click, open_window, slot_point, wall


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def _book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, patient: int = 0):
    request = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,  # not the first practitioner in any list
        clinic.consult.id,
        clinic.at(hour),
        patient_id=clinic.patients[patient].id,
    )
    return booking.book_appointment(ctx, request).appointment


def test_a_refused_booking_waits_busy_then_keeps_what_was_typed(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    _book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(9)))
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    dialog.picker.choose(clinic.patients[2])
    dialog.select_type("Consult")
    dialog.notes.setPlainText("Left knee")
    dialog.book_button.click()
    # The answer is delivered on the GUI thread: until events run, the save is under way.
    assert not dialog.book_button.isEnabled() and not dialog.notes.isEnabled()
    assert dialog.busy.label.text() == "Booking…" and not dialog.busy.label.isHidden()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # closing waits for the answer
    QApplication.sendEvent(dialog, QCloseEvent())
    assert dialog.isVisible()
    settle(qtbot)
    assert len(errors) == 1 and "already booked" in errors[0]
    assert dialog.isVisible() and dialog.busy.label.isHidden()
    assert dialog.book_button.isEnabled() and dialog.notes.isEnabled()
    assert dialog.notes.toPlainText() == "Left knee"
    assert dialog.picker.patient == clinic.patients[2]
    assert dialog.practitioner_box.currentData() == clinic.bob.id
    dialog.override_double.setChecked(True)
    dialog.book_button.click()
    settle(qtbot)
    assert not dialog.isVisible()
    assert len(calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23))) == 2


def test_an_edit_saves_in_the_background_and_closes(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = _book(local_ctx, clinic, 9, patient=1)
    window = open_window(qtbot, local_ctx, settings)
    window.calendar.appointment_actions.open(appointment)
    settle(qtbot)  # the types are read, then the dialog opens
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    dialog.notes.setPlainText("Bring scans")
    dialog.time_edit.setTime(dialog.time_edit.time().addSecs(3600))
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert not save.isEnabled() and not dialog.busy.label.isHidden()
    settle(qtbot)
    assert errors == [] and not dialog.isVisible()
    saved = calendar.appointment(local_ctx, appointment.id)
    assert saved.notes == "Bring scans"
    assert (saved.practitioner_id, saved.starts_at) == (clinic.bob.id, clinic.at(10))
    assert window.undo_stack.undoText() == "Move Sam Lee"


def test_quick_undos_of_one_appointment_run_in_turn(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = _book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    panel.select(appointment.id)
    panel.view.setFocus()
    for _ in range(2):
        QTest.keyClick(panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
        settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).starts_at == clinic.at(9, 30)
    window.undo_stack.undo()
    window.undo_stack.undo()  # before the first has come back: it waits its turn
    settle(qtbot)
    assert errors == []
    assert calendar.appointment(local_ctx, appointment.id).starts_at == clinic.at(9)
    window.undo_stack.redo()
    window.undo_stack.redo()
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).starts_at == clinic.at(9, 30)
    assert errors == []
