"""Syncing in the background: a thread that runs passes and reports how things stand.

The thread runs a pass when it starts, soon after every local change (the
capture layer nudges it), and every `interval` seconds (10: another desk's booking
reaches this desk's open calendar within that; an idle pass is one small request, and
the server allows a desk 600 a minute). With the server out of reach it says so
("offline: 3 changes waiting") and tries again, waiting longer each time up to
`longest_retry`, so the desk keeps booking locally and the changes go
up by themselves when the link returns. A lapsed session that nobody renews stops
the thread's work until `signed_in()` is called. No Qt here: the UI adapts
`on_status` to a signal.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop.auth.errors import SessionExpired
from desktop.sync import capture
from desktop.sync.client import Offline, ServerProtocolError
from desktop.sync.engine import SyncEngine

log = logging.getLogger(__name__)


class SyncState(enum.StrEnum):
    STARTING = "starting"
    SYNCING = "syncing"
    SYNCED = "synced"
    OFFLINE = "offline"
    SIGNED_OUT = "signed_out"  # the server needs a sign-in before syncing goes on
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SyncStatus:
    state: SyncState
    pending: int = 0
    conflicts: int = 0
    last_synced_at: datetime | None = None
    message: str = ""
    # (phase, done, total) during a pass with something to download or apply
    progress: tuple[str, int, int] | None = None
    # After a pass: the tables it brought rows of from the server (open screens re-read them).
    pulled: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        """One line for a status bar."""
        waiting = f"{self.pending} change{'s' if self.pending != 1 else ''} waiting to upload"
        if self.state is SyncState.OFFLINE:
            return f"Offline — {waiting}" if self.pending else "Offline — working locally"
        if self.state is SyncState.SIGNED_OUT:
            return "Sign in to the server to keep syncing"
        if self.state is SyncState.SYNCING:
            return "Syncing…"
        if self.state is SyncState.FAILED:
            return f"Sync problem: {self.message}"
        if self.state is SyncState.SYNCED:
            text = f"Synced {self.last_synced_at:%H:%M}" if self.last_synced_at else "Synced"
            return f"{text} — {waiting}" if self.pending else text
        return "Connecting to the server…"


StatusListener = Callable[[SyncStatus], None]
ExpiredListener = Callable[[SessionExpired], None]


class SyncRunner:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval: float = 10.0,
        first_retry: float = 2.0,
        longest_retry: float = 30.0,
        on_status: StatusListener | None = None,
        on_session_expired: ExpiredListener | None = None,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.first_retry = first_retry
        self.longest_retry = longest_retry
        self.on_status = on_status
        self.on_session_expired = on_session_expired
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiting_for_sign_in = False
        self._retry = 0.0  # the current wait while offline; doubles up to `longest_retry`
        self.status = SyncStatus(SyncState.STARTING)
        capture.on_local_commit(engine.database, self.sync_now)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="frontdesk-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def sync_now(self) -> None:
        """Run a pass soon (after a local change, or the user pressed Sync)."""
        if not self._waiting_for_sign_in:
            self._wake.set()

    def signed_in(self) -> None:
        """The user signed in to the server again: carry on."""
        self._waiting_for_sign_in = False
        self._wake.set()

    def run_once(self) -> float | None:
        """One pass and its status; returns how long to wait before the next (None: until woken)."""
        self._report(SyncState.SYNCING)
        try:
            report = self.engine.run_pass(progress=self._progress)
        except Offline as exc:
            self._retry = min(self.longest_retry, max(self.first_retry, self._retry * 2))
            self._report(SyncState.OFFLINE, str(exc))
            return self._retry
        except SessionExpired as exc:
            self._waiting_for_sign_in = True
            self._report(SyncState.SIGNED_OUT, exc.message)
            if self.on_session_expired is not None:
                self.on_session_expired(exc)
            return None
        except ServerProtocolError as exc:
            self._report(SyncState.FAILED, str(exc))
            return self.interval
        except Exception as exc:  # the thread must survive anything and say so
            log.exception("sync pass failed")
            self._report(SyncState.FAILED, str(exc) or type(exc).__name__)
            return self.interval
        self._retry = 0.0
        self._report(
            SyncState.SYNCED, last=report.finished_at, pulled=frozenset(report.pull.entities)
        )
        return self.interval

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            delay = self.run_once()
            if self._stop.is_set():
                break
            self._wake.wait(delay)

    def _progress(self, phase: str, done: int, total: int) -> None:
        self._report(SyncState.SYNCING, progress=(phase, done, total))

    def _report(
        self,
        state: SyncState,
        message: str = "",
        *,
        last: datetime | None = None,
        progress: tuple[str, int, int] | None = None,
        pulled: frozenset[str] = frozenset(),
    ) -> None:
        try:
            pending = self.engine.pending()
            conflicts = self.engine.open_conflicts()
        except Exception:  # a status line must never break the sync thread
            pending, conflicts = self.status.pending, self.status.conflicts
        self.status = SyncStatus(
            state,
            pending,
            conflicts,
            last or self.status.last_synced_at,
            message,
            progress,
            pulled,
        )
        if self.on_status is not None:
            self.on_status(self.status)
