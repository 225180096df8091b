"""The Practitioners page (deactivate with future bookings) and the patient screens."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.people import Patient
from desktop.services import calendar, patients
from desktop.services.context import ServiceContext
from desktop.ui.dialogs.deactivate import DeactivationDialog
from desktop.ui.dialogs.patient_edit import PatientDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, book_at, make_clinic
from tests.ui.calendar_support import open_window, scene_of


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, patient: int = 0):
    who = {"practitioner_id": clinic.bob.id, "patient_id": clinic.patients[patient].id}
    return book_at(ctx, clinic, hour, **who).appointment


def test_deactivating_with_future_bookings_asks_then_cancels_them(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9)
    window = open_window(qtbot, local_ctx, settings)
    page = window.open_practitioners()
    settle(qtbot)  # the list and who is signed in are read in the background
    names = [page.model.practitioner(r).name for r in range(page.model.rowCount())]
    assert names == ["Alice Physio", "Bob Pilates", "Rita Retired"]
    page.select(clinic.retired.id)
    assert page.reactivate_button.isEnabled() and not page.deactivate_button.isEnabled()
    page.select(clinic.bob.id)
    page.deactivate_selected()
    assert not page.busy.label.isHidden()  # reading Bob's future bookings
    settle(qtbot)
    dialog = page.deactivation
    assert isinstance(dialog, DeactivationDialog)
    assert dialog.move_choice.isChecked()
    assert dialog.target.currentText() == "Alice Physio"
    dialog.cancel_choice.setChecked(True)
    dialog.accept()
    assert dialog.isVisible() and not dialog.busy.label.isHidden()  # open while it saves
    settle(qtbot)
    assert errors == [] and not dialog.isVisible()
    assert calendar.appointment(local_ctx, appointment.id).status is AppointmentStatus.CANCELLED
    settle(qtbot)
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == ["Alice Physio"]
    assert page.model.practitioner(1).active is False
    page.select(clinic.bob.id)
    page.reactivate_selected()
    settle(qtbot)
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == [
        "Alice Physio",
        "Bob Pilates",
    ]


def test_deactivating_without_bookings_only_confirms(
    qtbot, local_ctx, clinic, settings, errors, confirm
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    page = window.open_practitioners()
    settle(qtbot)
    page.select(clinic.alice.id)
    page.deactivate_selected()
    settle(qtbot)
    assert page.deactivation is None
    assert confirm and "Deactivate Alice Physio?" in confirm[0]
    assert [p.name for p in calendar.practitioners(local_ctx)] == ["Bob Pilates"]


def test_patient_search_and_card(qtbot, local_ctx, clinic, settings, errors) -> None:
    book(local_ctx, clinic, 9, patient=1)
    window = open_window(qtbot, local_ctx, settings)
    search = window.find_patient()
    qtbot.keyClicks(search.search, "sam lee")
    settle(qtbot)
    assert search.model.rowCount() == 2
    assert search.count.text() == "2 patients"
    QTest.keyClick(search.search, Qt.Key.Key_Down)
    second = search.model.patient(1)
    search.results.selectRow(1)
    settle(qtbot)  # the card is read in the background
    assert search.card.patient == second
    assert "Sam Lee" in search.card.heading.text()
    assert search.card.upcoming.rowCount() == 1  # the 9:00 booking in 2031
    assert search.card.facts["Phone"].text() == "0499 000 111"
    # The card has account and credit tabs for the patient shown, replaced when another
    # is chosen.
    assert search.card.credit_panel is not None and search.card.account_tab is not None
    assert search.card.credit_panel.patient_id == second.id
    assert search.card.account_tab.patient_id == second.id
    assert search.card.tabs.tabText(2) == "Acc&ount"
    assert search.card.tabs.tabText(3) == "&Credit"
    assert search.card.messages.patient_id == second.id
    search.results.selectRow(0)
    assert search.card.credit_panel.patient_id == search.model.patient(0).id
    assert search.card.account_tab.patient_id == search.model.patient(0).id
    assert search.card.messages.patient_id == search.model.patient(0).id
    assert search.card.tabs.count() == 4
    search.search.clear()
    qtbot.keyClicks(search.search, "15/01/1982")
    settle(qtbot)
    assert [
        p.full_name for p in (search.model.patient(r) for r in range(search.model.rowCount()))
    ] == ["Jo Citizen"]
    # Double-clicking an appointment on the card shows it on the calendar.
    search.search.clear()
    qtbot.keyClicks(search.search, "0499")
    settle(qtbot)
    search.card.appointment_activated.emit(search.card.upcoming.appointment(0))
    settle(qtbot)
    assert window.calendar.period.anchor == DAY
    assert scene_of(window).selected_appointment() is not None


def test_patient_dialog_explains_what_is_wrong_in_place(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.new_patient()
    assert isinstance(dialog, PatientDialog)
    qtbot.keyClicks(dialog.first_name, "Maya")
    dialog.accept()
    assert dialog.error.isVisible()
    assert dialog.error.text() == "A patient needs a first and a last name."
    qtbot.keyClicks(dialog.last_name, "Rivers")
    qtbot.keyClicks(dialog.date_of_birth, "31/02/1990")
    dialog.accept()
    assert "is not a date of birth" in dialog.error.text()
    dialog.date_of_birth.setText("28/02/1990")
    qtbot.keyClicks(dialog.email, "maya@")
    dialog.accept()
    assert dialog.error.text() == "“maya@” is not an email address."
    dialog.email.setText("maya@example.com")
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible()
    [maya] = patients.search_patients(local_ctx, "maya rivers")
    assert str(maya.date_of_birth) == "1990-02-28"
    edit = window.find_patient().edit_patient(maya)
    assert edit is not None and edit.first_name.text() == "Maya"
    edit.phone.setText("0400 000 000")
    edit.accept()
    settle(qtbot)
    assert patients.get_patient(local_ctx, maya.id).phone == "+61400000000"  # kept in E.164
    assert errors == []


def test_a_burst_of_typing_searches_once_and_shows_the_last_text(
    qtbot, local_ctx, clinic, settings, errors, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    search = window.find_patient()
    searched: list[str] = []
    real = patients.search_patients

    def counted(ctx: ServiceContext, text: str, limit: int = 20) -> list[Patient]:
        searched.append(text)
        return real(ctx, text, limit=limit)

    monkeypatch.setattr(patients, "search_patients", counted)
    qtbot.keyClicks(search.search, "citize")  # six letters, one search
    settle(qtbot)
    assert searched == ["citize"]
    assert [search.model.patient(r).full_name for r in range(search.model.rowCount())] == [
        "Jo Citizen"
    ]
    # In the booking dialog's picker too, and a choice drops a search still on its way.
    dialog = window.calendar.book_at_cursor()
    assert dialog is not None
    searched.clear()
    qtbot.keyClicks(dialog.picker.line_edit, "citize")
    settle(qtbot)
    assert searched == ["citize"]
    assert dialog.picker.popup().isVisible()
    qtbot.keyClicks(dialog.picker.line_edit, "n")
    dialog.picker.choose(clinic.patients[2])
    settle(qtbot)
    assert not dialog.picker.popup().isVisible()
    assert dialog.picker.patient == clinic.patients[2]
    dialog.reject()
