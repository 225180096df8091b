"""Issue 14's window defects: each test here failed before its fix."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from desktop.services import booking, calendar
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.export_actions import ExportRangeDialog, RangeQuestion
from desktop.ui.widgets.combo import select_data
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import open_window


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, **extra):
    request = BookingRequest(
        clinic.clinic.id,
        extra.pop("practitioner_id", clinic.alice.id),
        clinic.consult.id,
        clinic.at(hour),
        patient_id=extra.pop("patient_id", clinic.patients[0].id),
        **extra,
    )
    return booking.book_appointment(ctx, request).appointment


def edit_notes_of(qtbot, window, appointment, notes: str) -> EditAppointmentDialog:
    window.calendar.open_appointment(appointment)
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    dialog.notes.setPlainText(notes)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    return dialog


# --- 1. a notes-only edit never moves the appointment --------------------------------


def test_select_data_matches_an_equal_uuid_and_never_falls_back_to_the_first(qtbot, clinic) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    for practitioner in (clinic.alice, clinic.bob):
        combo.addItem(practitioner.name, practitioner.id)
    equal_copy = type(clinic.bob.id)(str(clinic.bob.id))  # equal, not the same object
    assert select_data(combo, equal_copy)
    assert combo.currentText() == "Bob Pilates"
    assert not select_data(combo, clinic.retired.id)
    assert combo.currentIndex() == -1


def test_a_notes_only_edit_keeps_the_practitioner_and_time(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9, practitioner_id=clinic.bob.id)
    window = open_window(qtbot, local_ctx, settings)
    # Read again, as the calendar does: the id is an equal but distinct UUID object.
    fresh = calendar.appointment(local_ctx, appointment.id)
    dialog = edit_notes_of(qtbot, window, fresh, "Bring the scan")
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.practitioner_id, saved.starts_at, saved.ends_at) == (
        clinic.bob.id,
        clinic.at(9),
        clinic.at(9, 30),
    )
    assert saved.notes == "Bring the scan"
    assert not window.undo_stack.undoText().startswith("Move")
    assert errors == []


def test_a_notes_only_edit_is_saved_when_the_first_practitioner_is_busy(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id)
    appointment = book(
        local_ctx, clinic, 9, practitioner_id=clinic.bob.id, patient_id=clinic.patients[2].id
    )
    window = open_window(qtbot, local_ctx, settings)
    fresh = calendar.appointment(local_ctx, appointment.id)
    dialog = edit_notes_of(qtbot, window, fresh, "Running late")
    assert errors == []
    assert not dialog.isVisible()
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.practitioner_id, saved.notes) == (clinic.bob.id, "Running late")


def test_the_ics_export_offers_the_selected_practitioner_not_the_first(qtbot, clinic) -> None:
    equal_copy = type(clinic.bob.id)(str(clinic.bob.id))
    question = RangeQuestion("Export", DAY, DAY, [clinic.alice, clinic.bob], equal_copy)
    dialog = ExportRangeDialog(question)
    qtbot.addWidget(dialog)
    assert dialog.answer().practitioner_id == clinic.bob.id


def test_the_ics_export_waits_for_a_choice_when_the_practitioner_is_not_listed(
    qtbot, clinic
) -> None:
    question = RangeQuestion("Export", DAY, DAY, [clinic.alice, clinic.bob], clinic.retired.id)
    dialog = ExportRangeDialog(question)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.practitioner.setCurrentIndex(1)
    assert ok.isEnabled()
    assert dialog.answer().practitioner_id == clinic.bob.id
