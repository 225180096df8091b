"""The one way to run a service off the GUI thread: delivery, superseding, errors, quitting."""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget

from desktop.auth.errors import ExpiryReason, SessionExpired
from desktop.domain.errors import DomainError
from desktop.ui import operations
from desktop.ui.background_ops import (
    GIL_SWITCH_SECONDS,
    WORKER_THREADS,
    BackgroundOp,
    Debounce,
    OpState,
    runner,
)
from tests.helpers.background import settle


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Holds a worker busy until the test opens it (always opened at the end)."""
    event = threading.Event()
    yield event
    event.set()


class Recorder:
    def __init__(self) -> None:
        self.results: list[object] = []
        self.failures: list[Exception] = []
        self.threads: list[threading.Thread] = []

    def success(self, result: object) -> None:
        self.threads.append(threading.current_thread())
        self.results.append(result)

    def failure(self, exc: Exception) -> None:
        self.failures.append(exc)


def test_work_runs_on_a_worker_and_the_result_arrives_on_the_gui_thread(qtbot: object) -> None:
    seen = Recorder()
    worked_on: list[threading.Thread] = []

    def work() -> int:
        worked_on.append(threading.current_thread())
        return 42

    BackgroundOp(work).success(seen.success).run()
    settle(qtbot)
    assert seen.results == [42]
    assert worked_on[0] is not threading.main_thread()
    assert seen.threads == [threading.main_thread()]


def test_with_workers_running_python_hands_the_gui_thread_the_lock_every_millisecond(
    qtbot: object,
) -> None:
    BackgroundOp(lambda: None).run()
    settle(qtbot)
    assert sys.getswitchinterval() <= GIL_SWITCH_SECONDS == 0.001


def test_a_newer_op_with_the_same_key_drops_the_older_result(
    qtbot: object, gate: threading.Event
) -> None:
    seen = Recorder()
    started = threading.Event()

    def slow() -> str:
        started.set()
        gate.wait(10)
        return "old week"

    old = BackgroundOp(slow, key="calendar").success(seen.success).run()
    qtbot.waitUntil(started.is_set)  # type: ignore[attr-defined]
    new = BackgroundOp(lambda: "new week", key="calendar").success(seen.success).run()
    qtbot.waitUntil(lambda: new.state is OpState.DELIVERED)  # type: ignore[attr-defined]
    gate.set()
    qtbot.waitUntil(lambda: old.state is OpState.DROPPED)  # type: ignore[attr-defined]
    settle(qtbot)
    assert seen.results == ["new week"]


def test_a_superseded_op_that_has_not_started_never_runs(
    qtbot: object, gate: threading.Event
) -> None:
    ran: list[str] = []
    # Keep every worker busy so the keyed ops wait in the queue.
    blockers = [BackgroundOp(lambda: gate.wait(10)).run() for _ in range(runner()._thread_count)]
    qtbot.waitUntil(lambda: all(b.state is OpState.RUNNING for b in blockers))  # type: ignore[attr-defined]
    first = BackgroundOp(lambda: ran.append("first"), key="search").run()
    BackgroundOp(lambda: ran.append("second"), key="search").run()
    gate.set()
    settle(qtbot)
    assert ran == ["second"]
    assert first.state is OpState.DROPPED


def test_a_refusal_is_shown_once_and_reaches_the_failure_callback(
    qtbot: object, errors: list[str]
) -> None:
    seen = Recorder()

    def refuse() -> None:
        raise DomainError("Sarah Chen is already booked at 10:00.")

    BackgroundOp(refuse, title="Book").success(seen.success).failure(seen.failure).run()
    settle(qtbot)
    assert errors == ["Sarah Chen is already booked at 10:00."]
    assert seen.results == []
    assert [str(e) for e in seen.failures] == ["Sarah Chen is already booked at 10:00."]


class Handler:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[SessionExpired] = []
        self.threads: list[threading.Thread] = []

    def reauthenticate(self, _parent: QWidget | None, expired: SessionExpired) -> bool:
        self.asked.append(expired)
        self.threads.append(threading.current_thread())
        return self.answer


def test_a_lapsed_session_asks_for_sign_in_then_runs_the_work_again_once(
    qtbot: object, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Handler(answer=True)
    monkeypatch.setattr(operations, "_session_handler", handler)
    seen = Recorder()
    attempts: list[int] = []

    def work() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise SessionExpired(ExpiryReason.IDLE)
        return "saved"

    BackgroundOp(work).success(seen.success).failure(seen.failure).run()
    settle(qtbot)
    assert len(handler.asked) == 1
    assert handler.threads == [threading.main_thread()]  # the sign-in dialog is a widget
    assert len(attempts) == 2
    assert seen.results == ["saved"]
    assert errors == []


def test_a_session_that_lapses_again_after_the_retry_is_reported_not_retried_forever(
    qtbot: object, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Handler(answer=True)
    monkeypatch.setattr(operations, "_session_handler", handler)
    seen = Recorder()
    attempts: list[int] = []

    def work() -> None:
        attempts.append(1)
        raise SessionExpired(ExpiryReason.IDLE)

    BackgroundOp(work).failure(seen.failure).run()
    settle(qtbot)
    assert len(attempts) == 2
    assert len(handler.asked) == 1
    assert len(errors) == 1
    assert len(seen.failures) == 1


def test_a_declined_sign_in_fails_quietly(
    qtbot: object, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Handler(answer=False)
    monkeypatch.setattr(operations, "_session_handler", handler)
    seen = Recorder()

    def work() -> None:
        raise SessionExpired(ExpiryReason.IDLE)

    BackgroundOp(work).success(seen.success).failure(seen.failure).run()
    settle(qtbot)
    assert len(handler.asked) == 1
    assert errors == []  # the handler told the user already
    assert len(seen.failures) == 1
    assert seen.results == []


def test_a_result_for_a_deleted_widget_is_dropped(qtbot: object, gate: threading.Event) -> None:
    widget = QWidget()
    seen = Recorder()
    op = BackgroundOp(lambda: gate.wait(10), parent=widget).success(seen.success).run()
    qtbot.waitUntil(lambda: op.state is OpState.RUNNING)  # type: ignore[attr-defined]
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))  # type: ignore[attr-defined]
    gate.set()
    settle(qtbot)
    assert op.state is OpState.DROPPED
    assert seen.results == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_abandoning_returns_at_once_with_the_workers_still_busy(
    qtbot: object, gate: threading.Event
) -> None:
    seen = Recorder()
    busy = [
        BackgroundOp(lambda: gate.wait(10)).success(seen.success).run()
        for _ in range(runner()._thread_count)
    ]
    queued = [BackgroundOp(lambda: "later").success(seen.success).run() for _ in range(3)]
    qtbot.waitUntil(lambda: all(op.state is OpState.RUNNING for op in busy))  # type: ignore[attr-defined]
    runner().abandon_all()
    # abandon_all returned while the workers are still inside the work: nothing waited.
    assert all(op.state is OpState.RUNNING for op in busy)
    assert all(op.state is OpState.DROPPED for op in queued)
    assert runner().idle()
    gate.set()
    qtbot.waitUntil(lambda: all(op.state is OpState.DROPPED for op in busy))  # type: ignore[attr-defined]
    assert seen.results == []


def test_a_burst_of_keystrokes_becomes_one_call(qtbot: object) -> None:
    owner = QWidget()
    calls: list[str] = []
    debounce = Debounce(200, calls.append, owner)
    for text in ("S", "Sa", "Sar", "Sara", "Sarah"):
        debounce(text)
    assert not runner().idle()  # a test's settle() waits for the debounce too
    settle(qtbot)
    assert calls == ["Sarah"]
    owner.deleteLater()


def test_a_bug_in_the_work_reaches_the_crash_handler_and_the_failure_callback(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _tb: crashes.append(error))
    seen = Recorder()

    def broken() -> None:
        raise ImportError("a module went missing")

    BackgroundOp(broken).success(seen.success).failure(seen.failure).run()
    settle(qtbot)
    assert [str(e) for e in crashes] == ["a module went missing"]
    assert [type(e) for e in seen.failures] == [ImportError]  # the screen can recover


class _Captured:
    """Stands for a widget the work function refers to."""


def test_what_an_op_refers_to_is_let_go_on_the_gui_thread(qtbot: object) -> None:
    """A worker must never free an op's work, callbacks or result: a Python-owned Qt
    object freed there is destroyed off the GUI thread, and Qt crashes."""
    freed_on: list[str] = []
    captured = _Captured()
    weakref.finalize(captured, lambda: freed_on.append(threading.current_thread().name))
    seen = Recorder()
    op = BackgroundOp(lambda captured=captured: 1).success(seen.success).run()
    del captured
    settle(qtbot)
    assert seen.results == [1]
    assert freed_on == []  # the op is still ours
    del op  # the last reference the GUI thread holds
    # Each worker now takes another job: one still holding the first would free it now.
    for _ in range(WORKER_THREADS * 2):
        BackgroundOp(lambda: None).run()
    settle(qtbot)
    assert freed_on == [threading.main_thread().name]


def test_a_dropped_ops_work_is_let_go_on_the_gui_thread(
    qtbot: object, gate: threading.Event
) -> None:
    freed_on: list[str] = []
    captured = _Captured()
    weakref.finalize(captured, lambda: freed_on.append(threading.current_thread().name))
    for _ in range(WORKER_THREADS):  # every worker busy: the next op waits in the queue
        BackgroundOp(gate.wait).run()
    BackgroundOp(lambda captured=captured: 1, key="k").run()
    del captured
    runner().cancel("k")
    assert freed_on == [threading.main_thread().name]
    gate.set()
    settle(qtbot)
