"""The month calendar beside the calendar: booked days bold, a click jumps there."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from desktop.domain.appointments import CancellationReason
from desktop.services import booking
from desktop.services.context import ServiceContext
from desktop.ui.calendar.month_navigator import MonthNavigator
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, book_on, make_clinic
from tests.ui.calendar_support import open_window, save_shot


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def _bold(month: MonthNavigator, day: date) -> bool:
    return (
        month.dateTextFormat(QDate(day.year, day.month, day.day)).fontWeight() == QFont.Weight.Bold
    )


def _cell_of(month: MonthNavigator, day: date) -> tuple[QTableView, QPoint]:
    """Where a day of the shown month is drawn in the calendar's grid.

    Row 0 names the weekdays; the first week row may end the previous month
    (days > 7) and the rows from the fifth may start the next one (days < 22)."""
    table = month.findChild(QTableView)
    assert table is not None
    model = table.model()
    for row in range(1, model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            spilled = (row == 1 and day.day > 7) or (row >= 5 and day.day < 22)
            if index.data() == day.day and not spilled:
                return table, table.visualRect(index).center()
    raise AssertionError(f"{day} is not shown")


def test_booked_days_are_bold_and_a_click_jumps_the_calendar(
    qtbot, local_ctx, clinic, settings, errors, tmp_path: Path
) -> None:
    booked_day = DAY + timedelta(days=10)  # 13 March 2031, same month
    cancelled_day = DAY + timedelta(days=12)
    book_on(local_ctx, clinic, booked_day, clinic.patients[0])
    cancelled = book_on(local_ctx, clinic, cancelled_day, clinic.patients[1]).appointment
    booking.cancel_appointment(local_ctx, cancelled.id, CancellationReason.SICK)
    window = open_window(qtbot, local_ctx, settings)
    month = window.month
    assert window.month_dock.isVisible()
    assert (month.yearShown(), month.monthShown()) == (2031, 3)
    assert month.selectedDate() == QDate(2031, 3, 3)
    assert _bold(month, booked_day)
    assert not _bold(month, cancelled_day)  # a cancelled booking leaves the day free
    assert not _bold(month, DAY)
    save_shot(window, tmp_path, "month-calendar.png")
    table, point = _cell_of(month, booked_day)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    settle(qtbot)
    assert window.calendar.period.anchor == booked_day
    assert errors == []


def test_it_follows_the_calendar_and_marks_a_new_booking(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    month = window.month
    window.calendar.go_to(date(2031, 4, 22))
    settle(qtbot)
    assert (month.yearShown(), month.monthShown()) == (2031, 4)
    assert month.selectedDate() == QDate(2031, 4, 22)
    assert not _bold(month, date(2031, 4, 24))
    # Booked at this desk: the window hears of it on its change bus.
    window.caller.publish(book_on(local_ctx, clinic, date(2031, 4, 24), clinic.patients[2]).changes)
    settle(qtbot)
    assert _bold(month, date(2031, 4, 24))
