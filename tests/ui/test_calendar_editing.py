"""Moving, resizing, marking, cancelling and undoing on the calendar; stale columns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.services import booking, calendar, practitioners
from desktop.services.context import ServiceContext
from desktop.store.sync_models import SYNCED_TABLES
from desktop.sync.runner import SyncState, SyncStatus
from desktop.ui.calendar.appointment_menus import menu_action
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.cancel import CancelDialog
from desktop.ui.sync.wiring import pulled_changes
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, book_at, make_clinic
from tests.ui.calendar_support import (
    block_point,
    double_click,
    drag,
    minute_y,
    open_window,
    scene_of,
    slot_point,
    wall,
)


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, minute: int = 0, **extra):
    return book_at(ctx, clinic, hour, minute, **extra).appointment


def test_drag_moves_a_block_to_another_column_and_undo_puts_it_back(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    start = block_point(panel, appointment.id)
    target = slot_point(panel, clinic.bob.id, DAY, wall(9, 15))
    target.setY(start.y() + minute_y(panel, 60))
    drag(panel, start, target)
    settle(qtbot)
    assert errors == []
    moved = calendar.appointment(local_ctx, appointment.id)
    assert (moved.practitioner_id, moved.starts_at, moved.ends_at) == (
        clinic.bob.id,
        clinic.at(10),
        clinic.at(10, 30),
    )
    settle(qtbot)
    scene = scene_of(window)
    item = scene.items_by_id[appointment.id]
    bob_column = scene.grid.column_for(DAY, clinic.bob.id)
    assert bob_column is not None
    assert scene.grid.column_at(item.pos().x() + 5) == bob_column
    assert item.pos().y() == pytest.approx(scene.grid.y_of(wall(10)) + 1)
    assert window.undo_action.isEnabled()
    assert window.undo_stack.undoText().startswith("Move Sam Lee to Mon 10:00")

    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    back = calendar.appointment(local_ctx, appointment.id)
    assert (back.practitioner_id, back.starts_at) == (clinic.alice.id, clinic.at(9))
    settle(qtbot)
    assert item.pos().y() == pytest.approx(scene.grid.y_of(wall(9)) + 1)
    window.undo_stack.redo()
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).practitioner_id == clinic.bob.id


def test_dragging_the_bottom_edge_resizes_in_quarter_hours(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    start = block_point(panel, appointment.id, "bottom")
    end = start + type(start)(0, minute_y(panel, 22))  # 22 minutes snaps to a quarter: +15
    drag(panel, start, end)
    settle(qtbot)
    resized = calendar.appointment(local_ctx, appointment.id)
    assert (resized.starts_at, resized.ends_at) == (clinic.at(9), clinic.at(9, 45))
    assert window.undo_stack.undoText() == "Resize Sam Lee to end 9:45"
    window.undo_stack.undo()
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).ends_at == clinic.at(9, 30)


def test_status_and_cancellation_from_the_menu_are_undoable(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    menu = panel.appointment_menu(appointment)
    menu_action(menu, "mark_arrived").trigger()
    settle(qtbot)
    arrived = calendar.appointment(local_ctx, appointment.id)
    assert arrived.status is AppointmentStatus.ARRIVED
    settle(qtbot)
    assert scene_of(window).items_by_id[appointment.id].text.badge == "Arrived"

    dialog = panel.appointment_actions.ask_cancel(arrived)
    assert isinstance(dialog, CancelDialog)
    dialog.reason_box.setCurrentIndex(dialog.reason_box.findData(CancellationReason.OTHER))
    assert not dialog.ok_button.isEnabled()  # "Other" needs a note
    qtbot.keyClicks(dialog.note, "Car broke down")
    dialog.ok_button.click()
    settle(qtbot)
    cancelled = calendar.appointment(local_ctx, appointment.id)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.cancellation_note == "Car broke down"
    settle(qtbot)
    assert scene_of(window).items_by_id[appointment.id].text.badge == "Cancelled"

    window.undo_stack.undo()  # the cancellation: back to arrived, not further
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).status is AppointmentStatus.ARRIVED
    settle(qtbot)
    assert scene_of(window).items_by_id[appointment.id].text.badge == "Arrived"
    window.undo_stack.undo()  # the arrival
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).status is AppointmentStatus.BOOKED
    assert errors == []


def test_undo_over_someone_elses_change_is_refused_and_dropped(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    menu_action(panel.appointment_menu(appointment), "mark_arrived").trigger()
    settle(qtbot)
    booking.update_notes(local_ctx, appointment.id, "changed at the other desk")
    window.undo_stack.undo()
    settle(qtbot)
    assert errors and "changed by someone else" in errors[0]
    assert calendar.appointment(local_ctx, appointment.id).status is AppointmentStatus.ARRIVED
    assert window.undo_stack.count() == 0


def test_a_stale_column_refuses_booking_and_moving_by_name_then_disappears(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    bob_spot = slot_point(panel, clinic.bob.id, DAY, wall(11))
    # Behind the calendar's back, an administrator at another desk deactivates Bob.
    practitioners.deactivate_practitioner(local_ctx, clinic.bob.id)

    double_click(panel, bob_spot)
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    dialog.picker.choose(clinic.patients[1])
    dialog.select_type("Consult")
    dialog.book_button.click()
    settle(qtbot)
    assert errors == [
        "Bob Pilates is inactive and cannot be booked. "
        "The calendar has been refreshed; choose another practitioner."
    ]
    assert dialog.isVisible()
    assert [
        dialog.practitioner_box.itemText(i) for i in range(dialog.practitioner_box.count())
    ] == ["Alice Physio"]
    # Nobody is chosen until the user picks: one more Enter must not book Alice.
    assert dialog.practitioner_box.currentIndex() == -1
    assert not dialog.book_button.isEnabled()
    assert dialog.hint.text() == "Choose the practitioner to book with."
    assert len(calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23))) == 1
    settle(qtbot)
    scene = scene_of(window)
    assert scene.grid.column_for(DAY, clinic.bob.id) is None
    assert [c.practitioner.name for c in scene.grid.columns] == ["Alice Physio"]
    dialog.practitioner_box.setCurrentIndex(0)  # the user picks Alice
    assert dialog.book_button.isEnabled()
    dialog.book_button.click()
    settle(qtbot)
    booked = calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23))
    assert [a.practitioner_id for a in booked if a.starts_at == clinic.at(11)] == [clinic.alice.id]


def test_a_drag_onto_a_stale_column_is_refused_by_name(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    start = block_point(panel, appointment.id)
    target = slot_point(panel, clinic.bob.id, DAY, wall(9, 15))
    target.setY(start.y())
    practitioners.deactivate_practitioner(local_ctx, clinic.bob.id)
    drag(panel, start, target)
    settle(qtbot)
    assert len(errors) == 1 and errors[0].startswith("Bob Pilates is inactive")
    assert calendar.appointment(local_ctx, appointment.id).practitioner_id == clinic.alice.id
    settle(qtbot)
    scene = scene_of(window)
    assert scene.grid.column_for(DAY, clinic.bob.id) is None
    item = scene.items_by_id[appointment.id]
    assert scene.grid.column_at(item.pos().x() + 5).practitioner == clinic.alice
    assert window.undo_stack.count() == 0


def test_keyboard_nudge_and_delete_cancel(qtbot, local_ctx, clinic, settings, errors) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    panel.select(appointment.id)
    panel.view.setFocus()
    QTest.keyClick(panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert calendar.appointment(local_ctx, appointment.id).starts_at == clinic.at(9, 15)
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    assert isinstance(panel.dialog, CancelDialog)
    panel.dialog.reject()
    QApplication.processEvents()
    assert errors == []


def test_another_desks_booking_reaches_the_open_calendar_after_a_pull(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    # A sync pass writes another desk's booking into this desk's store …
    theirs = book(local_ctx, clinic, 11)
    report = window.sync.signals.report_status
    report(SyncStatus(SyncState.SYNCED, pulled=frozenset({"sign_in_policy"})))
    settle(qtbot)
    assert theirs.id not in scene_of(window).items_by_id  # nothing the calendar follows
    # … and says what it brought: the calendar reads the week again.
    report(SyncStatus(SyncState.SYNCED, pulled=frozenset({"appointments", "attendances"})))
    settle(qtbot)
    assert theirs.id in scene_of(window).items_by_id
    assert errors == []


def test_every_synced_table_is_followed_by_a_screen_or_read_when_shown() -> None:
    """A new synced table must say which open screens follow it (pulled_changes)."""
    read_when_shown = {  # the message log and Users page read on opening, replies on a timer
        "messaging_settings",
        "outbox_jobs",
        "outgoing_messages",
        "sms_replies",
        "users",
    }
    for table in SYNCED_TABLES:
        changes = pulled_changes(frozenset({table}))
        assert changes.from_server
        assert changes.anything != (table in read_when_shown), table
