"""Create or edit a patient, with the reason next to the field when something is wrong.

Checks what it can before saving (names, a birth date it can read, the domain's
own `PatientDetails.cleaned()` rules) and shows the message in the dialog rather
than in a box, so the receptionist fixes it in place.

Signals:
    saved(Patient): the patient as stored.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InvalidInput
from desktop.domain.people import Patient
from desktop.domain.phones import display_phone
from desktop.services import patients
from desktop.services.changes import Changes
from desktop.services.patients import PatientDetails, parse_date
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm


class PatientDialog(QDialog):
    saved = Signal(object)

    def __init__(
        self, caller: ServiceCaller, patient: Patient | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient = patient
        self.setWindowTitle(f"Edit {patient.display_name}" if patient else "New patient")
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText("dd/mm/yyyy")
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = QLineEdit()
        self.health_fund = QLineEdit()
        self.health_fund_number = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(70)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        for label, field in (
            ("&First name", self.first_name),
            ("&Last name", self.last_name),
            ("Date of &birth", self.date_of_birth),
            ("&Phone", self.phone),
            ("&Email", self.email),
            ("&Address", self.address),
            ("Health &fund", self.health_fund),
            ("Fund &number", self.health_fund_number),
            ("N&otes", self.notes),
        ):
            form.addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.busy = BusyForm(self, caller)
        if patient is not None:
            self._fill(patient)
        self.resize(460, self.sizeHint().height())

    def _fill(self, patient: Patient) -> None:
        self.first_name.setText(patient.first_name)
        self.last_name.setText(patient.last_name)
        if patient.date_of_birth:
            self.date_of_birth.setText(f"{patient.date_of_birth:%d/%m/%Y}")
        self.phone.setText(display_phone(patient.phone))
        self.email.setText(patient.email)
        self.address.setText(patient.address)
        self.health_fund.setText(patient.health_fund)
        self.health_fund_number.setText(patient.health_fund_number)
        self.notes.setPlainText(patient.notes)

    def details(self) -> PatientDetails:
        """What was typed, checked; raises InvalidInput with a message for the user."""
        born_text = self.date_of_birth.text().strip()
        born = parse_date(born_text) if born_text else None
        if born_text and born is None:
            raise InvalidInput(
                f"“{born_text}” is not a date of birth; type it as day/month/year, e.g. 31/12/1980."
            )
        return PatientDetails(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            date_of_birth=born,
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.text(),
            health_fund=self.health_fund.text(),
            health_fund_number=self.health_fund_number.text(),
            notes=self.notes.toPlainText(),
        ).cleaned()

    def show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def accept(self) -> None:
        try:
            details = self.details()
        except InvalidInput as exc:
            self.show_problem(str(exc))
            return
        self.show_problem("")
        ctx, patient = self.caller.ctx, self.patient
        if patient is None:
            self.busy.save(
                lambda: patients.create_patient(ctx, details),
                self._saved,
                title="New patient",
                refresh_on_refusal=False,
            )
        else:
            self.busy.save(
                lambda: patients.update_patient(ctx, patient.id, details, patient.version),
                self._saved,
                title="Edit patient",
            )

    def _saved(self, result: tuple[Patient, Changes]) -> None:
        saved, changes = result
        self.caller.publish(changes)
        self.saved.emit(saved)
        super().accept()
