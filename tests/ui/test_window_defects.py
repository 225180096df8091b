"""Issue 14's window defects: each test here failed before its fix."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel

from desktop.domain.appointments import CancellationReason
from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.services import booking, calendar, practitioners, setup
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.practitioners import PractitionerDetails
from desktop.ui.billing.payment_dialog import PaymentDialog, with_change
from desktop.ui.calendar.block_painter import Measure, fitted_name
from desktop.ui.calendar.headers import week_labels
from desktop.ui.calendar.period import ViewMode
from desktop.ui.calendar.requests import Slot
from desktop.ui.change_bus import ChangeBus
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.cancel import CancelDialog
from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog
from desktop.ui.export_actions import ExportRangeDialog, RangeQuestion
from desktop.ui.patients.search_window import PatientSearchWindow
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.combo import select_data
from tests.auth.people import ALICE_PASSWORD, make_people
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, HOURS, ZONE, ClinicFixture, book_at, make_clinic
from tests.ui.calendar_support import (
    block_point,
    double_click,
    drag,
    open_window,
    save_shot,
    scene_of,
    slot_point,
    wall,
)


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(ctx: ServiceContext, clinic: ClinicFixture, hour: int, **extra):
    return book_at(ctx, clinic, hour, **extra).appointment


def edit_notes_of(qtbot, window, appointment, notes: str) -> EditAppointmentDialog:
    window.calendar.appointment_actions.open(appointment)
    settle(qtbot)
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    dialog.notes.setPlainText(notes)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    settle(qtbot)  # the save runs in the background
    return dialog


# --- 1. a notes-only edit never moves the appointment --------------------------------


def test_select_data_matches_an_equal_uuid_and_never_falls_back_to_the_first(qtbot, clinic) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    for practitioner in (clinic.alice, clinic.bob):
        combo.addItem(practitioner.name, practitioner.id)
    equal_copy = type(clinic.bob.id)(str(clinic.bob.id))  # equal, not the same object
    assert select_data(combo, equal_copy)
    assert combo.currentText() == "Bob Pilates"
    assert not select_data(combo, clinic.retired.id)
    assert combo.currentIndex() == -1


def test_a_notes_only_edit_keeps_the_practitioner_and_time(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    appointment = book(local_ctx, clinic, 9, practitioner_id=clinic.bob.id)
    window = open_window(qtbot, local_ctx, settings)
    # Read again, as the calendar does: the id is an equal but distinct UUID object.
    fresh = calendar.appointment(local_ctx, appointment.id)
    dialog = edit_notes_of(qtbot, window, fresh, "Bring the scan")
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.practitioner_id, saved.starts_at, saved.ends_at) == (
        clinic.bob.id,
        clinic.at(9),
        clinic.at(9, 30),
    )
    assert saved.notes == "Bring the scan"
    assert not window.undo_stack.undoText().startswith("Move")
    assert errors == []


def test_a_notes_only_edit_is_saved_when_the_first_practitioner_is_busy(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id)
    appointment = book(
        local_ctx, clinic, 9, practitioner_id=clinic.bob.id, patient_id=clinic.patients[2].id
    )
    window = open_window(qtbot, local_ctx, settings)
    fresh = calendar.appointment(local_ctx, appointment.id)
    dialog = edit_notes_of(qtbot, window, fresh, "Running late")
    assert errors == []
    assert not dialog.isVisible()
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.practitioner_id, saved.notes) == (clinic.bob.id, "Running late")


def test_the_ics_export_offers_the_selected_practitioner_not_the_first(qtbot, clinic) -> None:
    equal_copy = type(clinic.bob.id)(str(clinic.bob.id))
    question = RangeQuestion("Export", DAY, DAY, [clinic.alice, clinic.bob], equal_copy)
    dialog = ExportRangeDialog(question)
    qtbot.addWidget(dialog)
    assert dialog.answer().practitioner_id == clinic.bob.id


def test_the_ics_export_waits_for_a_choice_when_the_practitioner_is_not_listed(
    qtbot, clinic
) -> None:
    question = RangeQuestion("Export", DAY, DAY, [clinic.alice, clinic.bob], clinic.retired.id)
    dialog = ExportRangeDialog(question)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.practitioner.setCurrentIndex(1)
    assert ok.isEnabled()
    assert dialog.answer().practitioner_id == clinic.bob.id


# --- 3. bookings kept read-only after a deactivation stay visible -----------------------


def test_kept_bookings_of_an_inactive_practitioner_have_a_marked_unbookable_column(
    qtbot, local_ctx, clinic, settings, errors, tmp_path
) -> None:
    kept = book(local_ctx, clinic, 9, practitioner_id=clinic.bob.id)
    alices = book(local_ctx, clinic, 10, patient_id=clinic.patients[2].id)
    practitioners.deactivate_practitioner(
        local_ctx, clinic.bob.id, practitioners.FutureBookings.KEEP_READ_ONLY
    )
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    scene = scene_of(window)
    assert [(c.practitioner.name, c.practitioner.active) for c in scene.grid.columns] == [
        ("Alice Physio", True),
        ("Bob Pilates", False),
    ]
    assert kept.id in scene.items_by_id
    bob_column = scene.grid.column_for(DAY, clinic.bob.id)
    assert bob_column is not None
    header = panel.view.header
    assert "inactive" in header.tooltip_at(scene.grid.x_of(bob_column.index) + 5)
    save_shot(window, tmp_path, "inactive-column.png")

    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(11)))
    assert panel.dialog is None  # nothing to book there
    start = block_point(panel, alices.id)
    target = slot_point(panel, clinic.bob.id, DAY, wall(10))
    target.setY(start.y())
    drag(panel, start, target)  # a drop on the inactive column is refused
    assert calendar.appointment(local_ctx, alices.id).practitioner_id == clinic.alice.id
    assert window.undo_stack.count() == 0

    panel.view.setFocus()
    scene.clearSelection()
    scene.set_cursor(Slot(bob_column.index, wall(12)))
    QTest.keyClick(panel.view, Qt.Key.Key_Return)  # Enter in the kept column's empty slot
    assert errors == ["Bob Pilates is inactive and cannot be booked."]
    assert panel.dialog is None

    panel.appointment_actions.open(scene.items_by_id[kept.id].appointment)

    settle(qtbot)
    dialog = panel.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    assert not dialog.practitioner_box.isEnabled()
    dialog.reject()

    panel.step(1)  # the next day has no kept booking: no column for Bob
    settle(qtbot)
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == ["Alice Physio"]


def test_an_inactive_practitioner_has_a_column_only_on_the_days_of_their_kept_bookings(
    qtbot, local_ctx, clinic, settings
) -> None:
    kept = book(local_ctx, clinic, 9, practitioner_id=clinic.bob.id)
    tuesday = DAY + timedelta(days=1)
    gone = book(local_ctx, clinic, 9, day=tuesday, practitioner_id=clinic.bob.id)
    booking.cancel_appointment(local_ctx, gone.id, CancellationReason.AWAY)
    practitioners.deactivate_practitioner(
        local_ctx, clinic.bob.id, practitioners.FutureBookings.KEEP_READ_ONLY
    )
    window = open_window(qtbot, local_ctx, settings)
    window.calendar.set_mode(ViewMode.WEEK)
    settle(qtbot)
    scene = scene_of(window)
    columns = Counter(c.day for c in scene.grid.columns)
    assert [c.day for c in scene.grid.columns if c.practitioner.id == clinic.bob.id] == [DAY]
    assert columns[DAY] == 2
    assert {count for day, count in columns.items() if day != DAY} == {1}  # Alice's only
    assert kept.id in scene.items_by_id
    assert gone.id not in scene.items_by_id  # cancelled: nobody is coming for Bob then
    bob = scene.grid.column_for(DAY, clinic.bob.id)
    assert bob is not None
    block = scene.items_by_id[kept.id].sceneBoundingRect()
    assert scene.grid.x_of(bob.index) <= block.left() < scene.grid.x_of(bob.index + 1)


# --- 4. a practitioner is offered only what their role may do --------------------------


def test_a_practitioner_sees_colleagues_appointments_read_only(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    own = book(local_ctx, clinic, 9, practitioner_id=clinic.alice.id)
    colleague = book(
        local_ctx, clinic, 9, practitioner_id=clinic.bob.id, patient_id=clinic.patients[2].id
    )
    people = make_people(local_ctx, clinic)
    alice_ctx = people.context(people.signed_in("alice", ALICE_PASSWORD))
    window = open_window(qtbot, alice_ctx, settings)
    panel = window.calendar
    scene = scene_of(window)
    assert not scene.items_by_id[colleague.id].editable
    assert scene.items_by_id[own.id].editable

    menu = panel.appointment_menu(scene.items_by_id[colleague.id].appointment)
    names = {a.objectName() for a in menu.actions() if not a.isSeparator()}
    assert "open" in names
    assert names.isdisjoint({"cancel", "delete", "mark_arrived"})
    own_menu = panel.appointment_menu(scene.items_by_id[own.id].appointment)
    own_names = {a.objectName() for a in own_menu.actions()}
    assert {"cancel", "delete", "mark_arrived", "invoice"} <= own_names

    panel.appointment_actions.open(scene.items_by_id[colleague.id].appointment)

    settle(qtbot)
    dialog = panel.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save) is None
    assert dialog.notes.isReadOnly()
    assert dialog.practitioner_box.currentText() == "Bob Pilates"
    assert "read-only" in dialog.windowTitle()
    dialog.reject()

    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(11)))
    assert panel.dialog is dialog  # nothing new opened in Bob's column
    start = block_point(panel, colleague.id)
    drag(panel, start, start + type(start)(0, 60))  # not draggable
    assert calendar.appointment(local_ctx, colleague.id).starts_at == clinic.at(9)
    assert errors == []

    double_click(panel, slot_point(panel, clinic.alice.id, DAY, wall(11)))
    booking_dialog = panel.dialog
    assert isinstance(booking_dialog, BookingDialog)
    assert [
        booking_dialog.practitioner_box.itemText(i)
        for i in range(booking_dialog.practitioner_box.count())
    ] == ["Alice Physio"]
    booking_dialog.reject()


def test_a_practitioner_sees_a_colleagues_class_list_only(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    request = BookingRequest(clinic.clinic.id, clinic.bob.id, clinic.pilates.id, clinic.at(14))
    pilates = booking.book_appointment(local_ctx, request).appointment
    people = make_people(local_ctx, clinic)
    window = open_window(qtbot, people.context(people.signed_in("alice", ALICE_PASSWORD)), settings)
    panel = window.calendar
    panel.appointment_actions.open(scene_of(window).items_by_id[pilates.id].appointment)
    settle(qtbot)
    dialog = panel.dialog
    assert isinstance(dialog, ClassAttendeesDialog)
    for widget in (dialog.picker, dialog.add_button, dialog.remove_button, dialog.arrived_button):
        assert widget.isHidden()
    assert not dialog.invoice_button.isHidden()
    dialog.reject()


# --- 5. the payment dialog: change from cash, never a negative "left owing" ------------


def test_cash_over_the_amount_owing_gives_change_and_records_what_is_owing(qtbot, tmp_path) -> None:
    dialog = PaymentDialog(Money(4100))  # $41.00 owing
    qtbot.addWidget(dialog)
    row = dialog.rows[0]
    row.method.setCurrentIndex(list(PaymentMethod).index(PaymentMethod.CASH))
    row.amount.setText("50")
    assert dialog.ok_button.isEnabled()
    assert dialog.change() == Money(900)
    assert dialog.tenders() == [Tender(Money(4100), PaymentMethod.CASH)]
    assert dialog.summary.text() == "Paying $41.00; paid in full."
    assert not dialog.change_label.isHidden() and "$9.00" in dialog.change_label.text()
    dialog.resize(dialog.sizeHint())
    dialog.show()
    save_shot(dialog, tmp_path, "payment-change.png")
    reference = row.reference
    hint = reference.fontMetrics().horizontalAdvance(reference.placeholderText())
    assert reference.width() > hint  # the placeholder is not cut off


def test_a_split_with_cash_gives_change_from_the_cash_only() -> None:
    tenders = [Tender(Money(3000), PaymentMethod.EFTPOS), Tender(Money(2000), PaymentMethod.CASH)]
    assert with_change(tenders, Money(4100)) == (
        [Tender(Money(3000), PaymentMethod.EFTPOS), Tender(Money(1100), PaymentMethod.CASH)],
        Money(900),
    )
    card_only = [Tender(Money(10_000_00), PaymentMethod.EFTPOS)]
    assert with_change(card_only, Money(4100)) == (card_only, Money(0))


def test_an_overpayment_by_card_is_refused_without_a_negative_balance(qtbot) -> None:
    dialog = PaymentDialog(Money(4100))
    qtbot.addWidget(dialog)
    dialog.rows[0].amount.setText("10000")
    assert not dialog.ok_button.isEnabled()
    assert "-" not in dialog.summary.text()
    assert dialog.error.text().startswith("$10,000.00 is more than the $41.00 owing.")


# --- 6. the smaller window defects ------------------------------------------------------


def test_removing_a_class_attendee_needs_a_reason_chosen_each_time(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    request = BookingRequest(clinic.clinic.id, clinic.bob.id, clinic.pilates.id, clinic.at(14))
    pilates = booking.book_appointment(local_ctx, request).appointment
    for patient in clinic.patients[:2]:
        pilates = booking.add_attendee(local_ctx, pilates.id, patient.id).appointment
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    panel.appointment_actions.open(pilates)
    settle(qtbot)
    dialog = panel.dialog
    assert isinstance(dialog, ClassAttendeesDialog)
    dialog.list.setCurrentIndex(dialog.model.index(1, 0))
    assert dialog.remove_reason.currentIndex() == -1
    assert dialog.remove_reason.currentText() == ""  # not "Feeling better"
    assert not dialog.remove_button.isEnabled()
    assert select_data(dialog.remove_reason, CancellationReason.SICK)
    assert dialog.remove_button.isEnabled()
    removed = dialog.model.attendance(1).patient_id
    dialog.remove_button.click()
    settle(qtbot)
    assert errors == []
    after = calendar.appointment(local_ctx, pilates.id)
    gone = next(a for a in after.attendees if a.patient_id == removed)
    assert gone.cancellation_reason is CancellationReason.SICK
    assert dialog.remove_reason.currentIndex() == -1
    dialog.reject()


@pytest.mark.parametrize("now", [(10, 42), (17, 50)])
def test_the_day_view_opens_on_a_whole_hour_row(qtbot, local_ctx, clinic, settings, now) -> None:
    window = open_window(qtbot, local_ctx, settings, now=clinic.at(*now))
    panel = window.calendar
    grid = scene_of(window).grid
    top = panel.view.verticalScrollBar().value()
    minute = grid.minute_at(top)
    assert minute % 60 == 0, f"the view starts at minute {minute}, mid-row"
    assert grid.minute_at(top + panel.view.viewport().height()) >= wall(*now)  # now is shown
    label = f"{int(minute) // 60}:00"
    assert panel.view.ruler.y_of_mark(label) == pytest.approx(top)  # its label in full


def test_a_new_block_is_not_covered_by_the_keyboard_cursor(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, slot_point(panel, clinic.bob.id, DAY, wall(11)))
    dialog = panel.dialog
    assert isinstance(dialog, BookingDialog)
    dialog.picker.choose(clinic.patients[3])
    dialog.select_type("Consult")
    dialog.book_button.click()
    settle(qtbot)
    scene = scene_of(window)
    assert scene.cursor is not None  # the keyboard carries on from here
    assert scene.selected_appointment() is not None
    assert scene.cursor_band() is None  # no tint over the new block's name
    scene.set_cursor(Slot(scene.cursor.column, wall(12)))  # empty time shows the cursor again
    assert scene.cursor_band() is not None


def test_the_credit_tables_fit_without_scrolling_sideways(qtbot, local_ctx, clinic) -> None:
    sell(local_ctx, clinic, pilates_pass(local_ctx, clinic, sessions=10))
    for week in (0, 1):
        invoice_class(local_ctx, clinic, book_class(local_ctx, clinic, week))
    window = PatientSearchWindow(ServiceCaller(local_ctx, ChangeBus(), None), ZONE)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.card.show_patient(clinic.patients[0].id)
    settle(qtbot)
    panel = window.card.credit_panel
    assert panel is not None
    window.card.tabs.setCurrentWidget(panel)
    assert panel.lots.rowCount() == 1 and panel.uses.rowCount() == 2
    for table in (panel.lot_table, panel.use_table):
        assert table.horizontalScrollBar().maximum() == 0, table.objectName()


# --- 7. the week view fits a working week ------------------------------------------------


def _five_practitioners(ctx: ServiceContext, clinic: ClinicFixture, open_days: int) -> None:
    hours = WeeklyHours.same_every_day(range(open_days), time(7), time(19))
    setup.update_clinic(ctx, clinic.clinic.id, clinic.clinic.name, ZONE.key, hours)
    for name in ("Harriet Harrison", "James O'Connor", "Priya Raman"):
        practitioners.create_practitioner(
            ctx, PractitionerDetails(name, "Physio", availability=HOURS)
        )
    for index, who in enumerate((clinic.alice, clinic.bob)):
        book(ctx, clinic, 9 + index, practitioner_id=who.id, patient_id=clinic.patients[index].id)


@pytest.mark.parametrize(
    ("open_days", "size"), [(5, (1366, 768)), (6, (1366, 768)), (7, (1920, 1080))]
)
def test_a_working_week_of_five_practitioners_fits_without_scrolling_sideways(
    qtbot, local_ctx, clinic, settings, tmp_path, open_days, size
) -> None:
    _five_practitioners(local_ctx, clinic, open_days)
    window = open_window(qtbot, local_ctx, settings, size=size)
    window.calendar.set_mode(ViewMode.WEEK)
    settle(qtbot)
    panel = window.calendar
    grid = scene_of(window).grid
    assert len(grid.days) == open_days and len(grid.columns) == open_days * 5
    assert panel.view.horizontalScrollBar().maximum() == 0
    save_shot(window, tmp_path, f"week-{open_days}-days-{size[0]}.png")
    header = panel.view.header
    harriet = next(c for c in grid.columns if c.practitioner.name == "Harriet Harrison")
    tip = header.tooltip_at(grid.x_of(harriet.index) + 5)
    assert tip.startswith("Harriet Harrison — Physio")  # initials above, the name on hover


def test_week_headers_use_one_way_of_naming(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    metrics = QFontMetricsF(label.font())
    names = ["Alice Physio", "Harriet Harrison", "Bob Pilates"]
    wide = max(metrics.horizontalAdvance(n.split()[0]) for n in names) + 1
    assert week_labels(names, wide, metrics) == ["Alice", "Harriet", "Bob"]
    assert week_labels(names, wide - 2, metrics) == ["AP", "HH", "BP"]  # never a mix


def test_a_narrow_block_shortens_the_patient_name_before_eliding(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    metrics = QFontMetricsF(label.font())
    measure = Measure(label.font())
    full = "Harriet Harrison"
    assert fitted_name(full, measure, metrics.horizontalAdvance(full)) == full
    shorter = metrics.horizontalAdvance("Harriet H.")
    assert fitted_name(full, measure, shorter) == "Harriet H."
    assert fitted_name(full, measure, metrics.horizontalAdvance("Harriet")) == "Harriet"
    assert fitted_name(full, measure, 5) is None  # then it wraps over two lines
    # The answers it keeps are the ones Qt gives.
    assert measure.advance(full) == metrics.horizontalAdvance(full)
    assert measure.elided(full, shorter) == metrics.elidedText(
        full, Qt.TextElideMode.ElideRight, shorter
    )


def test_a_notes_only_edit_keeps_the_second_half_past_one_of_a_clocks_back_night(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    night = date(2031, 4, 6)  # Sydney's clocks go back at 3:00 to 2:00
    second = datetime(2031, 4, 6, 2, 30, fold=1, tzinfo=ZONE).astimezone(UTC)
    request = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.consult.id,
        second,
        patient_id=clinic.patients[0].id,
        override_availability=True,
    )
    appointment = booking.book_appointment(local_ctx, request).appointment
    window = open_window(qtbot, local_ctx, settings, day=night)
    edit_notes_of(qtbot, window, calendar.appointment(local_ctx, appointment.id), "Night shift")
    saved = calendar.appointment(local_ctx, appointment.id)
    assert (saved.starts_at, saved.practitioner_id, saved.notes) == (
        second,
        clinic.bob.id,
        "Night shift",
    )
    assert errors == []


def test_cancelling_asks_for_a_reason_instead_of_assuming_one(qtbot) -> None:
    dialog = CancelDialog("Sam Lee's consult")
    qtbot.addWidget(dialog)
    assert dialog.reason_box.currentText() == ""
    assert not dialog.ok_button.isEnabled()
    assert select_data(dialog.reason_box, CancellationReason.SICK)
    assert dialog.ok_button.isEnabled()
    assert dialog.reason() is CancellationReason.SICK
