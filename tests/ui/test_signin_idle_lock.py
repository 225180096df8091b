"""The idle lock hides patient details on a shared screen until someone signs in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from desktop.auth import ExpiryReason, SessionExpired
from desktop.auth.remembered import RememberedSignIn
from desktop.services import booking
from desktop.services.context import ServiceContext
from desktop.ui import operations
from desktop.ui.signin import IdleLock, SignInController, SignInDialog
from desktop.ui.signin.idle_lock import LOCKED_TITLE
from tests.auth.keyrings import MemoryKeyring, using_keyring
from tests.auth.people import ADMIN_PASSWORD, DESK_PASSWORD, People, make_people
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture


class Seconds:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class DayWindow(QMainWindow):
    def __init__(self, patient: str) -> None:
        super().__init__()
        self.setWindowTitle("Frontdesk — Monday")
        self.resize(640, 420)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.patient = QLabel(f"09:00  {patient} — Standard physio consult")
        self.search = QLineEdit(patient)
        layout.addWidget(self.patient)
        layout.addWidget(self.search)
        self.setCentralWidget(body)
        self.statusBar().showMessage(f"Next: {patient}")


class BookingForm(QDialog):
    def __init__(self, parent: QWidget, patient: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Book {patient}")
        self.patient = QLineEdit(patient)
        QVBoxLayout(self).addWidget(self.patient)


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


def locked_window(qtbot, seconds: Seconds, patient: str) -> tuple[DayWindow, IdleLock]:
    window = DayWindow(patient)
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(window, timedelta(minutes=15), lambda: False, clock=seconds)
    return window, lock


def pixels(widget: QWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_it_locks_only_after_the_idle_timeout(qtbot, seconds: Seconds) -> None:
    window, lock = locked_window(qtbot, seconds, "Sam Lee")
    seconds.now += 14 * 60
    lock.check()
    assert not lock.is_locked
    qtbot.mouseMove(window.patient)  # activity starts the count again
    qtbot.keyClick(window.search, Qt.Key.Key_End)
    seconds.now += 14 * 60
    lock.check()
    assert not lock.is_locked
    with qtbot.waitSignal(lock.locked, timeout=0):
        seconds.now += 60
        lock.check()
    assert lock.is_locked


def test_the_lock_hides_every_patient_name(qtbot, seconds: Seconds) -> None:
    images = {}
    for patient in ("Sam Lee", "Jo Citizen"):
        window, lock = locked_window(qtbot, seconds, patient)
        unlocked = pixels(window)
        lock.lock()
        curtain = lock.curtain_of(window)
        assert curtain is not None and curtain.isVisible()
        assert curtain.geometry() == window.rect()  # the whole window: menus, status bar, all
        assert window.windowTitle() == LOCKED_TITLE
        images[patient] = pixels(window)
        assert images[patient] != unlocked
        window.resize(900, 600)
        assert curtain.geometry() == window.rect()
        lock.unlock()
        window.close()
    # Windows showing different patients look exactly the same once locked.
    assert images["Sam Lee"] == images["Jo Citizen"]


def test_open_dialogs_are_covered_too_and_keep_their_contents(qtbot, seconds: Seconds) -> None:
    window, lock = locked_window(qtbot, seconds, "Sam Lee")
    form = BookingForm(window, "Sam Lee")
    form.show()
    lock.lock()
    curtain = lock.curtain_of(form)
    assert curtain is not None and curtain.isVisible()
    assert form.windowTitle() == LOCKED_TITLE
    assert form.isVisible()  # not closed: hiding a dialog would end it and lose the work
    late = BookingForm(window, "Jo Citizen")  # opened while locked
    late.show()
    assert lock.curtain_of(late) is not None


def test_typing_into_a_covered_window_does_nothing(qtbot, seconds: Seconds) -> None:
    window, lock = locked_window(qtbot, seconds, "Sam Lee")
    lock.lock()
    qtbot.keyClicks(window.search, "xyz")
    qtbot.mouseClick(window.search, Qt.MouseButton.LeftButton)
    assert window.search.text() == "Sam Lee"


def test_unlocking_needs_a_sign_in_and_restores_everything(qtbot, seconds: Seconds) -> None:
    window = DayWindow("Sam Lee")
    qtbot.addWidget(window)
    window.show()
    window.search.setFocus()
    answers = [False, True]
    asked: list[bool] = []

    def on_unlock() -> bool:
        asked.append(True)
        return answers.pop(0)

    lock = IdleLock(window, timedelta(minutes=15), on_unlock, clock=seconds)
    lock.lock()
    curtain = lock.curtain_of(window)
    assert curtain is not None
    curtain.button.click()  # sign-in cancelled
    assert lock.is_locked
    with qtbot.waitSignal(lock.unlocked, timeout=0):
        curtain.button.click()
    assert len(asked) == 2
    assert not lock.is_locked and lock.curtain_of(window) is None
    assert window.windowTitle() == "Frontdesk — Monday"
    assert window.search.text() == "Sam Lee"
    qtbot.keyClicks(window.search, "!")
    assert window.search.text() == "Sam Lee!"


def test_typing_without_service_calls_keeps_the_session_alive(qtbot, seconds: Seconds) -> None:
    window, lock = locked_window(qtbot, seconds, "Sam Lee")
    beats: list[bool] = []
    lock.active.connect(lambda: beats.append(True))
    qtbot.keyClick(window.search, Qt.Key.Key_A)
    seconds.now += 61
    qtbot.keyClick(window.search, Qt.Key.Key_B)
    qtbot.keyClick(window.search, Qt.Key.Key_C)  # within the minute: no second beat
    assert beats == [True]


# --- wired to real sessions -----------------------------------------------------------


@pytest.fixture
def people(ctx: ServiceContext, clinic: ClinicFixture) -> People:
    return make_people(ctx, clinic)


@pytest.fixture(autouse=True)
def _no_handler_left_behind() -> Iterator[None]:
    yield
    operations.set_session_handler(None)


def test_locking_ends_the_session_and_signing_in_unlocks(
    qtbot, people: People, clinic: ClinicFixture, seconds: Seconds
) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    window = DayWindow("Sam Lee")
    qtbot.addWidget(window)
    window.show()
    modal_calls: list[str] = []
    notes: list[str] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        modal_calls.append(dialog.message.text())
        dialog.password.setText(DESK_PASSWORD)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        controller = SignInController(
            people.accounts,
            session,
            RememberedSignIn(people.accounts.database.url),
            run=run,
            notify=lambda _p, text: notes.append(text),
            clock=seconds,
        )
        lock = controller.attach(window)
    settle(qtbot)  # the clinic's idle timeout is read in the background
    assert lock.timeout == timedelta(minutes=15)
    curtain_detail = ""
    seconds.now += 15 * 60
    lock.check()
    assert lock.is_locked
    curtain = lock.curtain_of(window)
    assert curtain is not None
    curtain_detail = curtain.detail.text()
    assert curtain_detail == "Dana Desk (reception) was signed in."
    with pytest.raises(SessionExpired) as caught:  # at once, on this PC
        people.context(session).actor()
    assert caught.value.reason is ExpiryReason.IDLE
    settle(qtbot)  # and in the store, in the background
    # Background work while locked does not pop a dialog over the curtain.
    request = booking.BookingRequest(
        clinic.clinic.id,
        clinic.alice.id,
        clinic.consult.id,
        clinic.at(10),
        patient_id=clinic.patients[0].id,
    )
    assert (
        operations.run_operation(
            window, lambda: booking.book_appointment(people.context(session), request)
        )
        is None
    )
    assert modal_calls == []
    curtain.button.click()
    assert modal_calls and "locked to keep patient details private" in modal_calls[0]
    assert not lock.is_locked
    assert people.context(session).actor().name == "Dana Desk"
    assert notes == []


def test_unlocking_as_someone_else_switches_user(qtbot, people: People, seconds: Seconds) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    window = DayWindow("Sam Lee")
    qtbot.addWidget(window)
    window.show()
    notes: list[str] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        dialog.fill("admin", ADMIN_PASSWORD)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        controller = SignInController(
            people.accounts,
            session,
            RememberedSignIn(people.accounts.database.url),
            run=run,
            notify=lambda _p, text: notes.append(text),
            clock=seconds,
        )
        lock = controller.attach(window)
        controller.sign_out()
    assert lock.is_locked and session.user is None
    curtain = lock.curtain_of(window)
    assert curtain is not None and curtain.detail.text() == "Signed out."
    curtain.button.click()
    assert not lock.is_locked
    assert people.context(session).actor().name == "Ada Admin"


def test_a_dialog_over_the_window_shows_the_only_lock_panel(
    qtbot, seconds: Seconds, tmp_path
) -> None:
    window, lock = locked_window(qtbot, seconds, "Sam Lee")
    form = BookingForm(window, "Sam Lee")
    form.resize(360, 220)
    form.show()
    form.move(window.frameGeometry().center() - form.rect().center())
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    lock.lock()
    main, front = lock.curtain_of(window), lock.curtain_of(form)
    assert main is not None and front is not None
    assert front.button.isVisible() and front.title.isVisible()
    assert main.plain and not main.button.isVisible() and not main.title.isVisible()
    form.grab().save(str(tmp_path / "locked-dialog.png"))
    lock.unlock()
    assert form.windowTitle() == "Book Sam Lee"
