"""An expired session during work: sign in again over the window, keep the work, retry once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from desktop.auth import ExpiryReason, SessionExpired
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.outbox import Channel
from desktop.services import booking, calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.opt_outs import patient_opt_outs
from desktop.ui import operations
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessageLogWidget
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.signin import ReloginHandler, SignInDialog
from tests.auth.people import ADMIN_PASSWORD, DESK_PASSWORD, People, make_people
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture


@pytest.fixture
def people(ctx: ServiceContext, clinic: ClinicFixture) -> People:
    return make_people(ctx, clinic)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _parent, _title, text: shown.append(text))
    return shown


@pytest.fixture(autouse=True)
def _no_handler_left_behind() -> Iterator[None]:
    yield
    operations.set_session_handler(None)


class BookingForm(QDialog):
    """Stands in for the half-filled appointment dialog the user is working in."""

    def __init__(self) -> None:
        super().__init__()
        self.patient = QLineEdit("Sam Lee (#1)")
        self.notes = QLineEdit("Left knee, bring scans")
        layout = QVBoxLayout(self)
        layout.addWidget(self.patient)
        layout.addWidget(self.notes)


def booking_request(clinic: ClinicFixture) -> booking.BookingRequest:
    return booking.BookingRequest(
        clinic.clinic.id,
        clinic.alice.id,
        clinic.consult.id,
        clinic.at(10),
        patient_id=clinic.patients[0].id,
        notes="Left knee, bring scans",
    )


def booked_count(ctx: ServiceContext, clinic: ClinicFixture) -> int:
    return len(calendar.appointments_between(ctx, clinic.at(0), clinic.at(23), [clinic.alice.id]))


def signs_in_as(username: str, password: str, seen: list[SignInDialog]) -> Callable[[QDialog], int]:
    """A modal runner that fills the sign-in dialog and presses "Sign in", without blocking."""

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        seen.append(dialog)
        dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    return run


def test_expiry_during_a_booking_signs_in_again_and_books_exactly_once(
    qtbot, people: People, clinic: ClinicFixture, ctx: ServiceContext, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    desk = people.context(session)
    form = BookingForm()
    qtbot.addWidget(form)
    form.show()
    dialogs: list[SignInDialog] = []
    kept: list[tuple[bool, str, str]] = []

    def run(dialog: QDialog) -> int:
        # While the sign-in dialog is up, the booking form is still open and filled in.
        kept.append((form.isVisible(), form.patient.text(), form.notes.text()))
        return signs_in_as("desk", DESK_PASSWORD, dialogs)(dialog)

    notes: list[str] = []
    operations.set_session_handler(
        ReloginHandler(
            people.accounts, session, run_modal=run, notify=lambda _p, t: notes.append(t)
        )
    )
    attempts: list[int] = []

    def book() -> booking.Booked:
        attempts.append(1)
        return booking.book_appointment(desk, booking_request(clinic))

    people.clock.advance(timedelta(hours=12))  # the session's absolute lifetime is over
    result = operations.run_operation(form, book)

    assert result is not None
    assert result.appointment.notes == "Left knee, bring scans"
    assert len(attempts) == 2  # the interrupted call, then exactly one retry
    assert booked_count(ctx, clinic) == 1
    assert kept == [(True, "Sam Lee (#1)", "Left knee, bring scans")]
    [dialog] = dialogs
    assert dialog.parent() is form  # over the window the user is working in
    assert "time limit" in dialog.message.text()
    assert "Nothing you entered has been lost" in dialog.message.text()
    assert dialog.username.text() == "desk"
    assert errors == [] and notes == []
    desk.actor()  # the new session carries on


@pytest.mark.answers_modals
def test_the_real_modal_dialog_can_be_filled_from_the_event_loop(
    qtbot, people: People, clinic: ClinicFixture, ctx: ServiceContext, errors: list[str]
) -> None:
    """The default runner is `exec()`: fill the open dialog from a zero-delay timer."""
    session = people.signed_in("desk", DESK_PASSWORD)
    form = BookingForm()
    qtbot.addWidget(form)
    form.show()
    operations.set_session_handler(ReloginHandler(people.accounts, session))

    def fill() -> None:
        dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, SignInDialog) and w.isVisible()
        ]
        try:
            [dialog] = dialogs
            dialog.password.setText(DESK_PASSWORD)
            dialog.accept_button.click()
            settle()  # the password is checked in the background
        finally:
            for dialog in dialogs:
                if dialog.isVisible():
                    dialog.reject()  # never leave a test blocked in exec()

    people.clock.advance(timedelta(minutes=16))  # idle past the timeout
    QTimer.singleShot(0, fill)
    result = operations.run_operation(
        form, lambda: booking.book_appointment(people.context(session), booking_request(clinic))
    )
    assert result is not None
    assert booked_count(ctx, clinic) == 1
    assert errors == []


def test_a_different_user_signing_in_drops_the_retry_and_says_so(
    qtbot, people: People, clinic: ClinicFixture, ctx: ServiceContext, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    switched: list[str | None] = []
    session.subscribe(lambda user: switched.append(user.username if user else None))
    form = BookingForm()
    qtbot.addWidget(form)
    form.show()
    notes: list[str] = []
    operations.set_session_handler(
        ReloginHandler(
            people.accounts,
            session,
            run_modal=signs_in_as("admin", ADMIN_PASSWORD, []),
            notify=lambda _parent, text: notes.append(text),
        )
    )
    attempts: list[int] = []
    failures: list[Exception] = []

    def book() -> booking.Booked:
        attempts.append(1)
        return booking.book_appointment(people.context(session), booking_request(clinic))

    people.clock.advance(timedelta(hours=12))
    result = operations.run_operation(form, book, on_error=failures.append)

    assert result is None
    assert len(attempts) == 1  # not retried as somebody else
    assert booked_count(ctx, clinic) == 0
    [note] = notes
    assert "You are now signed in as Ada Admin" in note
    assert "What Dana Desk was doing was not saved" in note
    assert switched == ["admin"]  # the app switched to the new user
    assert people.context(session).actor().name == "Ada Admin"
    assert form.isVisible() and form.patient.text() == "Sam Lee (#1)"
    assert [type(f) for f in failures] == [SessionExpired]
    assert errors == []


def test_a_user_signed_out_by_an_admin_is_told_why(
    qtbot, people: People, clinic: ClinicFixture, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    people.accounts.sign_out_everywhere(admin, people.desk.id)
    dialogs: list[SignInDialog] = []
    operations.set_session_handler(
        ReloginHandler(
            people.accounts, session, run_modal=signs_in_as("desk", DESK_PASSWORD, dialogs)
        )
    )
    result = operations.run_operation(
        None, lambda: booking.book_appointment(people.context(session), booking_request(clinic))
    )
    assert result is not None
    assert "administrator signed you out" in dialogs[0].message.text()


def test_a_wrong_password_keeps_the_dialog_open_with_the_reason(
    qtbot, people: People, clinic: ClinicFixture, ctx: ServiceContext, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    shown: list[str] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.password.setText("not my password")
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        assert dialog.isVisible()
        assert dialog.result() != QDialog.DialogCode.Accepted.value
        shown.append(dialog.error.text())
        assert dialog.password.text() == ""  # cleared for the next try
        dialog.password.setText(DESK_PASSWORD)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    operations.set_session_handler(ReloginHandler(people.accounts, session, run_modal=run))
    people.clock.advance(timedelta(hours=12))
    result = operations.run_operation(
        None, lambda: booking.book_appointment(people.context(session), booking_request(clinic))
    )
    assert result is not None
    assert shown == ["The username or password is incorrect."]
    assert booked_count(ctx, clinic) == 1


def test_cancelling_the_sign_in_leaves_the_work_open_and_unsaved(
    qtbot, people: People, clinic: ClinicFixture, ctx: ServiceContext, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    form = BookingForm()
    qtbot.addWidget(form)
    form.show()

    def cancel(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        dialog.cancel_button.click()
        return dialog.result()

    operations.set_session_handler(ReloginHandler(people.accounts, session, run_modal=cancel))
    people.clock.advance(timedelta(hours=12))
    result = operations.run_operation(
        form, lambda: booking.book_appointment(people.context(session), booking_request(clinic))
    )
    assert result is None
    assert booked_count(ctx, clinic) == 0
    assert form.isVisible() and form.notes.text() == "Left knee, bring scans"
    assert errors == []  # the user chose to cancel: no error box on top


def test_the_action_is_retried_only_once(qtbot, errors: list[str]) -> None:
    class AlwaysYes:
        def __init__(self) -> None:
            self.asked = 0

        def reauthenticate(self, parent, expired) -> bool:  # type: ignore[no-untyped-def]
            self.asked += 1
            return True

    handler = AlwaysYes()
    operations.set_session_handler(handler)
    attempts: list[int] = []

    def lapses() -> None:
        attempts.append(1)
        raise SessionExpired(ExpiryReason.REVOKED)

    assert operations.run_operation(None, lapses) is None
    assert (len(attempts), handler.asked) == (2, 1)
    assert errors == [SessionExpired(ExpiryReason.REVOKED).message]


def test_without_a_handler_the_expiry_is_a_plain_message(errors: list[str]) -> None:
    def lapses() -> None:
        raise SessionExpired(ExpiryReason.IDLE)

    assert operations.run_operation(None, lapses) is None
    assert errors == ["You were signed out after a period without activity. Please sign in again."]


def test_expiry_while_ticking_no_sms_signs_in_again_and_saves_it_once(
    qtbot, people: People, clinic: ClinicFixture, errors: list[str]
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    desk = people.context(session)
    log = MessageLogWidget(ServiceCaller(desk, ChangeBus(), None), clinic_zone("Australia/Sydney"))
    qtbot.addWidget(log)
    log.show()
    log.set_patient(clinic.patients[0].id)
    settle(qtbot)
    assert log.no_sms.isEnabled() and not log.no_sms.isChecked()
    dialogs: list[SignInDialog] = []
    operations.set_session_handler(
        ReloginHandler(
            people.accounts, session, run_modal=signs_in_as("desk", DESK_PASSWORD, dialogs)
        )
    )
    people.clock.advance(timedelta(hours=12))  # the session's absolute lifetime is over
    log.no_sms.click()
    settle(qtbot)
    assert len(dialogs) == 1  # asked once, over the patient card
    assert patient_opt_outs(desk, clinic.patients[0].id).channels == frozenset({Channel.SMS})
    assert log.no_sms.isChecked() and log.no_sms.isEnabled()
    assert errors == []
