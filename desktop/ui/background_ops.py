"""Running a service call off the GUI thread: the one mechanism for every slow call.

    BackgroundOp(lambda: load(ctx, period), parent=self, key=self.load_key)
        .success(self.show_loaded).failure(self.show_unloaded).run()

The work runs on a daemon worker thread; its result, or its failure, is handed
back on the GUI thread, so widgets are only ever touched there (Anki's
`CollectionOp` / `QueryOp` is the model).

* **Dropping what the user has moved past.** Operations that share a `key` (a
  calendar's loads, one search field's queries) supersede each other: an older
  one that has not started yet never runs, and one already running has its result
  dropped. A result for a widget that has since been deleted is dropped too.
* **One error path.** A refusal (`DomainError`) and a lapsed session
  (`SessionExpired`) go through `desktop.ui.operations.handle_failure`, exactly
  as a synchronous call does: a message, or the sign-in prompt — after which the
  interrupted work runs again, once, in the background. Anything else is a bug:
  handed to `sys.excepthook` on the GUI thread (the crash handler), then to
  `.failure()` so the screen can recover.
* **Database use from the workers.** A service opens its own session (a
  `UnitOfWork` or `Database.reading()`) for the length of one call and closes
  it before returning, so a session never crosses threads; each worker thread
  borrows a connection from the engine's pool (SQLAlchemy opens SQLite files with
  `check_same_thread=False`; WAL lets a reader run beside a writer; PostgreSQL's
  pool is thread-safe). Results are plain domain objects, never ORM rows, so
  nothing lazy-loads on the GUI thread.
* **Quitting never waits.** Workers are daemon threads; `abandon_all()` (on
  quit) drops everything queued and every result still to come, and returns at once.
* **Work Qt allows only on the GUI thread** (building a week's hundreds of
  calendar blocks) runs as `SlicedWork`: a small step per event-loop turn, so
  the window answers in between.
* **The GUI thread waits at most a millisecond for Python.** A worker running
  Python (decoding a week of rows) holds the interpreter lock, and the GUI thread
  needs it for every callback it makes (a paint, a timer, a signal). Python hands
  the lock over only every `sys.getswitchinterval()` (5 ms by default), so a
  GUI-thread turn of a few dozen callbacks could wait a tenth of a second behind a
  worker. The runner lowers the interval to `GIL_SWITCH_SECONDS` when it starts
  its workers: the workers lose a little throughput, the window stays responsive.
* **Tests** wait deterministically with `runner().idle()` (no queued, running,
  debounced or sliced work): see `tests/helpers/background.py`.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.auth.errors import SessionExpired
from desktop.domain.errors import DomainError
from desktop.ui import operations

T = TypeVar("T")

WORKER_THREADS = 4  # a slow Xero call must not hold up a calendar load
TYPING_PAUSE_MS = 200  # type-ahead searches once the keys pause: a name is one search
GIL_SWITCH_SECONDS = 0.001  # how long the GUI thread may wait for a worker's Python


class OpState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"  # the work returned or raised; delivery is on its way
    DELIVERED = "delivered"
    DROPPED = "dropped"  # superseded, abandoned, or its widget is gone


@dataclass(eq=False)
class _Job:
    """One submitted op on its way through a worker.

    `op` (with its work, callbacks and parent widget) is let go on the GUI thread as
    soon as the job is delivered or dropped: a worker thread may hold the job a moment
    longer, and must never be the one to free what the op refers to (a Python-owned
    QObject freed there is destroyed off the GUI thread, which crashes Qt).
    """

    op: BackgroundOp[Any] | None
    state: OpState = OpState.QUEUED
    result: object = None
    error: Exception | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class BackgroundOp(Generic[T]):
    """One call to run in the background; `.success()` / `.failure()` then `.run()`."""

    def __init__(
        self,
        work: Callable[[], T],
        *,
        parent: QObject | None = None,
        key: str | None = None,
        title: str = "Frontdesk",
        reports: tuple[type[Exception], ...] = (),
    ) -> None:
        """`reports`: failures the caller shows itself (say in a status label); they go
        straight to `.failure()`, without a message box. A lapsed session still asks
        the user to sign in unless `SessionExpired` itself is listed."""
        self.work = work
        self.parent = parent
        self.key = key
        self.title = title
        self.reports = reports
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[Exception], None] | None = None
        self._attempt = 1
        self.job: _Job | None = None

    def success(self, callback: Callable[[T], None]) -> BackgroundOp[T]:
        """Called on the GUI thread with the work's result."""
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[Exception], None]) -> BackgroundOp[T]:
        """Called on the GUI thread after the user has been told why it failed."""
        self._on_failure = callback
        return self

    def run(self) -> BackgroundOp[T]:
        runner().submit(self)
        return self

    @property
    def state(self) -> OpState:
        return OpState.QUEUED if self.job is None else self.job.state


class OpRunner(QObject):
    """The worker threads and the hand-over to the GUI thread (one per application).

    Signals:
        _finished(_Job): emitted on a worker thread; Qt delivers it on the GUI thread.
    """

    _finished = Signal(object)

    def __init__(self, threads: int = WORKER_THREADS) -> None:
        super().__init__()
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._thread_count = threads
        self._latest: dict[str, _Job] = {}  # key -> the newest op with that key
        self._open: set[_Job] = set()  # submitted, not yet delivered or dropped
        self._gui_work: set[_GuiWork] = set()  # debounces and sliced work still to act
        self._finished.connect(self._deliver)

    # --- on the GUI thread -----------------------------------------------------------

    def submit(self, op: BackgroundOp[Any]) -> None:
        job = _Job(op)
        op.job = job
        if op.key is not None:
            previous = self._latest.get(op.key)
            if previous is not None:
                self._drop(previous)  # the user has moved past it
            self._latest[op.key] = job
        self._open.add(job)
        self._start_threads()
        self._queue.put(job)

    def cancel(self, key: str) -> None:
        """Drop the op with this key, if any (its result is no longer wanted)."""
        job = self._latest.pop(key, None)
        if job is not None:
            self._drop(job)

    def idle(self) -> bool:
        """Nothing queued, running, waiting for delivery, waiting out a debounce or sliced."""
        waiting = (w for w in self._gui_work if shiboken6.isValid(w) and w.pending)
        return not self._open and not any(waiting)

    def abandon_all(self) -> None:
        """Drop every queued op and every result still to come; returns at once."""
        for job in list(self._open):
            self._drop(job)
        self._latest.clear()
        for work in list(self._gui_work):
            if shiboken6.isValid(work):
                work.cancel()
        self._gui_work.clear()

    def _start_threads(self) -> None:
        if not self._threads:
            sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_SECONDS))
        while len(self._threads) < self._thread_count:
            thread = threading.Thread(
                target=self._work_loop, name=f"frontdesk-op-{len(self._threads) + 1}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _drop(self, job: _Job) -> None:
        with job.lock:
            if job.state is not OpState.RUNNING:
                job.state = OpState.DROPPED
                job.op = None  # never runs: let go of it here, on the GUI thread
            # A running job keeps going; `_deliver` lets go of it when it is back.
        self._open.discard(job)

    def _deliver(self, job: _Job) -> None:
        with job.lock:
            op, job.op = job.op, None
            result, job.result = job.result, None
            error, job.error = job.error, None
        if job not in self._open or op is None:
            job.state = OpState.DROPPED  # abandoned while it ran
            return
        self._open.discard(job)
        parent = op.parent
        if op.key is not None and self._latest.get(op.key) is job:
            del self._latest[op.key]
        if parent is not None and not shiboken6.isValid(parent):
            job.state = OpState.DROPPED
            return
        job.state = OpState.DELIVERED
        if error is None:
            if op._on_success is not None:
                op._on_success(result)
            return
        if _caller_reports(op, error):
            if op._on_failure is not None:
                op._on_failure(error)
            return
        if not isinstance(error, DomainError | SessionExpired):
            # A bug: reported by the crash handler; the caller still hears of the
            # failure, so a "Checking…" or a disabled button does not stay for good.
            sys.excepthook(type(error), error, error.__traceback__)
            if op._on_failure is not None:
                op._on_failure(error)
            return
        retry = operations.handle_failure(
            parent if isinstance(parent, QWidget) else None,
            error,
            title=op.title,
            may_retry=op._attempt == 1,
            on_error=op._on_failure,
        )
        if retry:
            op._attempt += 1
            self.submit(op)

    # --- on a worker thread ----------------------------------------------------------

    def _work_loop(self) -> None:
        while True:
            job = self._queue.get()
            if self._run(job):
                self._finished.emit(job)
            # Only an emptied job may be let go here: `_run`'s frame (the work function)
            # is gone, and the GUI thread takes the op, result and error out on delivery.
            del job

    @staticmethod
    def _run(job: _Job) -> bool:
        """Run the job's work; False when it was dropped before it started."""
        with job.lock:
            if job.state is OpState.DROPPED or job.op is None:
                return False
            job.state = OpState.RUNNING
            work = job.op.work
        try:
            job.result = work()
        except Exception as exc:  # handed to the GUI thread, which decides
            job.error = exc  # its traceback (and the frames it holds) is let go by the GUI thread
        with job.lock:
            if job.state is OpState.RUNNING:
                job.state = OpState.FINISHED
        return True


def _caller_reports(op: BackgroundOp[Any], error: Exception) -> bool:
    if isinstance(error, SessionExpired):
        return SessionExpired in op.reports
    return isinstance(error, op.reports)


class _GuiWork(Protocol):
    """GUI-thread work still to act (a debounce waiting, a sliced build under way)."""

    @property
    def pending(self) -> bool: ...

    def cancel(self) -> None: ...


class Debounce(QObject):
    """Call `action(value)` once the value has stopped changing for `delay_ms`.

    A burst of keystrokes becomes one search (qutebrowser's `Throttle` is the model).
    """

    def __init__(self, delay_ms: int, action: Callable[[str], None], parent: QObject) -> None:
        super().__init__(parent)
        self._action = action
        self._value = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    def __call__(self, value: str) -> None:
        self._value = value
        runner()._gui_work.add(self)
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Act now on the latest value (the timer ran out, or Enter was pressed)."""
        self._timer.stop()
        runner()._gui_work.discard(self)
        self._action(self._value)

    def cancel(self) -> None:
        self._timer.stop()
        runner()._gui_work.discard(self)


class SlicedWork(QObject):
    """Call `step()` once per event-loop turn until it returns True (all done).

    For work only the GUI thread may do but too long for one turn: each step is
    kept small, and the window repaints and answers input between steps.
    """

    def __init__(self, step: Callable[[], bool], parent: QObject) -> None:
        super().__init__(parent)
        self._step = step
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def start(self) -> None:
        runner()._gui_work.add(self)
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def finish(self) -> None:
        """Do every remaining step now (something needs the whole result)."""
        while self.pending:
            self._next()

    def cancel(self) -> None:
        self._timer.stop()
        runner()._gui_work.discard(self)

    def _next(self) -> None:
        if self._step():
            self.cancel()


_runner: OpRunner | None = None


def runner() -> OpRunner:
    """The application's one runner (made on first use, on the GUI thread)."""
    global _runner  # one set of workers for the whole application
    if _runner is None:
        _runner = OpRunner()
    return _runner
