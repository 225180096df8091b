"""The small month calendar beside the calendar: jump to a day, see which days are booked.

It follows the calendar's period (the shown day is selected, its month shown).
Days of the shown month that hold a booking not cancelled are bold; they are read
in the background whenever another month comes up, and again when appointments
change. Clicking a day, or Enter on it, jumps the calendar there.

Signals:
    day_chosen(date): show this day on the calendar.
"""

from __future__ import annotations

import calendar as months
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QFont, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QLabel, QVBoxLayout, QWidget

from desktop.services import calendar
from desktop.services.changes import Changes
from desktop.ui.calendar.period import Period
from desktop.ui.service_caller import ServiceCaller


def _day(chosen: QDate) -> date:
    return date(chosen.year(), chosen.month(), chosen.day())


class MonthNavigator(QCalendarWidget):
    day_chosen = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        zone: Callable[[], ZoneInfo | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.zone = zone
        self.booked: set[date] = set()
        self._marked_page: tuple[int, int] | None = None
        self._load_key = f"month-navigator-{id(self)}"
        self.setObjectName("monthNavigator")
        self.setAccessibleName("Month calendar")
        self.setGridVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.clicked.connect(lambda chosen: self.day_chosen.emit(_day(chosen)))
        self.activated.connect(lambda chosen: self.day_chosen.emit(_day(chosen)))
        self.currentPageChanged.connect(lambda _year, _month: self.load())
        caller.bus.changed.connect(self._on_changes)

    def in_column(self) -> QWidget:
        """This calendar at the top of a side column, with its key below it."""
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self)
        key = QLabel("Bold: days with bookings")
        key.setProperty("muted", True)
        layout.addWidget(key)
        layout.addStretch(1)
        return column

    def follow(self, period: Period) -> None:
        """Select the calendar's day and show its month (without jumping back to it)."""
        anchor = period.anchor
        self.blockSignals(True)
        self.setSelectedDate(QDate(anchor.year, anchor.month, anchor.day))
        self.blockSignals(False)
        if (anchor.year, anchor.month) != self._marked_page:
            self.load()

    def load(self) -> None:
        """Read the booked days of the month shown, in the background."""
        zone = self.zone()
        if zone is None:
            return  # the clinic is not read yet; the first calendar load follows
        year, month = self.yearShown(), self.monthShown()
        first = date(year, month, 1)
        last = date(year, month, months.monthrange(year, month)[1])
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: calendar.booked_days(ctx, first, last, zone),
            key=self._load_key,
            refresh_on_refusal=False,
        ).success(lambda days: self._mark((year, month), days)).run()

    def _mark(self, page: tuple[int, int], days: set[date]) -> None:
        self.setDateTextFormat(QDate(), QTextCharFormat())  # a null date clears them all
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        for day in days:
            self.setDateTextFormat(QDate(day.year, day.month, day.day), bold)
        self.booked = days
        self._marked_page = page

    def _on_changes(self, changes: Changes) -> None:
        if changes.appointments:
            self.load()
