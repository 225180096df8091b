"""A real clinic, from an EMPTY database to a printed health-fund receipt, through the
window alone.

First administrator -> set-up wizard (clinic, first practitioner, an individual type)
-> Settings (a second practitioner with hours, a class type, a 10-class pass) ->
a new patient -> an appointment with the SECOND practitioner and a class with the
patient in it -> the pass sold on the patient card -> the appointment invoiced and
paid -> the class invoiced and paid from the pass by itself -> both receipts printed
to one PDF, read back. Services are called only to read back what is asserted.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QWizard

from desktop.domain.appointments import AppointmentKind
from desktop.domain.billing import PaidStatus, PaymentMethod
from desktop.domain.clinic_time import day_bounds
from desktop.domain.money import Money
from desktop.services import billing, calendar, credit, patients
from desktop.services.context import ServiceContext
from desktop.ui.billing.invoice_dialog import InvoiceDialog
from desktop.ui.calendar.appointment_menus import menu_action
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog
from desktop.ui.export_actions import ExportQuestions, RangeAnswer
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import setup_wizard
from desktop.ui.settings.setup_wizard import SetupWizard, offer_setup
from tests.helpers.background import settle
from tests.helpers.clinic import DAY
from tests.ui.calendar_support import block_point, double_click
from tests.ui.money_support import Answers, answers
from tests.ui.test_clinic_setup import (
    fill_clinic,
    first_admin,
    flush_deletes,
    new_window,
    next_page,
    shot,
)

__all__ = ["answers"]

ZONE = ZoneInfo("Australia/Perth")


def set_up_with_the_wizard(
    window: MainWindow, errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def drive(wizard: SetupWizard) -> int:
        wizard.show()
        fill_clinic(wizard, errors, tmp_path)
        form = wizard.practitioner_step.form
        assert form is not None
        form.name.setText("Ann Physio")
        form.profession.setText("Physiotherapist")
        next(iter(form.provider_numbers.values())).setText("2448761A")
        form.hours.days[0].setText("08:00-12:00, 13:00-17:00")
        next_page(wizard)
        types = wizard.type_step.form
        types.name.setText("Standard consult")
        types.price.setText("95.00")
        types.item_code.setText("505")
        next_page(wizard)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    shown: list[SetupWizard] = []
    monkeypatch.setattr(
        setup_wizard, "run_wizard", lambda wizard: shown.append(wizard) or drive(wizard)
    )
    offer_setup(window.caller, window)
    settle()  # the wizard opens once who is signed in and what is missing are read
    assert len(shown) == 1
    flush_deletes()
    # fill_clinic's two slips were each refused with one message; nothing else was.
    assert errors == ["The clinic needs a name.", "Tuesday: 09:00 is not after 17:00"]
    errors.clear()


def add_second_practitioner(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = window.open_practitioners()
    settle(qtbot)  # the list, and who is signed in, are read in the background
    page.add()
    settle(qtbot)
    dialog = page.editor
    assert dialog is not None
    dialog.form.name.setText("Bea Osteo")
    dialog.form.profession.setText("Osteopath")
    dialog.form.colour.text.setText("#10ac84")
    next(iter(dialog.form.provider_numbers.values())).setText("5512345B")
    dialog.form.hours.days[0].setText("12:00-18:00")
    assert dialog.save()
    settle(qtbot)
    shot(page, tmp_path, "practitioners")
    page.close()


def add_class_type_and_pass(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    types_dialog = window.open_appointment_types()
    settle(qtbot)
    dialog = types_dialog.add()
    assert dialog is not None
    dialog.form.choose_kind(AppointmentKind.CLASS)
    dialog.form.name.setText("Studio reformer class")
    dialog.form.duration.setValue(50)
    dialog.form.price.setText("40.00")
    dialog.form.item_code.setText("560")
    dialog.form.capacity.setValue(8)
    assert dialog.save()
    settle(qtbot)
    shot(types_dialog, tmp_path, "appointment-types")
    types_dialog.close()

    packages_dialog = window.open_packages()
    settle(qtbot)
    package = packages_dialog.add()
    assert package is not None
    package.name.setText("10 reformer classes")
    package.sessions.setValue(10)
    package.price.setText("400")
    [item] = package.types.findItems("Studio reformer class", Qt.MatchFlag.MatchExactly)
    assert package.types.row(item) == 1  # after "Standard consult": not the first
    item.setCheckState(Qt.CheckState.Checked)
    assert package.save()
    settle(qtbot)
    assert packages_dialog.auto_apply.isChecked()  # a class is paid from the pass by itself
    model = packages_dialog.model
    assert [model.index(0, c).data() for c in range(3)] == [
        "10 reformer classes",
        "10 sessions",
        "Studio reformer class",  # which types it pays for, by name
    ]
    shot(packages_dialog, tmp_path, "packages")
    packages_dialog.close()


def add_patient(window: MainWindow, errors: list[str]) -> None:
    dialog = window.new_patient()
    dialog.first_name.setText("Zoë")
    dialog.last_name.setText("Nguyen")
    dialog.date_of_birth.setText("31/02/1980")  # a slip: one message, nobody created
    dialog.save_button.click()
    assert dialog.isVisible() and "31/02/1980" in dialog.error.text()
    assert patients.search_patients(window.ctx, "Nguyen") == []
    dialog.date_of_birth.setText("31/12/1980")
    dialog.phone.setText("0412 345 678")
    dialog.email.setText("zoe@example.com")
    dialog.health_fund.setText("HCF")
    dialog.health_fund_number.setText("123456")
    dialog.save_button.click()
    settle()  # saved in the background
    assert errors == []
    assert not dialog.isVisible()


def choose_patient(qtbot, picker, typed: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(picker.line_edit, typed)
    settle(qtbot)
    assert picker.model.rowCount() == 1
    QTest.keyClick(picker.popup(), Qt.Key.Key_Down)
    QTest.keyClick(picker.popup(), Qt.Key.Key_Return)
    assert picker.patient is not None


def book(window: MainWindow, qtbot, at: QTime, practitioner: int, type_name: str) -> BookingDialog:  # type: ignore[no-untyped-def]
    dialog = window.calendar.book_at_cursor()
    assert isinstance(dialog, BookingDialog)
    dialog.practitioner_box.setCurrentIndex(practitioner)
    dialog.select_type(type_name)
    dialog.date_edit.setDate(QDate(DAY.year, DAY.month, DAY.day))
    dialog.time_edit.setTime(at)
    return dialog


def day_appointments(ctx: ServiceContext) -> list:  # type: ignore[type-arg]
    start, end = day_bounds(DAY, ZONE)
    return calendar.appointments_between(ctx, start, end)


def receipt_questions(folder: Path) -> ExportQuestions:
    return ExportQuestions(
        save_path=lambda _p, _t, name, _k: folder / name,
        date_range=lambda _p, _q: RangeAnswer(DAY, DAY),
    )


def test_a_real_clinic_from_an_empty_database_to_a_printed_receipt(
    qtbot,
    local_ctx: ServiceContext,
    settings,
    errors: list[str],
    answers: Answers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = first_admin(local_ctx)
    window = new_window(qtbot, ctx, settings)
    set_up_with_the_wizard(window, errors, tmp_path, monkeypatch)
    add_second_practitioner(window, qtbot, tmp_path)
    add_class_type_and_pass(window, qtbot, tmp_path)
    add_patient(window, errors)
    settle(qtbot)
    assert window.calendar.banner.missing == ""
    [patient] = patients.search_patients(ctx, "Nguyen")

    # An individual appointment with the SECOND practitioner in the list.
    consult = book(window, qtbot, QTime(14, 0), 1, "Standard consult")
    assert consult.practitioner_box.currentText() == "Bea Osteo"
    choose_patient(qtbot, consult.picker, "Nguy")
    consult.book_button.click()
    settle(qtbot)
    assert errors == []
    assert not consult.isVisible()

    # A class with Ann; the patient is added from the class's own dialog.
    group = book(window, qtbot, QTime(9, 0), 0, "Studio reformer class")
    assert group.practitioner_box.currentText() == "Ann Physio"
    group.book_button.click()
    settle(qtbot)
    assert errors == []
    settle(qtbot)
    booked = {a.kind: a for a in day_appointments(ctx)}
    individual, session = booked[AppointmentKind.INDIVIDUAL], booked[AppointmentKind.CLASS]
    bea = next(p for p in calendar.practitioners(ctx) if p.name == "Bea Osteo")
    assert (individual.practitioner_id, individual.patient_id) == (bea.id, patient.id)
    double_click(window.calendar, block_point(window.calendar, session.id))
    attendees = window.calendar.dialog
    assert isinstance(attendees, ClassAttendeesDialog)
    choose_patient(qtbot, attendees.picker, "Zo")
    attendees.add_button.click()
    settle(qtbot)
    assert attendees.model.rowCount() == 1
    assert errors == []

    # The pass is sold on the patient card's Credit tab.
    window.show_patient(patient.id)
    card = window.find_patient().card
    panel = card.credit_panel
    assert panel is not None
    sale = panel.sell_package()
    settle(qtbot)  # the packages for sale are read in the background
    sale.method_box.setCurrentIndex(
        next(i for i in range(sale.method_box.count()) if sale.method_box.itemData(i) == "eftpos")
    )
    sale.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)
    assert errors == []
    assert panel.balance.text() == "Credit: $400.00"

    # The appointment is invoiced from the calendar's menu and paid by card.
    menu = window.calendar.appointment_menu(individual)
    menu_action(menu, "invoice").trigger()
    settle(qtbot)  # the dialog is up at once; the invoice is raised in the background
    [invoice_dialog] = [d for d in window.findChildren(InvoiceDialog) if d.isVisible()]
    assert invoice_dialog.invoice is not None
    assert invoice_dialog.invoice.paid_status is PaidStatus.UNPAID
    answers.then(lambda dialog: None)  # the whole $95.00, as offered
    invoice_dialog.pay_button.click()
    settle(qtbot)
    assert errors == []
    assert invoice_dialog.status_label.text() == "Paid"
    invoice_dialog.close()
    settle(qtbot)

    # The class is invoiced from its attendees; the pass pays it by itself.
    attendees.list.setCurrentIndex(attendees.model.index(0, 0))
    class_dialog = attendees.invoice_selected()
    settle(qtbot)
    assert class_dialog is not None and class_dialog.invoice is not None
    assert class_dialog.status_label.text() == "Paid"
    assert "From credit $40.00" in class_dialog.money.text()  # not a bare "Paid $0.00"
    credit_row = [class_dialog.payments.item(0, c).text() for c in (2, 3, 4)]
    assert credit_row == ["Credit: 10 reformer classes", "$40.00", "Applied"]
    class_dialog.payments.selectRow(0)
    assert class_dialog.selected_payment() is None  # a use of credit is not a payment
    assert not class_dialog.edit_payment_button.isEnabled()
    shot(class_dialog, tmp_path, "invoice-paid-from-credit")
    shot(attendees, tmp_path, "class-attendees")
    attendees.close()
    settle(qtbot)
    assert panel.balance.text() == "Credit: $360.00"

    invoices = {i.service.type_name: i for i in billing.patient_invoices(ctx, patient.id)}
    consult_invoice, class_invoice = invoices["Standard consult"], invoices["Studio reformer class"]
    assert consult_invoice.paid_status is PaidStatus.PAID
    assert [(p.method, p.amount) for p in consult_invoice.payments] == [
        (PaymentMethod.EFTPOS, Money(9500))
    ]
    assert class_invoice.paid_status is PaidStatus.PAID
    assert class_invoice.total == Money(4000)  # the full fee, paid by a share of the pass
    [lot] = credit.patient_lots(ctx, patient.id)
    assert lot.remaining == Money(36000)

    # Both receipts, one page each, printed from the Account tab.
    account = card.account_tab
    assert account is not None
    account.questions = receipt_questions(tmp_path)
    assert account.print_receipts() is not None
    settle(qtbot)
    assert errors == []
    written = tmp_path / f"Receipts {DAY:%Y-%m-%d} to {DAY:%Y-%m-%d}.pdf"
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(written).pages]
    assert len(pages) == 2
    by_number = {
        number: next(text for text in pages if number in text)
        for number in (consult_invoice.number, class_invoice.number)
    }
    consult_page, class_page = by_number[consult_invoice.number], by_number[class_invoice.number]
    for text in (consult_page, class_page):
        assert f"Date of service {DAY:%d/%m/%Y}" in text
        assert "Patient Zoë Nguyen (#1)" in text and "HCF 123456" in text
        assert "Balance due $0.00" in text and "Status: PAID" in text
    assert "Item number 505" in consult_page and "Provider number 5512345B" in consult_page
    assert "Practitioner Bea Osteo" in consult_page and "Total fee $95.00" in consult_page
    assert "Item number 560" in class_page and "Provider number 2448761A" in class_page
    assert "Practitioner Ann Physio" in class_page and "Total fee $40.00" in class_page
    assert "Paid from credit $40.00" in class_page  # the full fee, never a $0 receipt
    card.tabs.setCurrentWidget(panel)
    shot(window.find_patient(), tmp_path, "patient-credit")
    card.tabs.setCurrentWidget(card.messages)
    shot(window.find_patient(), tmp_path, "patient-messages")
    clinic_dialog = window.open_clinic()
    settle(qtbot)
    assert clinic_dialog.form.name.text() == "Riverside Physio"
    shot(clinic_dialog, tmp_path, "clinic")
    card.tabs.setCurrentWidget(account)
    window.find_patient().resize(1366, 768)
    shot(window.find_patient(), tmp_path, "patient-account")
