"""Booking from the calendar: the real dialog, filled in as a receptionist would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain.appointments import AppointmentKind
from desktop.domain.clinic_time import day_bounds
from desktop.domain.money import Money
from desktop.services import calendar, setup
from desktop.services.context import ServiceContext
from desktop.ui.calendar.appointment_actions import AppointmentActions
from desktop.ui.dialogs.booking import BookingDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ZONE, ClinicFixture, make_clinic
from tests.ui.calendar_support import double_click, drag, open_window, scene_of, slot_point, wall


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def day_appointments(ctx: ServiceContext) -> list:
    start, end = day_bounds(DAY, ZONE)
    return calendar.appointments_between(ctx, start, end)


def test_double_click_books_through_the_dialog(qtbot, local_ctx, clinic, settings, errors) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, slot_point(panel, clinic.alice.id, DAY, wall(9, 5)))
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.time_edit.time().hour() == 9 and dialog.time_edit.time().minute() == 0
    assert dialog.practitioner_box.currentText() == "Alice Physio"
    assert not dialog.book_button.isEnabled()  # no patient yet
    qtbot.keyClicks(dialog.picker.line_edit, "Citiz")
    settle(qtbot)
    popup = dialog.picker.popup()
    assert popup.isVisible()
    assert dialog.picker.model.rowCount() == 1
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.picker.patient == clinic.patients[2]
    dialog.select_type("Consult")
    assert dialog.duration.value() == 30
    qtbot.keyClicks(dialog.notes, "Left knee")
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert errors == []
    assert not dialog.isVisible()
    [booked] = day_appointments(local_ctx)
    assert (booked.patient_id, booked.practitioner_id) == (clinic.patients[2].id, clinic.alice.id)
    assert booked.starts_at == clinic.at(9) and booked.ends_at == clinic.at(9, 30)
    assert booked.notes == "Left knee"
    settle(qtbot)
    item = scene_of(window).items_by_id[booked.id]
    assert item.isSelected()
    assert item.text.title == "Jo Citizen"


def test_dragging_over_empty_time_books_that_range(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    start = slot_point(panel, clinic.bob.id, DAY, wall(10, 2))
    end = slot_point(panel, clinic.bob.id, DAY, wall(10, 40))
    drag(panel, start, end)
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    assert (dialog.time_edit.time().hour(), dialog.time_edit.time().minute()) == (10, 0)
    assert dialog.duration.value() == 45  # the dragged range, not the type's 30 minutes
    dialog.picker.choose(clinic.patients[0])
    dialog.select_type("Consult")
    assert dialog.duration.value() == 45
    dialog.accept()
    settle(qtbot)
    [booked] = day_appointments(local_ctx)
    assert booked.ends_at - booked.starts_at == timedelta(minutes=45)


def test_a_refusal_keeps_the_dialog_and_the_override_books_it(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    for attempt in range(2):
        dialog = panel.book(
            scene_of(window).slot_request(scene_of(window).cursor or _slot(window, clinic, 9))
        )
        assert dialog is not None
        dialog.picker.choose(clinic.patients[attempt])
        dialog.select_type("Consult")
        dialog.accept()
        settle(qtbot)
    assert errors == [
        "Alice Physio is already booked from 09:00 to 09:30 on Mon 03 Mar (Consult with Sam Lee)."
    ]
    assert dialog.isVisible()  # everything typed is still there
    assert dialog.book_button.isEnabled() and dialog.notes.isEnabled()  # no longer busy
    dialog.override_double.setChecked(True)
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible()
    booked = day_appointments(local_ctx)
    assert len(booked) == 2
    settle(qtbot)
    placed = [scene_of(window).items_by_id[a.id].pos().x() for a in booked]
    assert placed[0] != placed[1]  # drawn side by side, never hidden


def _slot(window, clinic: ClinicFixture, hour: int):
    from desktop.ui.calendar.requests import Slot

    column = scene_of(window).grid.column_for(DAY, clinic.alice.id)
    assert column is not None
    return Slot(column.index, wall(hour))


def test_keyboard_only_booking(qtbot, local_ctx, clinic, settings, errors) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    panel.view.setFocus()
    QTest.keyClick(panel.view, Qt.Key.Key_Down)  # the cursor appears in the first column
    QTest.keyClick(panel.view, Qt.Key.Key_Right)
    cursor = scene_of(window).cursor
    assert (
        cursor is not None
        and scene_of(window).grid.columns[cursor.column].practitioner == clinic.bob
    )
    QTest.keyClick(panel.view, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    dialog.reject()
    window.activateWindow()  # what the window manager does when a dialog closes
    QApplication.processEvents()
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(panel.dialog, BookingDialog) and panel.dialog is not dialog


def test_book_opens_at_once_and_the_types_fill_in_when_read(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    # A fresh set of actions: its read-ahead of the types has not arrived yet.
    actions = AppointmentActions(
        window.caller, window.undo_stack, lambda: panel.snapshot, panel.now, panel
    )
    dialog = actions.book(scene_of(window).slot_request(_slot(window, clinic, 9)))
    assert dialog is not None and dialog.isVisible()
    assert dialog.type_box.count() == 0
    assert not dialog.book_button.isEnabled()
    assert dialog.hint.text() == "Reading the appointment types…"
    dialog.picker.choose(clinic.patients[0])
    dialog.duration.setValue(40)  # set by hand before the types arrive: kept
    settle(qtbot)
    assert [dialog.type_box.itemText(i) for i in range(dialog.type_box.count())] == [
        "Consult — 30 min",
        "Reformer — class of 3, 55 min",
    ]
    assert dialog.selected_type() == clinic.consult
    assert dialog.duration.value() == 40
    assert dialog.book_button.isEnabled() and dialog.hint.text() == ""
    dialog.reject()
    assert errors == []


def test_a_type_added_since_the_window_opened_arrives_and_the_choice_stays(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    setup.create_appointment_type(
        local_ctx,
        setup.AppointmentTypeDetails("Long consult", AppointmentKind.INDIVIDUAL, 60, Money(15000)),
    )
    dialog = window.calendar.book(scene_of(window).slot_request(_slot(window, clinic, 9)))
    assert dialog is not None
    assert dialog.type_box.count() == 2  # at once: the types read when the window opened
    dialog.select_type("Reformer")
    settle(qtbot)
    assert dialog.type_box.count() == 3  # and the new one once read again
    assert dialog.selected_type() == clinic.pilates  # still the user's choice
    dialog.select_type("Long consult")
    assert dialog.duration.value() == 60
    dialog.reject()
    assert errors == []
