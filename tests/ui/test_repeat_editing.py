"""Changing and cancelling one of a repeating series from the calendar: the real
dialogs ask "This one / This and the following / All", and undo takes a scoped
cancel back in one step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QRadioButton

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.repeats import Frequency, RepeatRule, SeriesScope
from desktop.services import booking, calendar, series
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.series import SeriesRequest
from desktop.ui import prompts
from desktop.ui.calendar.items import tooltip
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.dialogs.cancel import CancelDialog
from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ZONE, ClinicFixture, make_clinic
from tests.ui.calendar_support import open_window

WEEK = timedelta(days=7)


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


@pytest.fixture
def term(local_ctx: ServiceContext, clinic: ClinicFixture) -> list:  # type: ignore[type-arg]
    """Four Monday 9:00 consults with Bob (the second practitioner) for Jo."""
    first = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.consult.id,
        clinic.at(9),
        patient_id=clinic.patients[2].id,
    )
    rule = RepeatRule(Frequency.WEEKLY, count=4)
    return list(series.book_series(local_ctx, SeriesRequest(first, rule)).appointments)


def statuses(ctx: ServiceContext, term: list) -> list[AppointmentStatus]:  # type: ignore[type-arg]
    return [calendar.appointment(ctx, a.id).status for a in term]


def scope_buttons(dialog: CancelDialog) -> list[str]:
    return [b.text() for b in dialog.findChildren(QRadioButton)]


def test_cancel_this_and_the_following_then_undo_brings_them_all_back(
    qtbot, local_ctx, clinic, term, settings, errors, shots
) -> None:
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK)
    panel = window.calendar
    dialog = panel.appointment_actions.ask_cancel(term[1])
    assert scope_buttons(dialog) == ["This one", "This and the following", "All"]
    assert dialog.scope() is SeriesScope.THIS
    dialog.choose_scope(SeriesScope.FOLLOWING)
    dialog.reason_box.setCurrentIndex(dialog.reason_box.findData(CancellationReason.AWAY))
    dialog.grab().save(str(shots / "cancel_series.png"))
    dialog.ok_button.click()
    settle(qtbot)
    assert errors == []
    cancelled = AppointmentStatus.CANCELLED
    assert statuses(local_ctx, term) == [AppointmentStatus.BOOKED] + [cancelled] * 3
    assert window.undo_stack.undoText() == "Cancel 3 of Jo Citizen's series"

    window.undo_stack.undo()
    settle(qtbot)
    assert statuses(local_ctx, term) == [AppointmentStatus.BOOKED] * 4
    window.undo_stack.redo()
    settle(qtbot)
    assert statuses(local_ctx, term) == [AppointmentStatus.BOOKED] + [cancelled] * 3
    assert errors == []


def test_a_one_off_is_cancelled_without_the_question(
    qtbot, local_ctx, clinic, settings, errors
) -> None:
    one_off = booking.book_appointment(
        local_ctx,
        BookingRequest(
            clinic.clinic.id,
            clinic.bob.id,
            clinic.consult.id,
            clinic.at(11),
            patient_id=clinic.patients[0].id,
        ),
    ).appointment
    window = open_window(qtbot, local_ctx, settings)
    dialog = window.calendar.appointment_actions.ask_cancel(one_off)
    assert scope_buttons(dialog) == []
    assert dialog.scope() is SeriesScope.THIS


def _edit(qtbot, window, ctx, appointment_id) -> EditAppointmentDialog:  # type: ignore[no-untyped-def]
    window.calendar.appointment_actions.open(calendar.appointment(ctx, appointment_id))
    settle(qtbot)  # the types are read in the background first
    dialog = window.calendar.dialog
    assert isinstance(dialog, EditAppointmentDialog)
    return dialog


def _save(dialog: EditAppointmentDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_a_new_time_and_notes_apply_to_all_when_asked(
    qtbot, local_ctx, clinic, term, settings, errors, monkeypatch
) -> None:
    asked: list[str] = []

    def choose_all(_parent, _title, text, choices):  # type: ignore[no-untyped-def]
        asked.append(text)
        assert choices == ["This one", "This and the following", "All"]
        return 2

    monkeypatch.setattr(prompts, "choose", choose_all)
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK * 2)
    assert "One of a repeating series" in tooltip(term[2], ZONE, "Bob Pilates")  # on hover
    dialog = _edit(qtbot, window, local_ctx, term[2].id)
    assert "one of a repeating series" in dialog.findChildren(QLabel)[1].text()
    dialog.time_edit.setTime(QTime(10, 15))
    dialog.notes.setPlainText("Bring the scan")
    _save(dialog)
    settle(qtbot)
    assert errors == []
    assert "already past are left as they are" in asked[0]
    assert not dialog.isVisible()
    saved = [calendar.appointment(local_ctx, a.id) for a in term]
    assert [a.starts_at for a in saved] == [clinic.at(10, 15, day=DAY + WEEK * i) for i in range(4)]
    assert {a.notes for a in saved} == {"Bring the scan"}
    assert {a.practitioner_id for a in saved} == {clinic.bob.id}

    assert window.undo_stack.undoText() == "Change 4 of Jo Citizen's series"
    window.undo_stack.undo()  # one step puts all four back
    settle(qtbot)
    back = [calendar.appointment(local_ctx, a.id) for a in term]
    assert [a.starts_at for a in back] == [a.starts_at for a in term]
    assert {a.notes for a in back} == {""}
    window.undo_stack.redo()
    settle(qtbot)
    again = [calendar.appointment(local_ctx, a.id).starts_at for a in term]
    assert again == [clinic.at(10, 15, day=DAY + WEEK * i) for i in range(4)]
    assert errors == []


def test_this_one_changes_only_this_one_and_is_undoable(
    qtbot, local_ctx, clinic, term, settings, errors, monkeypatch
) -> None:
    monkeypatch.setattr(prompts, "choose", lambda *_args: 0)
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK)
    dialog = _edit(qtbot, window, local_ctx, term[1].id)
    dialog.time_edit.setTime(QTime(11, 0))
    _save(dialog)
    settle(qtbot)
    saved = [calendar.appointment(local_ctx, a.id).starts_at for a in term]
    assert saved == [
        clinic.at(9, day=DAY + WEEK * i) if i != 1 else clinic.at(11, day=DAY + WEEK)
        for i in range(4)
    ]
    window.undo_stack.undo()
    settle(qtbot)  # undo runs in the background
    assert calendar.appointment(local_ctx, term[1].id).starts_at == clinic.at(9, day=DAY + WEEK)
    assert errors == []


def test_a_new_day_for_the_following_is_refused_and_nothing_changes(
    qtbot, local_ctx, clinic, term, settings, errors, monkeypatch
) -> None:
    monkeypatch.setattr(prompts, "choose", lambda *_args: 1)
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK)
    dialog = _edit(qtbot, window, local_ctx, term[1].id)
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(1))
    _save(dialog)
    settle(qtbot)
    assert len(errors) == 1
    assert "A new day applies to this one only" in errors[0]
    assert dialog.isVisible()
    assert [calendar.appointment(local_ctx, a.id).starts_at for a in term] == [
        a.starts_at for a in term
    ]


def test_cancelling_the_question_keeps_the_dialog_and_changes_nothing(
    qtbot, local_ctx, clinic, term, settings, errors, monkeypatch
) -> None:
    monkeypatch.setattr(prompts, "choose", lambda *_args: None)
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK)
    dialog = _edit(qtbot, window, local_ctx, term[1].id)
    dialog.notes.setPlainText("never saved")
    _save(dialog)
    settle(qtbot)
    assert dialog.isVisible()
    assert calendar.appointment(local_ctx, term[1].id).notes == ""


def test_a_patient_added_to_a_class_joins_the_following_classes_when_asked(
    qtbot, local_ctx, clinic, settings, errors, monkeypatch
) -> None:
    first = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.pilates.id,
        clinic.at(17),
        patient_id=clinic.patients[0].id,
    )
    term = series.book_series(
        local_ctx, SeriesRequest(first, RepeatRule(Frequency.WEEKLY, count=3))
    ).appointments
    asked: list[str] = []

    def following(_parent, _title, text, _choices):  # type: ignore[no-untyped-def]
        asked.append(text)
        return 1

    monkeypatch.setattr(prompts, "choose", following)
    window = open_window(qtbot, local_ctx, settings, day=DAY + WEEK)
    window.calendar.appointment_actions.open(term[1])
    settle(qtbot)
    dialog = window.calendar.dialog
    assert isinstance(dialog, ClassAttendeesDialog)
    dialog.picker.choose(clinic.patients[3])  # Ana, the last patient
    dialog.add_button.click()
    settle(qtbot)
    assert errors == []
    assert asked == [
        "This class repeats. Add Ana Lima to which of them? "
        "Appointments already past are left as they are."
    ]
    assert dialog.places.text() == "2 of 3 places booked — 1 left"
    places = [calendar.appointment(local_ctx, c.id).booked_places for c in term]
    assert places == [1, 2, 2]
