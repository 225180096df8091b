"""The patient search window: type-ahead by name, phone, number or birth date, and a card.

Typing searches once the keys pause (`TYPING_PAUSE_MS`), in the background; a
search overtaken by more typing is dropped, so the list always matches the field.

Ctrl+F from anywhere opens it with the search field focused; Down moves into the
results, Enter opens the card, Ctrl+N adds a patient, Ctrl+E edits the one shown.

Signals:
    appointment_activated(Appointment): show this appointment on the calendar.
    book_requested(Patient): book an appointment for this patient.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Patient
from desktop.services import patients
from desktop.services.changes import Changes
from desktop.ui.background_ops import TYPING_PAUSE_MS, Debounce
from desktop.ui.dialogs.patient_edit import PatientDialog
from desktop.ui.models.patients import PatientTableModel
from desktop.ui.patients.card import PatientCard
from desktop.ui.service_caller import ServiceCaller

# Column widths from typical values, set once: measuring 200 rows of results on
# every search froze the window (the user can still drag a column wider).
TYPICAL = ("Margaret Fitzgerald-Brown", "#100000", "31/12/1980", "+61 412 345 678")


class _SearchField(QLineEdit):
    """Down arrow moves into the results, so the mouse is never needed."""

    def __init__(self, results: QTableView) -> None:
        super().__init__()
        self.results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and self.results.model().rowCount() > 0:
            self.results.setFocus()
            self.results.selectRow(0)
            return
        super().keyPressEvent(event)


class PatientSearchWindow(QWidget):
    appointment_activated = Signal(object)
    book_requested = Signal(object)

    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.caller = caller
        self.setWindowTitle("Patients")
        self.model = PatientTableModel(self)
        self.results = QTableView()
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self._size_columns()
        self.results.setAlternatingRowColors(True)
        self.search = _SearchField(self.results)
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText(
            "Search by name, phone, #number or date of birth (31/12/1980)"
        )
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setProperty("muted", True)
        self.card = PatientCard(caller, zone)
        self.new_button = QPushButton("&New patient…")
        self.book_button = QPushButton("&Book appointment…")
        self.book_button.setEnabled(False)
        self._search_key = f"patient-search-{id(self)}"
        self.search_later = Debounce(TYPING_PAUSE_MS, self.run_search, self)
        self.search.textChanged.connect(self.search_later)
        self.results.selectionModel().selectionChanged.connect(self._selected)
        self.results.activated.connect(self._activated)
        self.new_button.clicked.connect(self.new_patient)
        self.book_button.clicked.connect(lambda: self.book_requested.emit(self.card.patient))
        self.card.edit_requested.connect(self.edit_patient)
        self.card.appointment_activated.connect(self.appointment_activated)
        caller.bus.changed.connect(self._on_changes)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_patient)
        QShortcut(QKeySequence("Ctrl+E"), self, lambda: self.edit_patient(self.card.patient))
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._layout()
        self.editor: PatientDialog | None = None

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.count)
        column.addWidget(self.results, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.book_button)
        column.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(1100, 640)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _size_columns(self) -> None:
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)  # the health fund takes the rest
        metrics = self.results.fontMetrics()
        padding = 2 * metrics.horizontalAdvance("MM")
        for column, text in enumerate(TYPICAL):
            self.results.setColumnWidth(column, metrics.horizontalAdvance(text) + padding)

    def run_search(self, text: str) -> None:
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: patients.search_patients(ctx, text, limit=200),
            key=self._search_key,
            refresh_on_refusal=False,
        ).success(lambda found: self._show_results(text, found)).run()

    def _show_results(self, text: str, found: list[Patient]) -> None:
        self.model.set_patients(found)
        shown = len(found)
        self.count.setText(
            ""
            if not text.strip()
            else f"{shown} patient{'s' if shown != 1 else ''}"
            + (" (showing the first 200)" if shown >= 200 else "")
        )
        if shown == 1:
            self.results.selectRow(0)

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        patient = self.model.patient(rows[0].row()) if rows else None
        self.card.show_patient(patient.id if patient else None)
        self.book_button.setEnabled(patient is not None)

    def _activated(self, index: QModelIndex) -> None:
        self.card.show_patient(self.model.patient(index.row()).id)
        self.card.upcoming_table.setFocus()

    def new_patient(self) -> PatientDialog:
        dialog = PatientDialog(self.caller, None, self)
        dialog.saved.connect(self._saved)
        self.editor = dialog
        dialog.open()
        return dialog

    def edit_patient(self, patient: Patient | None) -> PatientDialog | None:
        if patient is None:
            return None
        dialog = PatientDialog(self.caller, patient, self)
        dialog.saved.connect(self._saved)
        self.editor = dialog
        dialog.open()
        return dialog

    def _saved(self, patient: Patient) -> None:
        self.search.setText(f"#{patient.number}")
        self.card.show_patient(patient.id)

    def _on_changes(self, changes: Changes) -> None:
        if changes.patients and self.search.text().strip():
            self.run_search(self.search.text())
