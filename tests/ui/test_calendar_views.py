"""What the calendar shows: navigation, DST days, classes, chosen columns, screenshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.clinic_time import local_to_utc
from desktop.services import billing, booking, calendar
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import load_demo_clinic
from desktop.ui.calendar.period import ViewMode
from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog
from desktop.ui.main_window import MainWindow
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ZONE, ClinicFixture, make_clinic
from tests.ui.calendar_support import (
    block_point,
    double_click,
    open_window,
    save_shot,
    scene_of,
)


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def test_navigation_shortcuts_change_the_date(qtbot, local_ctx, clinic, settings) -> None:
    window = open_window(qtbot, local_ctx, settings, day=DAY + timedelta(days=10))
    panel = window.calendar
    keys = [
        (Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier, DAY + timedelta(days=11)),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, DAY + timedelta(days=12)),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier, DAY + timedelta(days=11)),
        (Qt.Key.Key_T, Qt.KeyboardModifier.NoModifier, DAY),  # today, by the fixed clock
        (Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier, DAY - timedelta(days=1)),
        (Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier, DAY),
    ]
    for key, modifier, expected in keys:
        QTest.keyClick(panel.view, key, modifier)
        assert panel.period.anchor == expected, (key, modifier)
        assert window.date_edit.date().toPython() == expected
    QTest.keyClick(panel.view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert panel.period.mode is ViewMode.WEEK
    assert window.week_action.isChecked() and not window.day_action.isChecked()
    QTest.keyClick(panel.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert panel.period.anchor == DAY + timedelta(days=7)  # a week at a time in the week view
    QTest.keyClick(panel.view, Qt.Key.Key_D)
    assert panel.period.mode is ViewMode.DAY
    assert settings.value("calendar/view_mode") == "day"
    window.date_edit.setDate(date(2031, 4, 1))
    assert panel.period.anchor == date(2031, 4, 1)
    assert "Tuesday 1 April 2031" in window.heading.text()


def test_a_window_opened_on_today_shows_the_clinics_today_not_utcs(
    qtbot, local_ctx, clinic, settings
) -> None:
    # 7:30 am in Sydney on DAY is still the evening before in UTC.
    early = local_to_utc(DAY, time(7, 30), ZONE)
    assert early.date() == DAY - timedelta(days=1)
    window = MainWindow(local_ctx, settings, now=lambda: early)  # no start day: today
    qtbot.addWidget(window)
    panel = window.calendar
    reads: list[object] = []
    panel.loader.period_read.connect(reads.append)
    assert panel.period.anchor == DAY - timedelta(days=1)  # the clinic is not read yet
    settle(qtbot)  # the first load brings the clinic's zone, and moves to its today
    assert len(reads) == 1  # read on the clinic's today at once, not the guess then today
    assert panel.period.anchor == DAY
    assert panel.snapshot is not None and panel.snapshot.period.anchor == DAY
    assert window.date_edit.date().toPython() == DAY
    panel.go_to(DAY + timedelta(days=3))
    settle(qtbot)
    panel.go_today()
    assert panel.period.anchor == DAY  # Today: by the clinic's zone, at once
    settle(qtbot)
    assert panel.period.anchor == DAY  # and a later load never moves it


def test_a_dst_day_puts_nine_oclock_on_the_nine_oclock_line(
    qtbot, local_ctx, clinic, settings
) -> None:
    spring_forward = date(2026, 10, 4)  # Sydney: 2:00 AEST becomes 3:00 AEDT
    for wall, minutes, override in ((time(9), 30, False), (time(1), 30, True)):
        starts = local_to_utc(spring_forward, wall, ZONE)
        booking.book_appointment(
            local_ctx,
            BookingRequest(
                clinic.clinic.id,
                clinic.alice.id,
                clinic.consult.id,
                starts,
                patient_id=clinic.patients[0].id,
                ends_at=starts + timedelta(minutes=minutes),
                override_availability=override,
            ),
        )
    window = open_window(qtbot, local_ctx, settings, day=spring_forward)
    ruler = window.calendar.view.ruler
    labels = ruler.labels()
    assert labels[:3] == ["1:00", "3:00", "4:00"]  # the 1:00 booking stretched the view
    assert "2:00" not in labels
    assert ruler.skipped == (120, 180)
    nine = next(
        item
        for item in scene_of(window).items_by_id.values()
        if item.appointment.starts_at == local_to_utc(spring_forward, time(9), ZONE)
    )
    assert nine.pos().y() == pytest.approx(ruler.y_of_mark("9:00") + 1)  # 1 px inset
    assert nine.text.when == "9:00–9:30"
    assert window.calendar.view.corner.text() == "AEDT"


def test_a_full_class_refuses_another_attendee(qtbot, local_ctx, clinic, settings, errors) -> None:
    reformer = booking.book_appointment(
        local_ctx,
        BookingRequest(clinic.clinic.id, clinic.bob.id, clinic.pilates.id, clinic.at(7)),
    ).appointment
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, block_point(panel, reformer.id))
    dialog = panel.dialog
    assert isinstance(dialog, ClassAttendeesDialog)
    assert dialog.places.text() == "0 of 3 places booked — 3 left"
    for patient in clinic.patients[:3]:
        dialog.picker.choose(patient)
        dialog.add_button.click()
        settle(qtbot)
    assert errors == []
    assert dialog.places.text() == "3 of 3 places booked — the class is full"
    settle(qtbot)
    assert scene_of(window).items_by_id[reformer.id].text.detail == "Full – 3 of 3"
    dialog.picker.choose(clinic.patients[3])
    dialog.add_button.click()
    settle(qtbot)
    assert errors == ["Reformer is full (3 of 3 places taken)."]
    assert calendar.appointment(local_ctx, reformer.id).booked_places == 3
    # Taking one out frees a place, and then the fourth patient fits.
    dialog.list.setCurrentIndex(dialog.model.index(0, 0))
    dialog.remove_reason.setCurrentIndex(0)  # a reason is always chosen, never assumed
    dialog.remove_button.click()
    settle(qtbot)
    assert dialog.places.text() == "2 of 3 places booked — 1 left"
    dialog.picker.choose(clinic.patients[3])
    dialog.add_button.click()
    settle(qtbot)
    assert calendar.appointment(local_ctx, reformer.id).booked_places == 3
    assert len(errors) == 1


def test_chosen_practitioners_are_remembered(qtbot, local_ctx, clinic, settings) -> None:
    window = open_window(qtbot, local_ctx, settings)
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == [
        "Alice Physio",
        "Bob Pilates",
    ]  # Rita is inactive: never offered, never shown
    assert clinic.retired.id not in set(window.chooser._actions)
    window.chooser.action_for(clinic.alice.id).setChecked(False)
    settle(qtbot)
    assert [c.practitioner.name for c in scene_of(window).grid.columns] == ["Bob Pilates"]
    window.chooser.action_for(clinic.bob.id).setChecked(False)  # the last one stays
    assert window.chooser.action_for(clinic.bob.id).isChecked()
    window.close()
    again = open_window(
        qtbot, local_ctx, QSettings(settings.fileName(), QSettings.Format.IniFormat)
    )
    assert [c.practitioner.name for c in scene_of(again).grid.columns] == ["Bob Pilates"]
    assert again.chooser.text() == "Practitioners (1 of 2)"


def test_the_now_line_follows_the_clinic_clock(qtbot, local_ctx, clinic, settings) -> None:
    window = open_window(qtbot, local_ctx, settings)
    scene = scene_of(window)
    assert scene.now_y() == pytest.approx(scene.grid.y_of(10 * 60 + 42))
    assert window.calendar.view.ruler.now_minute == pytest.approx(10 * 60 + 42)
    window.calendar.step(1)
    assert scene_of(window).now_y() is None


def _demo_window(qtbot, ctx: ServiceContext, settings: QSettings, theme: str):
    today = date(2031, 3, 3)
    load_demo_clinic(ctx, today=today, patients=120)
    # A front desk mid-morning: some in the waiting room, one no-show.
    morning = [
        a
        for a in calendar.appointments_between(
            ctx, local_to_utc(today, time(8), ZONE), local_to_utc(today, time(10, 30), ZONE)
        )
        if a.status is AppointmentStatus.BOOKED and a.patient_id is not None
    ]
    for appointment, status in zip(
        morning,
        [AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW] * 3,
        strict=False,
    ):
        booking.set_status(ctx, appointment.id, status)
    settings.setValue("appearance/theme", theme)
    now = datetime(2031, 3, 2, 23, 42, tzinfo=UTC)  # 10:42 in Sydney
    return open_window(qtbot, ctx, settings, day=today, now=now)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_day_and_week_views(
    qtbot, local_ctx, settings, tmp_path: Path, theme: str
) -> None:
    window = _demo_window(qtbot, local_ctx, settings, theme)
    day = save_shot(window, tmp_path, f"calendar-day-{theme}.png")
    window.calendar.set_mode(ViewMode.WEEK)
    settle(qtbot)  # the week's blocks are in before the picture is taken
    week = save_shot(window, tmp_path, f"calendar-week-{theme}.png")
    assert day.stat().st_size > 20_000 and week.stat().st_size > 20_000
    assert len(scene_of(window).ordered_items()) > 0  # blocks drawn, not an empty week
    assert len(scene_of(window).grid.days) == 6  # Monday to Saturday: the clinic shuts on Sunday
    assert window.calendar.view.header.grid is scene_of(window).grid


def test_a_class_place_is_invoiced_from_the_attendees_dialog(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    reformer = booking.book_appointment(
        local_ctx,
        BookingRequest(clinic.clinic.id, clinic.bob.id, clinic.pilates.id, clinic.at(7)),
    ).appointment
    booking.add_attendee(local_ctx, reformer.id, clinic.patients[0].id)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    double_click(panel, block_point(panel, reformer.id))
    dialog = panel.dialog
    assert isinstance(dialog, ClassAttendeesDialog)
    assert not dialog.invoice_button.isEnabled()  # nobody chosen yet
    dialog.list.setCurrentIndex(dialog.model.index(0, 0))
    assert dialog.invoice_button.isEnabled()
    invoice_dialog = dialog.invoice_selected()
    assert invoice_dialog is not None
    settle(qtbot)  # raised in the background
    assert errors == []
    invoice = billing.invoice_for_service(local_ctx, reformer.id, clinic.patients[0].id)
    assert invoice is not None
    assert invoice.service.item_code == "560"
    invoice_dialog.close()
