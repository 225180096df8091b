"""The details panel beside the calendar: what it shows and what its buttons do.

Driven as a receptionist would: a click on a block of Bob (the second practitioner,
so a UUID mix-up would show Alice's), the panel's buttons and keys, real dialogs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain.appointments import Appointment, AppointmentStatus, CancellationReason
from desktop.domain.repeats import Frequency, RepeatRule
from desktop.services import booking, calendar, series
from desktop.services.context import ServiceContext
from desktop.ui.billing.invoice_dialog import InvoiceDialog
from desktop.ui.calendar.period import ViewMode
from desktop.ui.calendar.requests import Slot
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.cancel import CancelDialog
from desktop.ui.main_window import MainWindow
from tests.auth.people import ALICE_PASSWORD, make_people
from tests.credit.helpers import book_class
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import (
    _mouse,
    block_point,
    double_click,
    open_window,
    save_shot,
    scene_of,
    slot_point,
    wall,
)
from tests.ui.test_window_defects import _five_practitioners
from tests.ui.test_window_defects import book as book_consult


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, **extra) -> Appointment:
    """A consult with Bob (the second practitioner) for Jo Citizen, unless told otherwise."""
    extra.setdefault("practitioner_id", clinic.bob.id)
    extra.setdefault("patient_id", clinic.patients[2].id)
    return book_consult(ctx, clinic, hour, **extra)


def jo_selected(qtbot, ctx, clinic, settings) -> tuple[Appointment, MainWindow]:
    """Jo's 10:00 consult with Bob, selected on the calendar by a click."""
    jo = book(ctx, clinic, 10)
    window = open_window(qtbot, ctx, settings)
    select_block(qtbot, window, jo.id)
    return jo, window


def click(window: MainWindow, pos: QPoint) -> None:
    panel = window.calendar
    _mouse(panel, QEvent.Type.MouseButtonPress, pos, Qt.MouseButton.LeftButton)
    _mouse(panel, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton)


def select_block(qtbot, window: MainWindow, appointment_id) -> None:
    click(window, block_point(window.calendar, appointment_id))
    settle(qtbot)


def fact(window: MainWindow, name: str) -> str:
    return window.details.facts[name].text()


def test_clicking_a_block_of_the_second_practitioner_shows_its_details(
    qtbot, local_ctx, clinic, settings, tmp_path: Path
) -> None:
    book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id, patient_id=clinic.patients[0].id)
    jo = book(local_ctx, clinic, 10, notes="Left knee, second visit")
    window = open_window(qtbot, local_ctx, settings)
    assert window.details_dock.isVisible()  # open beside the day view
    assert window.details.heading.text() == "No appointment selected"

    select_block(qtbot, window, jo.id)

    details = window.details
    assert "Jo Citizen (#3)" in details.heading.text()
    assert fact(window, "practitioner") == "Bob Pilates"
    assert fact(window, "type") == "Consult"
    assert fact(window, "when") == "Mon 3 Mar 2031, 10:00–10:30"
    assert fact(window, "status") == "Booked"
    assert fact(window, "phone") == "(02) 9555 1234"
    assert fact(window, "email") == "—"
    assert fact(window, "notes") == "Left knee, second visit"
    assert fact(window, "invoice") == "Not invoiced"
    assert fact(window, "credit") == "$0.00"
    assert not details.facts["series"].isVisible()  # not one of a repeating series
    assert details.edit_button.text() == "Edit…"
    assert all(
        b.isEnabled()
        for b in (
            details.arrived_button,
            details.invoice_button,
            details.edit_button,
            details.cancel_button,
            details.move_button,
            details.card_button,
        )
    )
    window.activateWindow()
    details.arrived_button.setFocus()
    for expected in (details.invoice_button, details.edit_button, details.cancel_button):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert expected.hasFocus()  # reading order: across, then down
    # The week of five practitioners is the README's claim; here: nothing needs scrolling.
    assert window.calendar.view.horizontalScrollBar().maximum() == 0
    save_shot(window, tmp_path, "details_panel.png")


def test_arrived_invoice_and_cancel_run_the_calendars_own_commands(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    jo, window = jo_selected(qtbot, local_ctx, clinic, settings)
    details = window.details

    QTest.mouseClick(details.arrived_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert calendar.appointment(local_ctx, jo.id).status is AppointmentStatus.ARRIVED
    assert fact(window, "status") == "Arrived"
    assert not details.arrived_button.isEnabled()
    assert window.undo_stack.undoText() == "Mark Jo Citizen arrived"

    QTest.mouseClick(details.invoice_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    invoices = [w for w in QApplication.topLevelWidgets() if isinstance(w, InvoiceDialog)]
    assert len(invoices) == 1
    invoices[0].close()
    assert fact(window, "invoice").endswith("$90.00 owing of $90.00")

    QTest.mouseClick(details.cancel_button, Qt.MouseButton.LeftButton)
    dialog = window.calendar.dialog
    assert isinstance(dialog, CancelDialog)
    dialog.reason_box.setCurrentIndex(1)
    dialog.accept()
    settle(qtbot)
    cancelled = calendar.appointment(local_ctx, jo.id)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.SICK
    assert fact(window, "status") == "Cancelled (sick)"
    assert not details.cancel_button.isEnabled() and not details.move_button.isEnabled()
    assert errors == []


def test_edit_opens_the_appointments_dialog_for_that_appointment(
    qtbot, local_ctx, clinic, settings
) -> None:
    book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id, patient_id=clinic.patients[0].id)
    jo = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    select_block(qtbot, window, jo.id)

    QTest.mouseClick(window.details.edit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    dialog.reject()


def test_move_then_enter_on_the_new_slot_moves_it_keeping_its_length(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    jo, window = jo_selected(qtbot, local_ctx, clinic, settings)
    panel = window.calendar

    QTest.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # Move…
    assert panel.moving is not None and panel.moving.id == jo.id
    assert panel.moving_note.isVisible()
    scene = scene_of(window)
    alice = scene.grid.column_for(DAY, clinic.alice.id)
    assert alice is not None
    scene.set_cursor(Slot(alice.index, wall(14)))
    QTest.keyClick(panel.view, Qt.Key.Key_Return)
    settle(qtbot)

    moved = calendar.appointment(local_ctx, jo.id)
    assert moved.practitioner_id == clinic.alice.id
    assert (moved.starts_at, moved.ends_at) == (clinic.at(14), clinic.at(14, 30))
    assert panel.moving is None and not panel.moving_note.isVisible()
    assert errors == []


def test_move_with_the_arrow_keys_starts_from_where_it_is(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    jo, window = jo_selected(qtbot, local_ctx, clinic, settings)
    panel = window.calendar
    QTest.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    scene = scene_of(window)
    bob = scene.grid.column_for(DAY, clinic.bob.id)
    assert bob is not None and scene.cursor == Slot(bob.index, wall(10))
    for _ in range(4):  # an hour later, a quarter at a time
        QTest.keyClick(panel.view, Qt.Key.Key_Down)
    QTest.keyClick(panel.view, Qt.Key.Key_Return)
    settle(qtbot)
    moved = calendar.appointment(local_ctx, jo.id)
    assert (moved.practitioner_id, moved.starts_at) == (clinic.bob.id, clinic.at(11))
    assert window.undo_stack.undoText().startswith("Move Jo Citizen")
    assert errors == []


def test_move_by_double_click_and_escape_stops_picking(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    jo, window = jo_selected(qtbot, local_ctx, clinic, settings)
    panel = window.calendar

    QTest.mouseClick(window.details.move_button, Qt.MouseButton.LeftButton)
    QTest.keyClick(panel.view, Qt.Key.Key_Escape)
    assert panel.moving is None
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(15)))
    assert isinstance(panel.dialog, BookingDialog)  # a plain double-click books again
    panel.dialog.reject()

    select_block(qtbot, window, jo.id)
    QTest.mouseClick(window.details.move_button, Qt.MouseButton.LeftButton)
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(15)))
    settle(qtbot)
    assert calendar.appointment(local_ctx, jo.id).starts_at == clinic.at(15)
    assert errors == []


def test_open_card_shows_that_patient(qtbot, local_ctx, clinic, settings) -> None:
    _jo, window = jo_selected(qtbot, local_ctx, clinic, settings)

    QTest.keyClick(
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot)
    card = window.patients_window
    assert card is not None and card.isVisible()
    assert card.card.patient is not None and card.card.patient.id == clinic.patients[2].id


def test_a_practitioner_gets_read_only_actions_for_a_colleagues_appointment(
    qtbot, local_ctx, clinic, settings, tmp_path: Path
) -> None:
    own = book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id)
    colleague = book(local_ctx, clinic, 10)
    people = make_people(local_ctx, clinic)
    alice_ctx = people.context(people.signed_in("alice", ALICE_PASSWORD))
    window = open_window(qtbot, alice_ctx, settings)
    details = window.details

    select_block(qtbot, window, colleague.id)
    assert fact(window, "practitioner") == "Bob Pilates"
    assert details.edit_button.text() == "Open…" and details.edit_button.isEnabled()
    assert details.card_button.isEnabled()
    changing = (details.arrived_button, details.cancel_button, details.move_button)
    assert not any(b.isEnabled() for b in changing)
    save_shot(window, tmp_path, "details_read_only.png")
    QTest.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    settle(qtbot)
    assert calendar.appointment(local_ctx, colleague.id).status is AppointmentStatus.BOOKED

    select_block(qtbot, window, own.id)
    assert details.edit_button.text() == "Edit…"
    assert all(b.isEnabled() for b in changing)


def test_a_class_shows_its_attendees_against_its_capacity(
    qtbot, local_ctx, clinic, settings, tmp_path: Path
) -> None:
    reformer = book_class(local_ctx, clinic, 0, patient=0)
    booking.add_attendee(local_ctx, reformer, clinic.patients[2].id)
    window = open_window(qtbot, local_ctx, settings)
    select_block(qtbot, window, reformer)

    details = window.details
    assert "Reformer" in details.heading.text()
    assert fact(window, "attendees") == "2 of 3"
    assert details.edit_button.text() == "Attendees…"
    assert not details.card_button.isEnabled() and not details.invoice_button.isEnabled()
    save_shot(window, tmp_path, "details_class.png")


def test_changes_elsewhere_refresh_the_panel(qtbot, local_ctx, clinic, settings) -> None:
    jo, window = jo_selected(qtbot, local_ctx, clinic, settings)

    changed = booking.set_status(local_ctx, jo.id, AppointmentStatus.ARRIVED, jo.version)
    window.bus.publish(changed.changes)  # what another screen's edit announces
    settle(qtbot)
    assert fact(window, "status") == "Arrived"

    QTest.keyClick(window, Qt.Key.Key_F9)  # folded away: it reads again when shown
    changed = booking.set_status(local_ctx, jo.id, AppointmentStatus.COMPLETED)
    window.bus.publish(changed.changes)
    settle(qtbot)
    QTest.keyClick(window, Qt.Key.Key_F9)
    settle(qtbot)
    assert fact(window, "status") == "Completed"

    gone = booking.delete_appointment(local_ctx, jo.id)
    window.bus.publish(gone)
    settle(qtbot)
    assert window.details.heading.text() == "No appointment selected"


def test_f9_folds_the_panel_and_each_view_remembers_its_choice(
    qtbot, local_ctx, clinic, settings, tmp_path: Path
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    assert window.details_dock.isVisible()
    QTest.keyClick(window, Qt.Key.Key_F9)
    assert not window.details_dock.isVisible()

    window.week_action.trigger()
    settle(qtbot)
    assert not window.details_dock.isVisible()  # beside a week: folded away by default
    QTest.keyClick(window, Qt.Key.Key_F9)
    assert window.details_dock.isVisible()
    window.close()

    again = MainWindow(
        local_ctx, QSettings(settings.fileName(), QSettings.Format.IniFormat), start_day=DAY
    )
    qtbot.addWidget(again)
    again.show()
    settle(qtbot)
    assert again.calendar.period.mode is ViewMode.WEEK
    assert again.details_dock.isVisible()
    again.day_action.trigger()
    settle(qtbot)
    assert not again.details_dock.isVisible()


@pytest.mark.parametrize(("open_days", "size"), [(5, (1366, 768)), (7, (1920, 1080))])
def test_a_working_week_of_five_practitioners_still_fits(
    qtbot, local_ctx, clinic, settings, tmp_path: Path, open_days, size
) -> None:
    """1366: the panel is folded beside the week by default; 1920: it fits open too."""
    _five_practitioners(local_ctx, clinic, open_days)
    window = open_window(qtbot, local_ctx, settings, size=size)
    window.week_action.trigger()
    settle(qtbot)
    if size[0] >= 1920:
        QTest.keyClick(window, Qt.Key.Key_F9)
        settle(qtbot)
    assert window.details_dock.isVisible() is (size[0] >= 1920)
    assert len(scene_of(window).grid.columns) == open_days * 5
    assert window.calendar.view.horizontalScrollBar().maximum() == 0
    save_shot(window, tmp_path, f"week-{size[0]}.png")


def test_one_of_a_repeating_series_shows_its_place_and_the_next_date(
    qtbot, local_ctx, clinic, settings, tmp_path: Path
) -> None:
    """Ten Monday consults from two weeks before the day shown: the day's is the 3rd."""
    first = booking.BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.consult.id,
        clinic.at(10, day=DAY - timedelta(weeks=2)),
        patient_id=clinic.patients[2].id,
    )
    term = series.book_series(
        local_ctx, series.SeriesRequest(first, RepeatRule(Frequency.WEEKLY, count=10))
    ).appointments
    third, fourth = term[2], term[3]
    assert calendar.appointment(local_ctx, third.id).starts_at == clinic.at(10)
    window = open_window(qtbot, local_ctx, settings)
    select_block(qtbot, window, third.id)

    details = window.details
    assert details.facts["series"].isVisible()
    assert fact(window, "series") == "3 of 10, next Mon 10 Mar"
    save_shot(window, tmp_path, "details_series.png")

    # The next one cancelled elsewhere: it no longer counts, and the next is a week on.
    cancelled = booking.cancel_appointment(
        local_ctx, fourth.id, CancellationReason.OTHER, "away", fourth.version
    )
    window.bus.publish(cancelled.changes)
    settle(qtbot)
    assert fact(window, "series") == "3 of 9, next Mon 17 Mar"
