"""Slow calls leave the window live: the password check, Compare with Xero, and quitting."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.auth import SignedIn
from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import load_demo_clinic
from desktop.services.reconcile import Reconciliation
from desktop.ui.background_ops import OpState, runner
from desktop.ui.background_work import QUIT_GRACE_S, BackgroundWork
from desktop.ui.change_bus import ChangeBus
from desktop.ui.credit import ReconciliationView
from desktop.ui.main_window import MainWindow
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.signin import SignInDialog
from tests.auth.people import DESK_PASSWORD, make_people
from tests.helpers.background import settle


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_the_password_is_checked_off_the_gui_thread(
    qtbot, local_ctx: ServiceContext, gate: threading.Event
) -> None:
    people = make_people(local_ctx)
    checked_on: list[threading.Thread] = []

    def sign_in(username: str, password: str, remember: bool) -> SignedIn:
        checked_on.append(threading.current_thread())
        gate.wait(10)  # a slow hash on a slow database
        return people.accounts.sign_in(username, password, remember=remember)

    dialog = SignInDialog(None, sign_in)
    qtbot.addWidget(dialog)
    dialog.fill("desk", DESK_PASSWORD)
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: bool(checked_on))
    # The click returned while the check runs: the dialog says so and takes no second try.
    assert dialog.accept_button.text() == "Checking…"
    assert not dialog.accept_button.isEnabled()
    assert dialog.result() == 0
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter again while checking
    dialog.submit()  # and the submit it would reach, were the button still on
    gate.set()
    settle(qtbot)
    assert len(checked_on) == 1  # one check, not two
    assert checked_on[0] is not threading.main_thread()
    assert dialog.result() == 1
    assert dialog.signed_in is not None and dialog.signed_in.user.username == "desk"


def test_a_wrong_password_is_refused_in_the_dialog(qtbot, local_ctx: ServiceContext) -> None:
    people = make_people(local_ctx)
    dialog = SignInDialog(
        None, lambda u, p, r: people.accounts.sign_in(u, p, remember=r), username="desk"
    )
    qtbot.addWidget(dialog)
    dialog.password.setText("not the password")
    dialog.accept_button.click()
    settle(qtbot)
    assert dialog.result() == 0
    assert dialog.error.text()  # the service's own sentence
    assert dialog.accept_button.isEnabled() and dialog.accept_button.text() == "Sign in"
    assert dialog.password.text() == ""


def test_compare_with_xero_keeps_the_window_live_while_xero_answers(
    qtbot, local_ctx: ServiceContext, gate: threading.Event, errors: list[str]
) -> None:
    def slow_xero() -> Reconciliation:
        gate.wait(10)
        return Reconciliation([], documents=3, patients=2)

    view = ReconciliationView(ServiceCaller(local_ctx, ChangeBus(), None), slow_xero)
    qtbot.addWidget(view)
    op = view.run()
    qtbot.waitUntil(lambda: op.state is OpState.RUNNING)
    assert view.summary.text() == "Asking Xero…"
    assert not view.run_button.isEnabled()  # one comparison at a time
    gate.set()
    settle(qtbot)
    assert view.summary.text() == "Frontdesk and Xero agree (3 documents, 2 patients)."
    assert view.run_button.isEnabled()
    assert errors == []


def test_quitting_does_not_wait_for_a_busy_operation(
    qtbot, local_ctx: ServiceContext, settings, gate: threading.Event
) -> None:
    load_demo_clinic(local_ctx, patients=5)
    window = MainWindow(local_ctx, settings)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    op = window.caller.in_background(lambda: gate.wait(10)).run()
    qtbot.waitUntil(lambda: op.state is OpState.RUNNING)
    window.close()
    # close() has returned and the worker is still inside the call: nothing waited on it.
    assert op.state is OpState.RUNNING
    assert runner().idle()
    gate.set()
    qtbot.waitUntil(lambda: op.state is OpState.DROPPED)


class BusyWorker:
    """A background sender in the middle of a send: it would take its time to stop."""

    def __init__(self) -> None:
        self.asked_to_stop_within: list[float] = []

    def wake(self) -> None:
        pass

    def stop(self, timeout: float = 10.0) -> None:
        self.asked_to_stop_within.append(timeout)


def test_stopping_the_senders_gives_them_a_fraction_of_a_second_in_all(qtbot) -> None:
    background = BackgroundWork(ChangeBus())
    workers = [BusyWorker(), BusyWorker(), BusyWorker()]
    for worker in workers:
        background.add_worker(worker)
    background.stop()
    grants = [w.asked_to_stop_within[0] for w in workers]
    assert all(0 <= grant <= QUIT_GRACE_S for grant in grants)
    assert sum(grants) <= QUIT_GRACE_S * len(workers)
    assert background.workers == []
