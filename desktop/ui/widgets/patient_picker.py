"""Type-ahead patient search for dialogs: name, phone, patient number or birth date.

A pause in typing asks `services.patients.search_patients` (indexed, limited to
a screenful) in the background and shows the matches under the field (a search
overtaken by more typing, or by a choice, is dropped); Down and Enter, or a click,
choose one. Namesakes are told apart by patient number, birth date and phone.
"New patient…" creates one without leaving the dialog.

Signals:
    patient_chosen(Patient | None): a patient was picked, or the choice was cleared.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Patient
from desktop.services import patients
from desktop.ui.background_ops import TYPING_PAUSE_MS, Debounce, runner
from desktop.ui.models.patients import PATIENT_ROLE, PatientListModel, born
from desktop.ui.service_caller import ServiceCaller


class PatientPicker(QWidget):
    patient_chosen = Signal(object)

    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient: Patient | None = None
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("patientSearch")
        self.line_edit.setPlaceholderText("Type a name, phone, #number or date of birth…")
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setAccessibleName("Patient")
        self.new_button = QPushButton("New patient…")
        self.new_button.setAutoDefault(False)
        self.details = QLabel()
        self.details.setObjectName("patientDetails")
        self.details.setProperty("muted", True)
        self.model = PatientListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWidget(self.line_edit)
        # `activated` is overloaded (text or index); the stubs only know the text one.
        cast(Any, self.completer.activated)[QModelIndex].connect(self._activated)
        self._search_key = f"patient-picker-{id(self)}"
        self.search_later = Debounce(TYPING_PAUSE_MS, self._search, self)
        self.line_edit.textEdited.connect(self._typed)
        self.new_button.clicked.connect(self._new_patient)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.setFocusProxy(self.line_edit)

    def _typed(self, text: str) -> None:
        if self.patient is not None:
            self._set(None)
        self.search_later(text)

    def _search(self, text: str) -> None:
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: patients.search_patients(ctx, text, limit=20),
            key=self._search_key,
            refresh_on_refusal=False,
        ).success(lambda found: self._show_matches(text, found)).run()

    def _show_matches(self, text: str, found: list[Patient]) -> None:
        self.model.set_patients(found)
        if found:
            self.completer.complete()
        else:
            self.popup().hide()
        self.details.setText("No patient matches." if text.strip() and not found else "")

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        patient = index.data(PATIENT_ROLE)
        if isinstance(patient, Patient):
            self.choose(patient)

    def choose_row(self, row: int) -> None:
        """Pick the row-th match (what Down…Enter does in the pop-up)."""
        self.choose(self.model.patient(row))

    def popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter always makes one
        return popup

    def choose(self, patient: Patient | None) -> None:
        self.search_later.cancel()  # a search still on its way must not reopen the pop-up
        runner().cancel(self._search_key)
        self.popup().hide()
        self._set(patient)
        self.line_edit.setText(patient.display_name if patient else "")

    def clear(self) -> None:
        self.choose(None)
        self.model.set_patients([])

    def _set(self, patient: Patient | None) -> None:
        self.patient = patient
        if patient is None:
            self.details.setText("")
        else:
            facts = [f"Born {born(patient)}" if patient.date_of_birth else "", patient.phone]
            if patient.health_fund:
                facts.append(patient.health_fund)
            self.details.setText(" · ".join(f for f in facts if f))
        self.patient_chosen.emit(patient)

    def _new_patient(self) -> None:
        from desktop.ui.dialogs.patient_edit import PatientDialog  # a dialog opened from a dialog

        words = self.line_edit.text().split()
        dialog = PatientDialog(self.caller, None, self)
        if len(words) >= 2 and not any(ch.isdigit() for ch in "".join(words)):
            dialog.first_name.setText(words[0])
            dialog.last_name.setText(" ".join(words[1:]))
        dialog.saved.connect(self.choose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.patient_dialog = dialog
