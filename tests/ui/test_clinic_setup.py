"""A clinic sets itself up from an EMPTY database through the widgets alone.

First administrator -> set-up wizard (clinic, a practitioner, a type) -> Settings
pages (a second practitioner, edited afterwards; a class type; a package). Services
are called only to read back what is asserted. Every new page is saved as a
screenshot at 1366x768 under the test's tmp_path.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWizard
from sqlalchemy import select

from desktop.auth import Passwords, SessionPolicy
from desktop.auth.remembered import RememberedSignIn
from desktop.domain.appointments import AppointmentKind
from desktop.domain.errors import InvalidInput
from desktop.domain.hours import TimeWindow
from desktop.domain.money import Money
from desktop.services import calendar, credit
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.store.models import ClinicRow
from desktop.sync.runner import SyncState, SyncStatus
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import setup_wizard
from desktop.ui.settings.fields import TimeZoneField
from desktop.ui.settings.setup_wizard import SetupWizard, offer_setup
from desktop.ui.signin import FirstAdminDialog, SignInController, sign_in_at_startup
from tests.auth.keyrings import MemoryKeyring, using_keyring
from tests.auth.people import DESK_PASSWORD, make_people
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, make_clinic
from tests.ui.calendar_support import NOW


def shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.resize(1366, 768) if isinstance(widget, MainWindow) else None
    widget.show()
    QApplication.processEvents()
    assert widget.grab().save(str(folder / f"{name}.png"))


def flush_deletes() -> None:
    """Delete what `deleteLater` queued (the used wizard) before the next test's window."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def first_admin(ctx: ServiceContext) -> ServiceContext:
    """The first-run dialog, filled as a new owner would."""
    accounts = Accounts(ctx.database, passwords=Passwords.cheapest())

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, FirstAdminDialog)
        dialog.display_name.setText("Olive Owner")
        dialog.username.setText("olive")
        dialog.password.setText("owner's long password")
        dialog.confirm.setText("owner's long password")
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        startup = sign_in_at_startup(accounts, RememberedSignIn(ctx.database.url), run=run)
    assert startup is not None
    return ServiceContext(ctx.database, accounts.session(startup.signed_in))


def new_window(qtbot, ctx: ServiceContext, settings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, settings, now=lambda: NOW, start_day=DAY)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    settle(qtbot)
    return window


def next_page(wizard: QWizard) -> None:
    """Next, and wait for the page's save in the background (inside the wizard's exec)."""
    wizard.button(QWizard.WizardButton.NextButton).click()
    settle()


def fill_clinic(wizard: SetupWizard, errors: list[str], tmp_path: Path) -> None:
    form = wizard.clinic_step.form
    shot(wizard, tmp_path, "wizard-clinic-empty")
    next_page(wizard)
    assert errors[-1] == "The clinic needs a name."
    form.name.setText("Riverside Physio")
    form.address.setPlainText("4 River Rd, Perth WA 6000")
    form.phone.setText("08 9555 0101")
    form.timezone.setCurrentText("Australia/Perth")
    for weekday in range(5):
        form.hours.days[weekday].setText("08:00-18:00")
    form.hours.days[1].setText("17:00-09:00")
    next_page(wizard)
    assert errors[-1] == "Tuesday: 09:00 is not after 17:00"
    assert wizard.currentPage() is wizard.clinic_step
    form.hours.days[1].setText("08:00-18:00")
    form.hours.days[5].setText("9-12")
    shot(wizard, tmp_path, "wizard-clinic")
    next_page(wizard)
    assert wizard.currentPage() is wizard.practitioner_step


def test_a_new_clinic_sets_itself_up_through_the_window(
    qtbot, local_ctx, settings, errors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = first_admin(local_ctx)
    window = new_window(qtbot, ctx, settings)
    assert window.calendar.banner.missing == "clinic"
    shot(window, tmp_path, "calendar-not-set-up")

    def drive(wizard: SetupWizard) -> int:
        wizard.show()
        fill_clinic(wizard, errors, tmp_path)
        form = wizard.practitioner_step.form
        assert form is not None
        assert form.hours.days[5].text() == "09:00-12:00"  # starts from the opening hours
        form.name.setText("Ann Physio")
        form.profession.setText("Physiotherapist")
        form.colour.text.setText("#2e86de")
        next(iter(form.provider_numbers.values())).setText("2448761A")
        form.hours.days[0].setText("08:00-12:00, 13:00-17:00")
        shot(wizard, tmp_path, "wizard-practitioner")
        next_page(wizard)
        back = wizard.button(QWizard.WizardButton.BackButton)
        back.click()  # Back and Next again edits Ann rather than adding a second Ann
        next_page(wizard)
        types = wizard.type_step.form
        types.name.setText("Standard consult")
        types.price.setText("abc")
        next_page(wizard)
        assert errors[-1] == "Price: “abc” is not an amount of money (e.g. 90.00)."
        types.price.setText("90")
        types.item_code.setText("505")
        shot(wizard, tmp_path, "wizard-type")
        next_page(wizard)
        shot(wizard, tmp_path, "wizard-done")
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    shown: list[SetupWizard] = []
    monkeypatch.setattr(
        setup_wizard, "run_wizard", lambda wizard: shown.append(wizard) or drive(wizard)
    )
    offer_setup(window.caller, window)
    assert shown == []  # who is signed in and what is missing are read first
    settle(qtbot)
    assert len(shown) == 1
    flush_deletes()
    clinic = calendar.main_clinic(ctx)
    assert (clinic.name, clinic.timezone, clinic.phone) == (
        "Riverside Physio",
        "Australia/Perth",
        "08 9555 0101",
    )
    assert clinic.opening_hours.windows(5) == (TimeWindow(time(9), time(12)),)
    assert clinic.opening_hours.windows(6) == ()
    [ann] = calendar.practitioners(ctx)
    assert ann.availability.windows(0) == (
        TimeWindow(time(8), time(12)),
        TimeWindow(time(13), time(17)),
    )
    assert ann.provider_numbers == {clinic.id: "2448761A"}
    offer_setup(window.caller, window)
    settle(qtbot)
    assert len(shown) == 1  # a clinic exists: no wizard again

    # Settings ▸ Practitioners: a second practitioner, then edit her (not Ann).
    page = window.open_practitioners()
    settle(qtbot)  # the list, and who is signed in, are read in the background
    page.add()
    settle(qtbot)  # the clinics are read, then the editor opens
    dialog = page.editor
    assert dialog is not None
    assert dialog.form.order.value() == 1
    dialog.form.name.setText("Bea Osteo")
    dialog.form.profession.setText("Osteopath")
    dialog.form.colour.text.setText("#10ac84")
    dialog.form.hours.days[2].setText("10:00-16:00")
    shot(dialog, tmp_path, "practitioner-add")
    assert dialog.save()
    settle(qtbot)
    page.select(next(p.id for p in page.model_practitioners() if p.name == "Bea Osteo"))
    assert page.selected() is not None and page.selected().name == "Bea Osteo"  # row 2
    page.edit_selected()
    settle(qtbot)
    editor = page.editor
    assert editor is not None and editor is not dialog
    assert editor.form.hours.days[2].text() == "10:00-16:00"
    editor.form.name.setText("")
    editor.save()
    settle(qtbot)  # refused by the service: one message, the editor keeps the rest
    assert errors[-1] == "A practitioner needs a name."
    assert editor.isVisible() and editor.form.hours.days[2].text() == "10:00-16:00"
    editor.form.name.setText("Bea Osteo")
    editor.form.profession.setText("Osteopath (sports)")
    editor.form.hours.days[3].setText("12:00-13:00, 14:00-19:00")
    shot(editor, tmp_path, "practitioner-edit")
    assert editor.save()
    settle(qtbot)
    shot(page, tmp_path, "practitioners")
    after = {p.name: p for p in calendar.practitioners(ctx)}
    assert after["Ann Physio"] == ann  # untouched by the edit of the second one
    assert after["Bea Osteo"].profession == "Osteopath (sports)"
    assert after["Bea Osteo"].availability.windows(3)[1] == TimeWindow(time(14), time(19))

    # Settings ▸ Appointment types: a class.
    types_dialog = window.open_appointment_types()
    settle(qtbot)
    type_dialog = types_dialog.add()
    assert type_dialog is not None
    type_dialog.form.choose_kind(AppointmentKind.CLASS)
    assert type_dialog.form.capacity.isVisibleTo(type_dialog)
    type_dialog.form.name.setText("Studio reformer class")
    type_dialog.form.duration.setValue(55)
    type_dialog.form.price.setText("25.50")
    type_dialog.form.capacity.setValue(6)
    shot(type_dialog, tmp_path, "type-add-class")
    assert type_dialog.save()
    settle(qtbot)
    shot(types_dialog, tmp_path, "appointment-types")
    reformer = next(t for t in calendar.appointment_types(ctx) if t.name == "Studio reformer class")
    assert (reformer.kind, reformer.capacity, reformer.price) == (
        AppointmentKind.CLASS,
        6,
        Money(2550),
    )

    # Settings ▸ Packages: five classes, for the class type only; auto-apply off.
    packages_dialog = window.open_packages()
    settle(qtbot)
    package_dialog = packages_dialog.add()
    assert package_dialog is not None
    package_dialog.name.setText("5 reformer classes")
    package_dialog.sessions.setValue(5)
    package_dialog.price.setText("120")
    package_dialog.expires.setChecked(True)
    package_dialog.valid_days.setValue(90)
    package_dialog.tick_type(reformer.id)  # the second type in the list
    shot(package_dialog, tmp_path, "package-add")
    assert package_dialog.save()
    settle(qtbot)
    assert packages_dialog.auto_apply.isChecked()  # the clinic's setting as saved: on
    packages_dialog.auto_apply.setChecked(False)
    settle(qtbot)
    assert not packages_dialog.auto_apply.isChecked()
    shot(packages_dialog, tmp_path, "packages")
    [package] = credit.packages(ctx)
    assert (package.sessions, package.price, package.valid_days) == (5, Money(12000), 90)
    assert package.eligible_type_ids == frozenset({reformer.id})
    assert credit.auto_apply(ctx) is False

    # The calendar shows both practitioners, and no set-up strip any more.
    settle(qtbot)
    snapshot = window.calendar.snapshot
    assert snapshot is not None
    assert [p.name for p in snapshot.practitioners] == ["Ann Physio", "Bea Osteo"]
    assert window.calendar.banner.missing == ""
    shot(window, tmp_path, "calendar-set-up")


def test_finish_later_leaves_a_strip_that_says_what_is_missing(
    qtbot, local_ctx, settings, errors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = first_admin(local_ctx)
    window = new_window(qtbot, ctx, settings)

    def clinic_only(wizard: SetupWizard) -> int:
        wizard.show()
        fill_clinic(wizard, errors, tmp_path)
        wizard.button(QWizard.WizardButton.CancelButton).click()  # "Finish later"
        return wizard.result()

    shown: list[SetupWizard] = []
    monkeypatch.setattr(
        setup_wizard, "run_wizard", lambda wizard: shown.append(wizard) or clinic_only(wizard)
    )
    offer_setup(window.caller, window)
    settle(qtbot)
    assert len(shown) == 1
    flush_deletes()
    window.show()
    settle(qtbot)
    banner = window.calendar.banner
    assert banner.isVisible()
    assert banner.text.text().startswith("No practitioners yet")
    shot(window, tmp_path, "calendar-no-practitioners")
    page = window.open_setup_for(banner.missing)
    assert page.windowTitle() == "Practitioners"
    settle(qtbot)
    editor = getattr(page, "editor", None)
    assert editor is not None and editor.windowTitle() == "Add a practitioner"
    editor.form.name.setText("Ann Physio")
    assert editor.save()
    settle(qtbot)
    assert banner.text.text().startswith("No appointment types yet")


def test_a_receptionist_sees_the_settings_read_only(
    qtbot, local_ctx, settings, tmp_path: Path
) -> None:
    clinic = make_clinic(local_ctx)
    people = make_people(local_ctx, clinic)
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    window = MainWindow(desk, settings, now=lambda: NOW, start_day=DAY)
    qtbot.addWidget(window)
    clinic_dialog = window.open_clinic()
    settle(qtbot)  # the clinic and the role are read in the background
    assert not clinic_dialog.save_button.isEnabled()
    assert clinic_dialog.form.name.isReadOnly()
    assert clinic_dialog.form.name.text() == "Test Clinic"
    shot(clinic_dialog, tmp_path, "clinic-read-only")
    types_dialog = window.open_appointment_types()
    settle(qtbot)
    types_dialog.table.selectRow(1)
    assert not types_dialog.add_button.isEnabled()
    assert not types_dialog.edit_button.isEnabled()
    assert not types_dialog.retire_button.isEnabled()
    assert "Only an administrator" in types_dialog.note.text()
    assert types_dialog.edit_selected() is None
    practitioners_dialog = window.open_practitioners()
    settle(qtbot)
    assert not practitioners_dialog.add_button.isEnabled()
    practitioners_dialog.add()
    settle(qtbot)
    assert practitioners_dialog.editor is None
    signin_dialog = window.open_sign_in_policy()
    settle(qtbot)
    assert not signin_dialog.save_button.isEnabled()
    assert not signin_dialog.idle_minutes.isEnabled()
    packages_dialog = window.open_packages()
    settle(qtbot)
    assert packages_dialog.add_button.isEnabled()  # reception sells and sets up packages
    assert not packages_dialog.edit_button.isEnabled()  # nothing chosen yet


def test_retiring_the_second_type_keeps_the_first(
    qtbot, local_ctx, settings, tmp_path: Path
) -> None:
    make_clinic(local_ctx)
    people = make_people(local_ctx)
    admin = people.context(people.signed_in("admin", "admin password 1"))
    window = MainWindow(admin, settings, now=lambda: NOW, start_day=DAY)
    qtbot.addWidget(window)
    page = window.open_appointment_types()
    settle(qtbot)
    page.table.selectRow(1)  # "Reformer" comes after "Consult"
    chosen = page.selected()
    assert chosen is not None and chosen.name == "Reformer"
    page.retire_button.click()
    settle(qtbot)
    assert page.selected() is not None and not page.selected().active
    assert [t.name for t in calendar.appointment_types(admin)] == ["Consult"]
    assert page.restore_button.isEnabled()
    editor = page.edit_selected()
    assert editor is not None
    assert editor.form.chosen_kind() is AppointmentKind.CLASS
    assert editor.form.price.text() == "45.00"
    shot(page, tmp_path, "types-retired")


def _admins_window_with_idle_lock(qtbot, local_ctx, settings):  # type: ignore[no-untyped-def]
    """An admin signed in on the test clinic, its window under a sign-in controller."""
    make_clinic(local_ctx)
    people = make_people(local_ctx)
    session = people.signed_in("admin", "admin password 1")
    window = MainWindow(people.context(session), settings, now=lambda: NOW, start_day=DAY)
    qtbot.addWidget(window)
    with using_keyring(MemoryKeyring()):
        controller = SignInController(
            people.accounts, session, RememberedSignIn(local_ctx.database.url)
        )
        lock = controller.attach(window)
    return people, window, lock


def test_a_new_idle_timeout_reaches_the_open_window_at_once(
    qtbot, local_ctx, settings, errors, tmp_path: Path
) -> None:
    people, window, lock = _admins_window_with_idle_lock(qtbot, local_ctx, settings)
    assert lock.timeout is None  # the clinic's timeout is read in the background
    settle(qtbot)
    assert lock.timeout == timedelta(minutes=15)
    page = window.open_sign_in_policy()
    settle(qtbot)  # the policy is read in the background
    page.idle_minutes.setValue(3)
    page.lifetime_hours.setValue(9)
    shot(page, tmp_path, "sign-in")
    assert page.save()
    settle(qtbot)
    assert lock.timeout == timedelta(minutes=3)
    assert lock.timer.interval() == 5000
    assert people.accounts.policy().lifetime == timedelta(hours=9)
    page = window.open_sign_in_policy()
    settle(qtbot)
    page.idle_minutes.setValue(10 * 60)
    page.lifetime_hours.setValue(8)
    page.save()
    settle(qtbot)  # idle longer than the session: refused, nothing saved, still open
    assert errors == ["The idle timeout cannot be longer than the session itself."]
    assert page.isVisible() and page.idle_minutes.value() == 10 * 60
    assert lock.timeout == timedelta(minutes=3)
    assert people.accounts.policy().lifetime == timedelta(hours=9)


def test_an_idle_timeout_another_desk_set_reaches_the_open_window_after_a_pull(
    qtbot, local_ctx, settings
) -> None:
    people, window, lock = _admins_window_with_idle_lock(qtbot, local_ctx, settings)
    settle(qtbot)
    assert lock.timeout == timedelta(minutes=15)
    # A sync pass wrote the clinic's new policy (an administrator at another desk) …
    people.accounts.authenticator.set_policy(SessionPolicy(idle_timeout=timedelta(minutes=4)))
    report = window.sync.signals.report_status
    report(SyncStatus(SyncState.SYNCED, pulled=frozenset({"appointments"})))
    settle(qtbot)
    assert lock.timeout == timedelta(minutes=15)  # nothing the idle lock follows
    # … and says so: the idle lock takes it without a restart.
    report(SyncStatus(SyncState.SYNCED, pulled=frozenset({"sign_in_policy"})))
    settle(qtbot)
    assert lock.timeout == timedelta(minutes=4)


def test_the_time_zone_is_found_by_any_part_of_its_name(qtbot) -> None:
    field = TimeZoneField("UTC")
    qtbot.addWidget(field)
    completer = field.completer()
    assert completer is not None
    completer.setCompletionPrefix("perth")
    found = {
        completer.completionModel().index(row, 0).data()
        for row in range(completer.completionCount())
    }
    assert "Australia/Perth" in found
    field.setCurrentText("Mars/Olympus")
    with pytest.raises(InvalidInput, match="is not a time zone"):
        field.zone()
    field.set_zone("Australia/Perth")
    assert field.zone() == "Australia/Perth"


def _clinic_names(ctx: ServiceContext) -> list[str]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(ClinicRow.name)))


def test_next_saves_in_the_background_with_the_page_busy_and_moves_on_once_saved(
    qtbot, local_ctx, settings, errors
) -> None:
    ctx = first_admin(local_ctx)
    window = new_window(qtbot, ctx, settings)
    wizard = SetupWizard(window.caller, window)
    wizard.show()
    step = wizard.clinic_step
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    finish_later = wizard.button(QWizard.WizardButton.CancelButton)
    step.form.phone.setText("08 9555 0101")
    next_button.click()  # no name: refused by the service, in the background
    assert not next_button.isEnabled() and not finish_later.isEnabled()
    settle(qtbot)
    assert errors == ["The clinic needs a name."]
    assert wizard.currentPage() is step
    assert step.form.isEnabled() and next_button.isEnabled() and finish_later.isEnabled()
    assert step.form.phone.text() == "08 9555 0101"  # what was typed stays

    step.form.name.setText("Riverside Physio")
    next_button.click()
    # Next answered at once: the page waits, busy, while the clinic is saved.
    assert wizard.currentPage() is step
    assert step.busy.label.isVisibleTo(step) and step.busy.label.text() == "Saving…"
    assert not step.form.isEnabled()
    assert not next_button.isEnabled() and not finish_later.isEnabled()
    step.validatePage()  # Enter again while saving: no second save
    wizard.reject()  # nor does Finish later (or Escape) close it meanwhile
    assert wizard.isVisible()
    settle(qtbot)
    assert wizard.currentPage() is wizard.practitioner_step  # moved on by itself
    assert _clinic_names(ctx) == ["Riverside Physio"]
    assert errors == ["The clinic needs a name."]

    wizard.back()
    step.form.name.setText("Riverside Physio & Pilates")
    next_button.click()
    settle(qtbot)
    assert wizard.currentPage() is wizard.practitioner_step
    assert _clinic_names(ctx) == ["Riverside Physio & Pilates"]  # edited, not a second
    assert wizard.practitioner_step.form is not None
    wizard.reject()
    assert not wizard.isVisible()
