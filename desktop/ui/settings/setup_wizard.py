"""First start: set up the clinic, a first practitioner and a first appointment type.

Shown to an administrator at start-up while the database has no clinic (right
after the first administrator is created). Each page saves when the user presses
Next, through the same services as the Settings pages, so a refused value is one
message and the page keeps what was typed; going Back and Next again edits what
was saved rather than adding a second one. "Finish later" closes the wizard: the
calendar then says what is still missing, with a button to add it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from desktop.domain.appointments import AppointmentType
from desktop.domain.people import Clinic, Practitioner
from desktop.services import setup
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.appointment_types_dialog import TypeForm, save_type
from desktop.ui.settings.clinic_dialog import ClinicForm, save_clinic
from desktop.ui.settings.practitioner_editor import PractitionerForm, save_practitioner
from desktop.ui.widgets.busy_form import BusyForm


class _SavingPage(QWizardPage):
    """A page that saves its form when Next is pressed (and stays put when refused).

    `QWizard.validatePage` must answer at once, so Next answers "not yet": the form
    is read on the GUI thread, the save runs in the background with the page busy
    (every field and the wizard's buttons off, "Saving…"), and once it is saved the
    page moves the wizard on itself. A refusal is one message over the page, which
    keeps everything typed.
    """

    def __init__(self, caller: ServiceCaller, title: str, subtitle: str) -> None:
        super().__init__()
        self.caller = caller
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.body = QVBoxLayout(self)
        self.busy = BusyForm(self, caller)
        self._saved_now = False  # the save is done: the next validatePage lets the wizard on

    def add_form(self, form: QWidget) -> None:
        self.body.insertWidget(self.body.indexOf(self.busy.label), form)  # above "Saving…"

    def saving(self) -> Callable[[], tuple[Any, Changes]]:
        """What was typed, as the service call to make (no widgets inside it)."""
        raise NotImplementedError

    def keep(self, saved: Any) -> None:
        """The record as saved (Back and Next again edit it rather than add another)."""
        raise NotImplementedError

    def isComplete(self) -> bool:
        return not self.busy.busy and super().isComplete()

    def validatePage(self) -> bool:
        if self._saved_now:
            self._saved_now = False
            return True
        if self.busy.busy:
            return False  # Enter pressed again while saving: one save
        work = self.caller.in_memory(self.saving, title=self.title())
        if work is None:
            return False  # a field was refused; everything typed stays
        self.busy.save(
            work,
            self._saved,
            title=self.title(),
            refresh_on_refusal=False,
            on_error=lambda _exc: self._waiting(False),
        )
        self._waiting(True)
        return False

    def _saved(self, result: tuple[Any, Changes]) -> None:
        saved, changes = result
        self.keep(saved)
        self.caller.publish(changes)
        self._waiting(False)
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            self._saved_now = True
            wizard.next()

    def _waiting(self, waiting: bool) -> None:
        """The wizard's own buttons follow the page: off while it saves."""
        wizard = self.wizard()
        if wizard is not None:
            for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
                wizard.button(which).setEnabled(not waiting)
        self.completeChanged.emit()


class ClinicStep(_SavingPage):
    def __init__(self, caller: ServiceCaller) -> None:
        super().__init__(
            caller,
            "Your clinic",
            "Its name, contact details and time zone, and when it is open. "
            "The calendar shows these hours.",
        )
        self.form = ClinicForm()
        self.add_form(self.form)
        self.clinic: Clinic | None = None

    def saving(self) -> Callable[[], tuple[Any, Changes]]:
        caller, clinic, values = self.caller, self.clinic, self.form.values()
        return lambda: save_clinic(caller, clinic, values)

    def keep(self, saved: Any) -> None:
        self.clinic = saved


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
            self.add_form(self.form)

    def saving(self) -> Callable[[], tuple[Any, Changes]]:
        assert self.form is not None
        caller, saved, details = self.caller, self.saved, self.form.details()
        return lambda: save_practitioner(caller, saved, details)

    def keep(self, saved: Any) -> None:
        self.saved = saved


class TypeStep(_SavingPage):
    def __init__(self, caller: ServiceCaller) -> None:
        super().__init__(
            caller,
            "A first appointment type",
            "What patients book: a consult or a class, its length and fee. "
            "Add more under Settings ▸ Appointment types.",
        )
        self.form = TypeForm()
        self.add_form(self.form)
        self.saved: AppointmentType | None = None

    def saving(self) -> Callable[[], tuple[Any, Changes]]:
        caller, saved, details = self.caller, self.saved, self.form.details()
        return lambda: save_type(caller, saved, details)

    def keep(self, saved: Any) -> None:
        self.saved = saved


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

    def reject(self) -> None:
        """Finish later (or Escape) waits while a page is saving: its outcome must be seen."""
        page = self.currentPage()
        if isinstance(page, _SavingPage) and page.busy.busy:
            return
        super().reject()


def run_wizard(wizard: SetupWizard) -> int:
    """Show the wizard modally (module level: offscreen tests drive it instead)."""
    return wizard.exec()


def offer_setup(caller: ServiceCaller, parent: QWidget | None = None) -> None:
    """At start-up: an administrator on a database without a clinic goes through the wizard.

    Who is signed in and what set-up lacks are read in the background; the wizard
    opens (modally, over `parent`) when they say so.
    """
    ctx = caller.ctx

    def read() -> bool:
        return ctx.actor().is_admin and "clinic" in setup.missing_setup(ctx)

    caller.in_background(
        read, title="Set up Frontdesk", refresh_on_refusal=False, parent=parent
    ).success(lambda needed: _run_setup(caller, parent) if needed else None).run()


def _run_setup(caller: ServiceCaller, parent: QWidget | None) -> None:
    wizard = SetupWizard(caller, parent)
    run_wizard(wizard)
    # Gone once used: a hidden wizard left behind crashes Qt when the style is re-applied.
    wizard.deleteLater()
