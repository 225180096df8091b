"""Booking a repeating series from the calendar: the real dialog, its Repeat section,
the dates list with a conflict, Skip, Move and Book — as a receptionist would."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain.clinic_time import to_local
from desktop.services import booking, calendar, practitioners
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.ui import prompts
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.repeat_section import MoveOccurrenceDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ZONE, ClinicFixture, make_clinic
from tests.ui.calendar_support import double_click, open_window, slot_point, wall

WEEK = timedelta(days=7)


def window_of(dialog: QDialog) -> QWidget:
    parent = dialog.parentWidget()
    assert parent is not None
    return parent.window()


def on_screen(window: QWidget, dialog: QDialog) -> QPixmap:
    """The 1366×768 window with the dialog over its middle, as the user sees them."""
    picture = window.grab()
    painter = QPainter(picture)
    shown = dialog.grab()
    painter.drawPixmap(
        (picture.width() - shown.width()) // 2, (picture.height() - shown.height()) // 2, shown
    )
    painter.end()
    return picture


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def open_booking(qtbot, local_ctx, settings, clinic) -> BookingDialog:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    # Bob is the second practitioner in the calendar and in the dialog's list.
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(9, 5)))
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.practitioner_box.currentIndex() == 1
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    dialog.picker.choose(clinic.patients[2])
    dialog.select_type("Consult")
    return dialog


def term(ctx: ServiceContext, clinic: ClinicFixture) -> list:  # type: ignore[type-arg]
    return calendar.appointments_between(ctx, clinic.at(0), clinic.at(0) + WEEK * 6)


def taken_on_week_two(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    booking.book_appointment(
        ctx,
        BookingRequest(
            clinic.clinic.id,
            clinic.bob.id,
            clinic.consult.id,
            clinic.at(9, day=DAY + WEEK),
            patient_id=clinic.patients[0].id,
        ),
    )


def test_a_weekly_series_lists_the_conflict_and_books_the_rest(
    qtbot, local_ctx, clinic, settings, errors, shots
) -> None:
    taken_on_week_two(local_ctx, clinic)
    dialog = open_booking(qtbot, local_ctx, settings, clinic)
    section = dialog.repeat
    assert not section.table.isVisible()
    on_screen(window_of(dialog), dialog).save(str(shots / "booking_dialog_no_repeat.png"))
    section.choose("Weekly")
    section.count.setValue(4)
    settle(qtbot)
    assert section.table.isVisible()
    assert section.table.rowCount() == 4
    status = [section.table.item(r, 3).text() for r in range(4)]
    assert status[0] == "Free"
    assert status[1].startswith("Bob Pilates is already booked from 09:00 to 09:30")
    assert [section.table.item(r, 1).text() for r in range(4)] == [
        "Mon 3 Mar 2031",
        "Mon 10 Mar 2031",
        "Mon 17 Mar 2031",
        "Mon 24 Mar 2031",
    ]
    assert section.selected() == section.plan[1]  # the conflict, ready to skip or move
    assert dialog.book_button.text() == "&Book 3 appointments"
    assert "3 of 4 will be booked" in section.summary.text()
    assert dialog.height() >= 640  # grew to show the list
    on_screen(window_of(dialog), dialog).save(str(shots / "repeat_dialog_conflict.png"))

    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert errors == []
    assert not dialog.isVisible()
    booked = [a for a in term(local_ctx, clinic) if a.patient_id == clinic.patients[2].id]
    assert [a.starts_at for a in booked] == [clinic.at(9, day=DAY + WEEK * i) for i in (0, 2, 3)]
    assert len({a.series_id for a in booked}) == 1
    assert {a.practitioner_id for a in booked} == {clinic.bob.id}


def test_skip_and_move_are_checked_again_before_booking(
    qtbot, local_ctx, clinic, settings, errors, monkeypatch
) -> None:
    taken_on_week_two(local_ctx, clinic)
    dialog = open_booking(qtbot, local_ctx, settings, clinic)
    section = dialog.repeat
    section.choose("Every N weeks")
    assert section.weeks.isVisible()
    section.weeks.setValue(2)
    section.on_date.setChecked(True)
    section.until.setDate(section.until.date().fromString("2031-04-28", "yyyy-MM-dd"))
    settle(qtbot)
    # Every 2 weeks from Mon 3 Mar to Mon 28 Apr: 3 Mar, 17 Mar, 31 Mar, 14 Apr, 28 Apr.
    assert section.table.rowCount() == 5
    assert dialog.book_button.text() == "&Book 5 appointments"
    section.choose("Weekly")  # 3 times: the second is taken
    assert not section.weeks.isVisible()
    section.after.setChecked(True)
    section.count.setValue(3)
    settle(qtbot)
    assert section.table.rowCount() == 3
    assert section.plan[1].problem

    def move_to_tuesday(move: QDialog) -> bool:
        assert isinstance(move, MoveOccurrenceDialog)
        move.set_when(date(2031, 3, 11), time(11, 30))
        move.accept()
        return True

    monkeypatch.setattr(prompts, "run_dialog", move_to_tuesday)
    section.select(2)
    qtbot.mouseClick(section.move_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert section.table.item(1, 3).text() == "Moved: Free"
    assert section.table.item(1, 2).text() == "11:30–12:00"
    section.select(3)
    qtbot.mouseClick(section.skip_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert section.table.item(2, 3).text() == "Skipped"
    assert dialog.book_button.text() == "&Book 2 appointments"
    dialog.accept()
    settle(qtbot)
    assert errors == []
    booked = [a for a in term(local_ctx, clinic) if a.patient_id == clinic.patients[2].id]
    assert [to_local(a.starts_at, ZONE).replace(tzinfo=None).isoformat() for a in booked] == [
        "2031-03-03T09:00:00",
        "2031-03-11T11:30:00",
    ]


def test_a_slot_taken_after_the_check_books_nothing_and_rechecks(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    dialog = open_booking(qtbot, local_ctx, settings, clinic)
    dialog.repeat.choose("Daily")
    dialog.repeat.count.setValue(3)
    settle(qtbot)
    assert dialog.book_button.text() == "&Book 3 appointments"
    taken_on_day = clinic.at(9, day=DAY + timedelta(days=2))
    booking.book_appointment(  # another desk, meanwhile
        local_ctx,
        BookingRequest(
            clinic.clinic.id,
            clinic.bob.id,
            clinic.consult.id,
            taken_on_day,
            patient_id=clinic.patients[0].id,
        ),
    )
    dialog.accept()
    settle(qtbot)
    assert len(errors) == 1
    assert "Wed 05 Mar 2031 can no longer be booked" in errors[0]
    assert dialog.isVisible()  # everything typed stays
    assert dialog.picker.patient == clinic.patients[2]
    assert dialog.repeat.plan[2].problem  # checked again: the date is marked
    assert dialog.book_button.text() == "&Book 2 appointments"
    assert [a.patient_id for a in term(local_ctx, clinic)] == [clinic.patients[0].id]


def test_a_term_of_weekly_classes_books_each_class_with_the_patient(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(17, 5)))
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    dialog.select_type("Reformer")
    dialog.picker.choose(clinic.patients[3])
    dialog.repeat.choose("Weekly")
    dialog.repeat.count.setValue(8)
    settle(qtbot)
    assert dialog.book_button.text() == "&Book 8 appointments"
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert errors == []
    classes = term(local_ctx, clinic) + calendar.appointments_between(
        local_ctx, clinic.at(0) + WEEK * 6, clinic.at(0) + WEEK * 9
    )
    assert len(classes) == 8
    assert all(c.type_name == "Reformer" and c.capacity == 3 for c in classes)
    assert all([a.patient_id for a in c.attendees] == [clinic.patients[3].id] for c in classes)
    assert len({c.series_id for c in classes}) == 1


def test_a_monthly_repeat_lists_a_month_without_the_weekday(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    dialog = open_booking(qtbot, local_ctx, settings, clinic)
    dialog.date_edit.setDate(dialog.date_edit.date().fromString("2031-03-31", "yyyy-MM-dd"))
    dialog.repeat.choose("Monthly (same weekday of the month)")
    dialog.repeat.count.setValue(3)
    settle(qtbot)
    # Mon 31 Mar 2031 is the 5th Monday; April 2031 has four, June has five.
    texts = [dialog.repeat.table.item(r, 3).text() for r in range(3)]
    assert texts == ["Free", "April 2031 has no 5th Monday", "May 2031 has no 5th Monday"]
    assert dialog.book_button.text() == "&Book 1 appointment"


def test_a_practitioner_deactivated_while_the_dialog_is_open_is_never_booked(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    dialog = open_booking(qtbot, local_ctx, settings, clinic)
    dialog.repeat.choose("Weekly")
    dialog.repeat.count.setValue(3)
    settle(qtbot)
    assert dialog.book_button.text() == "&Book 3 appointments"
    practitioners.deactivate_practitioner(local_ctx, clinic.bob.id)  # on another desk
    dialog.accept()  # Book, on the list checked before
    settle(qtbot)
    assert len(errors) == 1
    assert "Bob Pilates is inactive" in errors[0]
    assert dialog.isVisible()
    assert dialog.practitioner_box.findText("Bob Pilates") == -1  # the list was reloaded
    assert not dialog.book_button.isEnabled()  # nobody chosen: Enter books no one
    assert dialog.repeat.table.rowCount() == 0
    assert dialog.repeat.summary.text() == "Choose the practitioner to book with."
    assert term(local_ctx, clinic) == []
