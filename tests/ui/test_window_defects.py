"""Issue 14's window defects: each test here failed before its fix."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from desktop.services import booking, calendar, practitioners
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.ui.calendar.requests import Slot
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.export_actions import ExportRangeDialog, RangeQuestion
from desktop.ui.widgets.combo import select_data
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import (
    block_point,
    double_click,
    drag,
    open_window,
    save_shot,
    scene_of,
    slot_point,
    wall,
)


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


# --- 3. bookings kept read-only after a deactivation stay visible -----------------------


def test_kept_bookings_of_an_inactive_practitioner_have_a_marked_unbookable_column(
    qtbot, local_ctx, clinic, settings, errors, tmp_path
) -> None:
    kept = book(local_ctx, clinic, 9, practitioner_id=clinic.bob.id)
    alices = book(local_ctx, clinic, 10, patient_id=clinic.patients[2].id)
    practitioners.deactivate_practitioner(
        local_ctx, clinic.bob.id, practitioners.FutureBookings.KEEP_READ_ONLY
    )
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    scene = scene_of(window)
    assert [(c.practitioner.name, c.practitioner.active) for c in scene.grid.columns] == [
        ("Alice Physio", True),
        ("Bob Pilates", False),
    ]
    assert kept.id in scene.items_by_id
    bob_column = scene.grid.column_for(DAY, clinic.bob.id)
    assert bob_column is not None
    header = panel.view.header
    assert "inactive" in header.tooltip_at(scene.grid.x_of(bob_column.index) + 5)
    save_shot(window, tmp_path, "inactive-column.png")

    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(11)))
    assert panel.dialog is None  # nothing to book there
    start = block_point(panel, alices.id)
    target = slot_point(panel, clinic.bob.id, DAY, wall(10))
    target.setY(start.y())
    drag(panel, start, target)  # a drop on the inactive column is refused
    assert calendar.appointment(local_ctx, alices.id).practitioner_id == clinic.alice.id
    assert window.undo_stack.count() == 0

    panel.view.setFocus()
    scene.clearSelection()
    scene.set_cursor(Slot(bob_column.index, wall(12)))
    QTest.keyClick(panel.view, Qt.Key.Key_Return)  # Enter in the kept column's empty slot
    assert errors == ["Bob Pilates is inactive and cannot be booked."]
    assert panel.dialog is None

    panel.open_appointment(scene.items_by_id[kept.id].appointment)
    dialog = panel.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    assert not dialog.practitioner_box.isEnabled()
    dialog.reject()

    panel.step(1)  # the next day has no kept booking: no column for Bob
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == ["Alice Physio"]
