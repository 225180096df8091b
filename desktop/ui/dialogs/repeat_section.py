"""The booking dialog's Repeat section: how often, until when, and the list of dates.

The list shows every date the rule names as last checked by the service, each
free or with why it cannot be booked. The user skips a date or moves it to
another day or time (it is checked again); a date that cannot be booked is not
booked, and the Book button says how many will be. Nothing here calls a service:
the booking dialog runs the checks in the background and hands the result to
`show_plan`.

Signals:
    changed(): the rule, a skip or a move changed; the dates need checking again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.clinic_time import local_to_utc, to_local
from desktop.domain.errors import InvalidInput
from desktop.domain.repeats import LONGEST_INTERVAL, MOST_OCCURRENCES, Frequency, RepeatRule
from desktop.services.series import PlannedOccurrence
from desktop.ui import prompts

# (label, frequency, whether the "every N weeks" box applies)
CHOICES: tuple[tuple[str, Frequency | None, bool], ...] = (
    ("Does not repeat", None, False),
    ("Daily", Frequency.DAILY, False),
    ("Weekly", Frequency.WEEKLY, False),
    ("Every N weeks", Frequency.WEEKLY, True),
    ("Monthly (same weekday of the month)", Frequency.MONTHLY, False),
)
PROBLEM = QColor("#b3261e")
MUTED = QColor("#6b7280")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class RepeatSection(QGroupBox):
    changed = Signal()

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__("R&epeat", parent)
        self.zone = zone
        self.skipped: set[int] = set()  # occurrence numbers the user skipped
        self.moved: dict[int, datetime] = {}  # occurrence number -> new start (UTC)
        self.plan: list[PlannedOccurrence] = []
        self.first_time = time(9)  # the first's wall time: where a date without one moves from
        self.repeat_box = QComboBox()
        self.repeat_box.setAccessibleName("Repeat")
        for label, _frequency, _every in CHOICES:
            self.repeat_box.addItem(label)
        self.weeks = QSpinBox()
        self.weeks.setRange(2, LONGEST_INTERVAL)
        self.weeks.setPrefix("every ")
        self.weeks.setSuffix(" weeks")
        self.after = QRadioButton("&after")
        self.after.setChecked(True)
        self.count = QSpinBox()
        self.count.setRange(2, MOST_OCCURRENCES)
        self.count.setValue(10)
        self.count.setSuffix(" times")
        self.on_date = QRadioButton("&until")
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("ddd d MMM yyyy")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["#", "Date", "Time", "Can it be booked?"])
        self.table.setAccessibleName("Repeat dates")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.skip_button = QPushButton("&Skip this date")
        self.move_button = QPushButton("&Move…")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self._layout()
        self.repeat_box.currentIndexChanged.connect(self._rule_edited)
        for spin in (self.weeks, self.count):
            spin.valueChanged.connect(self._rule_edited)
        self.after.toggled.connect(self._rule_edited)
        self.until.dateChanged.connect(self._rule_edited)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.skip_button.clicked.connect(self.toggle_skip)
        self.move_button.clicked.connect(self.move_selected)
        self._show_widgets()

    def _layout(self) -> None:
        how = QHBoxLayout()
        how.addWidget(self.repeat_box, 2)
        how.addWidget(self.weeks, 1)
        ends = QHBoxLayout()
        ends.addWidget(QLabel("Ends"))
        ends.addWidget(self.after)
        ends.addWidget(self.count)
        ends.addWidget(self.on_date)
        ends.addWidget(self.until, 1)
        self.ends_row = QWidget()
        self.ends_row.setLayout(ends)
        ends.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.skip_button)
        actions.addWidget(self.move_button)
        layout = QVBoxLayout(self)
        layout.addLayout(how)
        layout.addWidget(self.ends_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    # --- the rule ---------------------------------------------------------------------

    @property
    def repeating(self) -> bool:
        return CHOICES[self.repeat_box.currentIndex()][1] is not None

    def choose(self, label: str) -> None:
        """Pick a repeat by its label (as the user reads it)."""
        index = next(i for i, choice in enumerate(CHOICES) if choice[0] == label)
        self.repeat_box.setCurrentIndex(index)

    def rule(self) -> RepeatRule | None:
        """The rule as set, or None when the appointment does not repeat (InvalidInput
        when it makes no sense, e.g. an end before the first date)."""
        _label, frequency, every = CHOICES[self.repeat_box.currentIndex()]
        if frequency is None:
            return None
        interval = self.weeks.value() if every else 1
        if self.after.isChecked():
            return RepeatRule(frequency, interval, count=self.count.value())
        return RepeatRule(frequency, interval, until=_pydate(self.until.date()))

    def first_day_changed(self, first: date) -> None:
        """Keep the end date after the first date (a month on, until the user sets it)."""
        if _pydate(self.until.date()) <= first:
            self.until.blockSignals(True)
            self.until.setDate(_qdate(first).addMonths(3))
            self.until.blockSignals(False)

    def _rule_edited(self) -> None:
        # Another rule names other dates: earlier skips and moves no longer mean them.
        self.skipped.clear()
        self.moved.clear()
        self._show_widgets()
        self.changed.emit()

    def _show_widgets(self) -> None:
        repeating = self.repeating
        self.weeks.setVisible(CHOICES[self.repeat_box.currentIndex()][2])
        self.count.setEnabled(self.after.isChecked())
        self.until.setEnabled(not self.after.isChecked())
        for widget in (self.ends_row, self.table, self.summary, self.skip_button, self.move_button):
            widget.setVisible(repeating)
        self._selection_changed()

    # --- the dates ----------------------------------------------------------------------

    def checking(self) -> None:
        self.summary.setText("Checking the dates…")

    def show_plan(self, plan: Sequence[PlannedOccurrence]) -> None:
        selected = self.selected()
        self.plan = list(plan)
        self.table.setRowCount(len(plan))
        for row, occurrence in enumerate(plan):
            cells = [
                str(occurrence.number),
                f"{occurrence.day:%a} {occurrence.day.day} {occurrence.day:%b %Y}",
                self._time(occurrence),
            ]
            cells.append(_status(occurrence))
            colour = MUTED if occurrence.skipped else PROBLEM if occurrence.problem else None
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(text)
                if colour is not None:
                    item.setForeground(QBrush(colour))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        first_problem = next((o for o in plan if o.problem and not o.skipped), None)
        if selected is not None:
            self.select(selected.number)
        elif first_problem is not None:
            self.select(first_problem.number)  # ready for Skip or Move
        booking = sum(o.will_book for o in plan)
        problems = sum(bool(o.problem) and not o.skipped for o in plan)
        text = f"{booking} of {len(plan)} will be booked."
        if problems:
            text += f" {problems} in red cannot be booked there: move, or it is left out."
        self.summary.setText(text)
        self._selection_changed()

    def _time(self, occurrence: PlannedOccurrence) -> str:
        if occurrence.starts_at is None or occurrence.ends_at is None:
            return "—"
        start, end = (
            to_local(occurrence.starts_at, self.zone),
            to_local(occurrence.ends_at, self.zone),
        )
        return f"{start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}"

    def booking_count(self) -> int:
        return sum(o.will_book for o in self.plan)

    def left_out(self) -> frozenset[int]:
        """What Book leaves out: the user's skips and every date that cannot be booked."""
        return frozenset(self.skipped | {o.number for o in self.plan if not o.will_book})

    def selected(self) -> PlannedOccurrence | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.plan):
            return None
        return self.plan[rows[0].row()]

    def select(self, number: int) -> None:
        for row, occurrence in enumerate(self.plan):
            if occurrence.number == number:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.skip_button.setEnabled(chosen is not None)
        self.move_button.setEnabled(chosen is not None)
        skipped = chosen is not None and chosen.skipped
        self.skip_button.setText("&Include this date" if skipped else "&Skip this date")

    def toggle_skip(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.skipped ^= {chosen.number}
        self.changed.emit()

    def move_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        start = chosen.starts_at
        dialog = MoveOccurrenceDialog(
            chosen,
            to_local(start, self.zone).replace(tzinfo=None)
            if start is not None
            else datetime.combine(chosen.day, self.first_time),
            self.zone,
            self,
        )
        if not prompts.run_dialog(dialog) or dialog.chosen is None:
            return
        self.moved[chosen.number] = dialog.chosen
        self.skipped.discard(chosen.number)
        self.changed.emit()


def _status(occurrence: PlannedOccurrence) -> str:
    if occurrence.skipped:
        return "Skipped"
    moved = "Moved: " if occurrence.moved else ""
    if occurrence.problem:
        return f"{moved}{occurrence.problem}"
    return f"{moved}Free" if moved else "Free"


class MoveOccurrenceDialog(QDialog):
    """Another day and time for one date of the series (its length stays)."""

    def __init__(
        self,
        occurrence: PlannedOccurrence,
        wall: datetime,
        zone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.zone = zone
        self.chosen: datetime | None = None
        self.setWindowTitle(f"Move date {occurrence.number}")
        self.date_edit = QDateEdit(_qdate(wall.date()))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.time_edit = QTimeEdit(QTime(wall.hour, wall.minute))
        self.time_edit.setDisplayFormat("H:mm")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {PROBLEM.name()}")
        form = QFormLayout()
        form.addRow("&Day", self.date_edit)
        form.addRow("&Time", self.time_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        reason = occurrence.problem or "Pick another day or time for this date."
        intro = QLabel(reason)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def set_when(self, day: date, wall: time) -> None:
        self.date_edit.setDate(_qdate(day))
        self.time_edit.setTime(QTime(wall.hour, wall.minute))

    def accept(self) -> None:
        wall = self.time_edit.time()
        try:
            self.chosen = local_to_utc(
                _pydate(self.date_edit.date()), time(wall.hour(), wall.minute()), self.zone
            )
        except InvalidInput as refused:  # a time the clocks skip
            self.error.setText(str(refused))
            return
        super().accept()
