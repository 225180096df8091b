"""First start: set up the clinic, a first practitioner and a first appointment type.

Shown to an administrator at start-up while the database has no clinic (right
after the first administrator is created). Each page saves when the user presses
Next, through the same services as the Settings pages, so a refused value is one
message and the page keeps what was typed; going Back and Next again edits what
was saved rather than adding a second one. "Finish later" closes the wizard: the
calendar then says what is still missing, with a button to add it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from desktop.domain.appointments import AppointmentType
from desktop.domain.people import Clinic, Practitioner
from desktop.services import setup
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.appointment_types_dialog import TypeForm, save_type
from desktop.ui.settings.clinic_dialog import ClinicForm, save_clinic
from desktop.ui.settings.practitioner_editor import PractitionerForm, save_practitioner


class _SavingPage(QWizardPage):
    """A page that saves its form when Next is pressed (and stays put when refused)."""

    def __init__(self, caller: ServiceCaller, title: str, subtitle: str) -> None:
        super().__init__()
        self.caller = caller
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.body = QVBoxLayout(self)

    def save(self) -> Changes:
        raise NotImplementedError

    def validatePage(self) -> bool:
        changes = self.caller.call(self.save, title=self.title(), refresh_on_refusal=False)
        if changes is None:
            return False
        self.caller.publish(changes)
        return True


class ClinicStep(_SavingPage):
    def __init__(self, caller: ServiceCaller) -> None:
        super().__init__(
            caller,
            "Your clinic",
            "Its name, contact details and time zone, and when it is open. "
            "The calendar shows these hours.",
        )
        self.form = ClinicForm()
        self.body.addWidget(self.form)
        self.clinic: Clinic | None = None

    def save(self) -> Changes:
        self.clinic, changes = save_clinic(self.caller, self.clinic, self.form.values())
        return changes


class PractitionerStep(_SavingPage):
    def __init__(self, caller: ServiceCaller, clinic_step: ClinicStep) -> None:
        super().__init__(
            caller,
            "A first practitioner",
            "Someone patients are booked with. Add everyone else later under "
            "Settings ▸ Practitioners.",
        )
        self.clinic_step = clinic_step
        self.form: PractitionerForm | None = None
        self.saved: Practitioner | None = None

    def initializePage(self) -> None:
        clinic = self.clinic_step.clinic
        if self.form is None and clinic is not None:
            self.form = PractitionerForm([clinic])
            self.form.set_hours(clinic.opening_hours)
            self.body.addWidget(self.form)

    def save(self) -> Changes:
        assert self.form is not None
        self.saved, changes = save_practitioner(self.caller, self.saved, self.form.details())
        return changes


class TypeStep(_SavingPage):
    def __init__(self, caller: ServiceCaller) -> None:
        super().__init__(
            caller,
            "A first appointment type",
            "What patients book: a consult or a class, its length and fee. "
            "Add more under Settings ▸ Appointment types.",
        )
        self.form = TypeForm()
        self.body.addWidget(self.form)
        self.saved: AppointmentType | None = None

    def save(self) -> Changes:
        self.saved, changes = save_type(self.caller, self.saved, self.form.details())
        return changes


class DoneStep(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Ready")
        text = QLabel(
            "The calendar opens next. Under Settings you can add more practitioners, "
            "appointment types and classes, packages, users, reminders and Xero."
        )
        text.setWordWrap(True)
        QVBoxLayout(self).addWidget(text)


class SetupWizard(QWizard):
    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caller = caller
        self.setWindowTitle("Set up Frontdesk")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # all saved by then
        self.setButtonText(QWizard.WizardButton.CancelButton, "Finish &later")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Open the &calendar")
        self.clinic_step = ClinicStep(caller)
        self.practitioner_step = PractitionerStep(caller, self.clinic_step)
        self.type_step = TypeStep(caller)
        self.done_step = DoneStep()
        for page in (self.clinic_step, self.practitioner_step, self.type_step, self.done_step):
            self.addPage(page)
        self.resize(640, 640)


def run_wizard(wizard: SetupWizard) -> int:
    """Show the wizard modally (module level: offscreen tests drive it instead)."""
    return wizard.exec()


def offer_setup(caller: ServiceCaller, parent: QWidget | None = None) -> bool:
    """At start-up: an administrator on a database without a clinic goes through the wizard.

    True when the wizard was shown (finished or not).
    """
    ctx = caller.ctx
    actor = caller.call(ctx.actor, refresh_on_refusal=False)
    if actor is None or not actor.is_admin:
        return False
    missing = caller.call(lambda: setup.missing_setup(ctx), refresh_on_refusal=False)
    if not missing or "clinic" not in missing:
        return False
    wizard = SetupWizard(caller, parent)
    run_wizard(wizard)
    # Gone once used: a hidden wizard left behind crashes Qt when the style is re-applied.
    wizard.deleteLater()
    return True
