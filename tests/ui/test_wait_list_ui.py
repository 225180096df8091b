"""The wait list on the desk: its window, the entry dialog, the freed-slot notice and the
booking dialog's offers, driven as a receptionist would (real widgets, real SQLite)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.wait_list import NAMED_RANGES, WaitWishes
from desktop.services import booking, calendar, wait_list
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.wait_list import WaitListRequest
from desktop.ui.calendar.appointment_menus import menu_action
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.wait_list.entry_dialog import WaitListEntryDialog
from desktop.ui.wait_list.window import WaitListWindow
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.ui.calendar_support import open_window


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def tick(box, name: str) -> None:  # type: ignore[no-untyped-def]
    items = box.findItems(name, Qt.MatchFlag.MatchExactly)
    assert items, name
    items[0].setCheckState(Qt.CheckState.Checked)


def over_window(window, dialog):  # type: ignore[no-untyped-def]
    """The window with the dialog drawn over its middle (offscreen has no screen to grab)."""
    shot = window.grab()
    painter = QPainter(shot)
    corner = QPoint((shot.width() - dialog.width()) // 2, (shot.height() - dialog.height()) // 2)
    painter.drawPixmap(corner, dialog.grab())
    painter.end()
    return shot


def consult(c: ClinicFixture, hour: int, patient: int, who=None) -> BookingRequest:  # type: ignore[no-untyped-def]
    return BookingRequest(
        c.clinic.id,
        (who or c.alice).id,
        c.consult.id,
        c.at(hour),
        patient_id=c.patients[patient].id,
    )


def test_patients_menu_opens_the_list_to_add_edit_and_remove(
    qtbot, local_ctx, clinic, settings, errors, confirm
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    window.wait_list_action.trigger()
    listing = window.wait_list_window
    assert isinstance(listing, WaitListWindow)
    settle(qtbot)
    assert listing.summary.text() == "Nobody is on the wait list."

    dialog = listing.add()
    settle(qtbot)
    assert not dialog.ok_button.isEnabled()  # no patient yet
    dialog.picker.choose(clinic.patients[2])
    tick(dialog.practitioners, "Bob Pilates")  # the second practitioner listed
    dialog.parts["Mornings"].setChecked(True)
    dialog.days[2].setChecked(True)  # Wednesday
    dialog.urgent.setChecked(True)
    qtbot.keyClicks(dialog.note, "Short notice is fine")
    dialog.ok_button.click()
    settle(qtbot)
    assert not dialog.isVisible()
    [stored] = wait_list.current_entries(local_ctx)
    assert stored.patient_id == clinic.patients[2].id
    assert stored.wishes == WaitWishes(
        frozenset({clinic.bob.id}), frozenset(), frozenset({2}), (NAMED_RANGES["Mornings"],)
    )
    assert stored.urgent and stored.note == "Short notice is fine"

    # A second, older-looking entry lands below the urgent one; edit the second row.
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[3].id))
    listing.reload()
    settle(qtbot)
    assert listing.model.rowCount() == 2
    assert listing.model.record(0).id == stored.id  # urgent first
    listing.table.selectRow(1)
    edit = listing.edit_selected()
    assert edit is not None
    settle(qtbot)
    assert edit.patient_label.text() == "Ana Lima"
    tick(edit.types, "Consult")
    edit.ok_button.click()
    settle(qtbot)
    ana = next(e for e in wait_list.current_entries(local_ctx) if e.patient_name == "Ana Lima")
    assert ana.wishes.type_ids == frozenset({clinic.consult.id})
    unchanged = wait_list.entry(local_ctx, stored.id)
    assert unchanged.wishes == stored.wishes and unchanged.urgent  # only what was edited

    listing.select(ana.id)
    listing.remove_selected()
    settle(qtbot)
    assert [e.id for e in wait_list.current_entries(local_ctx)] == [stored.id]
    assert listing.model.rowCount() == 1
    assert errors == []


def test_a_cancellation_shows_who_fits_and_the_booking_dialog_books_the_chosen_one(
    qtbot, local_ctx, clinic, settings, errors, shots: Path
) -> None:
    taken = booking.book_appointment(local_ctx, consult(clinic, 14, patient=0)).appointment
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id, note="knee"))
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[3].id, urgent=True))
    mornings = WaitWishes(time_ranges=(NAMED_RANGES["Mornings"],))
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[1].id, mornings))
    window = open_window(qtbot, local_ctx, settings)
    notice = window.freed_slots
    assert not notice.isVisible()  # nothing freed yet

    window.calendar.appointment_actions.cancel(taken, CancellationReason.SICK, "")
    settle(qtbot)
    window.grab().save(str(shots / "calendar-freed-slot-notice.png"))
    assert notice.isVisible()
    assert notice.text() == "Wait list: 2 waiting fit 1 freed slot"
    block = window.calendar.scene.items_by_id[taken.id]  # type: ignore[union-attr]
    assert block.text.badge == "Cancelled · 2 waiting"
    [action] = notice.menu().actions()
    assert "Alice Physio · 2 waiting" in action.text()
    action.trigger()
    dialog = window.calendar.dialog
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    offers = dialog.wait_list
    assert offers.offers.count() == 2
    assert offers.offer(0).patient.full_name == "Ana Lima"  # urgent first
    assert offers.offer(1).patient.full_name == "Jo Citizen"
    assert "URGENT" in offers.offers.item(0).text()
    screen = over_window(window, dialog)  # as seen on a 1366×768 screen
    assert (screen.width(), screen.height()) == (1366, 768)
    screen.save(str(shots / "booking-dialog-wait-list-offer.png"))

    offers.choose(1)  # not the first: Jo
    assert dialog.picker.patient == clinic.patients[2]
    assert "from the wait list" in dialog.hint.text()
    dialog.book_button.click()
    settle(qtbot)
    assert errors == []
    assert not dialog.isVisible()
    booked = [
        a
        for a in calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23))
        if a.status is AppointmentStatus.BOOKED
    ]
    assert [(a.patient_id, a.starts_at) for a in booked] == [(clinic.patients[2].id, clinic.at(14))]
    left = [e.patient_name for e in wait_list.current_entries(local_ctx)]
    assert left == ["Ana Lima", "Sam Lee"]  # Jo came off the list
    assert not notice.isVisible()  # the slot is taken again
    assert block.text.badge == "Cancelled"


def test_typing_another_patient_books_them_plainly_and_keeps_the_list(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id))
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.calendar.book_at_cursor()
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    dialog.wait_list.choose(0)
    dialog.picker.choose(clinic.patients[0])  # changed their mind
    dialog.select_type("Consult")
    dialog.book_button.click()
    settle(qtbot)
    assert errors == []
    assert [e.patient_id for e in wait_list.current_entries(local_ctx)] == [clinic.patients[2].id]


def test_no_good_time_adds_the_patient_from_the_booking_dialog(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    dialog = panel.book_at_cursor()
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    assert dialog.wait_list.heading.text() == "Nobody on the wait list fits this time."
    dialog.picker.choose(clinic.patients[3])
    index = next(
        i
        for i in range(dialog.practitioner_box.count())
        if dialog.practitioner_box.itemData(i) == clinic.bob.id
    )
    dialog.practitioner_box.setCurrentIndex(index)  # Bob: not the first listed
    dialog.select_type("Consult")
    entry_dialog = dialog.wait_list.add_to_wait_list()
    settle(qtbot)
    assert entry_dialog.patient_label.text() == clinic.patients[3].display_name
    ticked = [
        entry_dialog.practitioners.item(i).text()
        for i in range(entry_dialog.practitioners.count())
        if entry_dialog.practitioners.item(i).checkState() == Qt.CheckState.Checked
    ]
    assert ticked == ["Bob Pilates"]
    entry_dialog.ok_button.click()
    settle(qtbot)
    assert not dialog.isVisible()  # nothing booked: the booking dialog closed
    [stored] = wait_list.current_entries(local_ctx)
    assert stored.patient_id == clinic.patients[3].id
    assert stored.wishes.practitioner_ids == frozenset({clinic.bob.id})
    assert stored.wishes.type_ids == frozenset({clinic.consult.id})
    assert calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23)) == []
    assert errors == []


def test_right_click_adds_an_appointment_to_the_list_for_an_earlier_time(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    later = booking.book_appointment(local_ctx, consult(clinic, 16, patient=2, who=clinic.bob))
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    menu = panel.appointment_menu(later.appointment)
    menu_action(menu, "wait_list").trigger()
    dialog = window.wait_list_dialog
    assert isinstance(dialog, WaitListEntryDialog)
    settle(qtbot)
    assert dialog.patient_label.text() == "Jo Citizen"
    assert "only earlier times are offered" in dialog.tied.text()
    dialog.ok_button.click()
    settle(qtbot)
    [stored] = wait_list.current_entries(local_ctx)
    assert stored.appointment_id == later.appointment.id
    assert stored.wishes.practitioner_ids == frozenset({clinic.bob.id})
    assert errors == []


def test_the_patient_card_says_whether_they_wait_and_adds_them(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    window.show_patient(clinic.patients[1].id)  # the second Sam Lee
    card = window.patients_window.card  # type: ignore[union-attr]
    settle(qtbot)
    assert card.wait_list.status.text() == "Not on the wait list."
    dialog = card.wait_list.add()
    assert dialog is not None
    settle(qtbot)
    dialog.urgent.setChecked(True)
    dialog.ok_button.click()
    settle(qtbot)
    [stored] = wait_list.current_entries(local_ctx)
    assert stored.patient_id == clinic.patients[1].id
    assert card.wait_list.status.text().startswith("On the wait list since")
    assert "(urgent)" in card.wait_list.status.text()
    assert errors == []


def test_sms_offers_are_turned_on_in_the_wait_list_window(
    qtbot, local_ctx, clinic, settings, errors, shots: Path
) -> None:
    from desktop.services.wait_list_offers import get_settings

    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[3].id, urgent=True))
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id, note="after 3 pm"))
    window = open_window(qtbot, local_ctx, settings)
    listing = window.open_wait_list()
    settle(qtbot)
    row = listing.offer_settings
    assert row.isEnabled() and not row.offer.isChecked()
    assert "needs an SMS provider" in row.note.text()  # none is set up in this clinic
    row.offer.setChecked(True)
    settle(qtbot)
    row.count.setValue(2)
    settle(qtbot)
    stored = get_settings(local_ctx, clinic.clinic.id)
    assert (stored.offer_by_sms, stored.offer_to) == (True, 2)
    listing.grab().save(str(shots / "wait-list-window.png"))
    assert errors == []


def test_editing_an_entry_keeps_a_practitioner_no_longer_listed(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    from desktop.services import practitioners

    only_bob = WaitWishes(frozenset({clinic.bob.id}))
    saved = wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id, only_bob))
    practitioners.deactivate_practitioner(local_ctx, clinic.bob.id)
    window = open_window(qtbot, local_ctx, settings)
    listing = window.open_wait_list()
    settle(qtbot)
    listing.select(saved.entry.id)
    dialog = listing.edit_selected()
    assert dialog is not None
    settle(qtbot)
    assert [dialog.practitioners.item(i).text() for i in range(dialog.practitioners.count())] == [
        "Alice Physio"
    ]
    dialog.urgent.setChecked(True)
    dialog.ok_button.click()
    settle(qtbot)
    stored = wait_list.entry(local_ctx, saved.entry.id)
    assert stored.urgent
    assert stored.wishes == only_bob  # not silently "any practitioner"
    assert errors == []


def test_a_booking_deleted_on_this_desk_counts_as_a_freed_time(
    qtbot, local_ctx, clinic, settings, errors, confirm
) -> None:
    gone = booking.book_appointment(
        local_ctx, consult(clinic, 15, patient=0, who=clinic.bob)
    ).appointment
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id))
    window = open_window(qtbot, local_ctx, settings)
    notice = window.freed_slots
    assert not notice.isVisible()
    window.calendar.appointment_actions.delete(gone)
    settle(qtbot)
    assert notice.text() == "Wait list: 1 waiting fit 1 freed slot"
    [action] = notice.menu().actions()
    assert "Bob Pilates" in action.text()
    action.trigger()
    dialog = window.calendar.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    settle(qtbot)
    assert dialog.wait_list.offer(0).patient.full_name == "Jo Citizen"
    assert errors == []


def test_the_booking_dialog_judges_a_begun_slot_by_the_calendars_clock(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    from PySide6.QtCore import QTime

    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id))
    window = open_window(qtbot, local_ctx, settings)  # its clock: 10:42 on the shown day
    dialog = window.calendar.book_at_cursor()
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    assert dialog.wait_list.offers.count() == 1  # 10:45 is still to come
    dialog.time_edit.setTime(QTime(9, 0))  # begun by the calendar's clock (not the real one)
    settle(qtbot)
    assert dialog.wait_list.offers.count() == 0
    assert dialog.wait_list.heading.text() == "Nobody on the wait list fits this time."
    assert errors == []


def test_turning_on_repeat_for_a_chosen_patient_books_the_series_and_takes_them_off(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[3].id, urgent=True))
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id))
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.calendar.book_at_cursor()
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    assert dialog.wait_list.offers.count() == 2
    dialog.wait_list.choose(1)  # not the first: Jo
    assert dialog.picker.patient == clinic.patients[2]
    dialog.select_type("Consult")
    dialog.repeat.choose("Weekly")
    dialog.repeat.count.setValue(3)
    settle(qtbot)
    dialog.book_button.click()
    settle(qtbot)
    assert errors == []
    assert not dialog.isVisible()
    shown = calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(0) + timedelta(21))
    assert [a.patient_id for a in shown] == [clinic.patients[2].id] * 3
    assert [e.patient_id for e in wait_list.current_entries(local_ctx)] == [clinic.patients[3].id]


def test_a_no_show_offers_the_rest_of_its_time_and_shows_beside_the_new_booking(
    qtbot, local_ctx, clinic, settings, errors, shots: Path
) -> None:
    before = booking.book_appointment(local_ctx, consult(clinic, 9, patient=1)).appointment
    missed = booking.book_appointment(
        local_ctx, replace(consult(clinic, 10, patient=0), starts_at=clinic.at(10, 30))
    ).appointment
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[3].id))
    wait_list.add_entry(local_ctx, WaitListRequest(clinic.patients[2].id))
    window = open_window(qtbot, local_ctx, settings)  # its clock: 10:42 on the shown day
    notice = window.freed_slots
    assert not notice.isVisible()

    window.calendar.appointment_actions.mark(missed, AppointmentStatus.NO_SHOW)
    settle(qtbot)
    assert notice.isVisible()
    assert notice.text() == "Wait list: 2 waiting fit 1 freed slot"
    block = window.calendar.scene.items_by_id[missed.id]  # type: ignore[union-attr]
    assert block.text.badge == "No-show · 2 waiting"
    window.grab().save(str(shots / "calendar-no-show-rest-offered.png"))
    [action] = notice.menu().actions()
    assert "10:45" in action.text() and "Alice Physio · 2 waiting" in action.text()
    action.trigger()
    dialog = window.calendar.dialog
    assert isinstance(dialog, BookingDialog)
    settle(qtbot)
    assert dialog.wait_list.offers.count() == 2
    dialog.wait_list.choose(1)  # not the first: Jo
    assert dialog.picker.patient == clinic.patients[2]
    dialog.book_button.click()
    settle(qtbot)
    assert errors == []
    assert not dialog.isVisible()

    new = next(
        a
        for a in calendar.appointments_between(local_ctx, clinic.at(0), clinic.at(23))
        if a.patient_id == clinic.patients[2].id
    )
    assert (new.starts_at, new.ends_at) == (clinic.at(10, 45), clinic.at(11))
    assert not notice.isVisible()  # the rest is taken
    scene = window.calendar.scene
    assert scene is not None
    shown, taken = scene.items_by_id[missed.id], scene.items_by_id[new.id]
    assert shown.text.badge == "No-show"
    left, right = sorted((shown, taken), key=lambda item: item.sceneBoundingRect().left())
    assert left.sceneBoundingRect().right() <= right.sceneBoundingRect().left()  # side by side
    assert min(left.sceneBoundingRect().width(), right.sceneBoundingRect().width()) > 40
    alone = scene.items_by_id[before.id].sceneBoundingRect()
    assert alone.width() >= left.sceneBoundingRect().width() * 1.8  # the clash squeezes only them
    window.grab().save(str(shots / "calendar-no-show-rest-booked.png"))

    window.calendar.appointment_actions.mark(shown.appointment, AppointmentStatus.ARRIVED)
    settle(qtbot)
    assert len(errors) == 1 and "(Consult with Jo Citizen)" in errors[0]  # names the booking
    assert calendar.appointment(local_ctx, missed.id).status is AppointmentStatus.NO_SHOW
    assert scene.items_by_id[missed.id].text.badge == "No-show"
