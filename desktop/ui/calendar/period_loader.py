"""Reading the calendar's period, and the appointments that changed, in the background.

Every read runs under one key (`ServiceCaller.in_background`), so the newest read
wins and an older one the user has moved past is dropped. A read that takes long
enough to notice says "Loading appointments…" over the view (never on a fast one,
so there is no flicker).

Signals:
    period_read(object): (what set-up still lacks, the CalendarSnapshot or None without a clinic).
    period_failed(): the period could not be read.
    appointments_read(object, object): (the appointments found, the ids that were asked for).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.appointments import Appointment
from desktop.services import calendar, setup
from desktop.services.context import ServiceContext
from desktop.ui.calendar.period import Period
from desktop.ui.calendar.snapshot import CalendarSnapshot, load_snapshot
from desktop.ui.service_caller import ServiceCaller

LOADING_NOTE_MS = 150


class PeriodLoader(QObject):
    period_read = Signal(object)
    period_failed = Signal()
    appointments_read = Signal(object, object)

    def __init__(self, caller: ServiceCaller, over: QWidget) -> None:
        super().__init__(over)
        self.caller = caller
        self._key = f"calendar-{id(self)}"
        self.loading = False  # a full read of the period is on its way
        self.unapplied: frozenset[uuid.UUID] = frozenset()  # changed, not yet re-read
        self.note = QLabel("Loading appointments…", over)
        self.note.setObjectName("calendarLoading")
        self.note.setStyleSheet(
            "background: palette(window); border: 1px solid palette(mid);"
            " border-radius: 4px; padding: 4px 10px;"
        )
        self.note.hide()
        self._hint = QTimer(self)
        self._hint.setSingleShot(True)
        self._hint.setInterval(LOADING_NOTE_MS)
        self._hint.timeout.connect(self._show_note)

    def read_period(
        self,
        period: Period,
        hidden: frozenset[uuid.UUID],
        show_cancelled: bool,
        today: Callable[[ZoneInfo], date] | None = None,
    ) -> None:
        """`today` (run on the worker, given the clinic's zone) moves the period to that
        day: the snapshot that arrives may then have another period than `period`."""
        ctx = self.caller.ctx
        self.loading = True
        self._hint.start()
        self.unapplied = frozenset()  # the full read brings them too
        self.caller.in_background(
            lambda: _read_period(ctx, period, hidden, show_cancelled, today),
            key=self._key,
            refresh_on_refusal=False,
            on_error=lambda _exc: self._failed(),
        ).success(self._period_arrived).run()

    def read_changed(self, ids: frozenset[uuid.UUID]) -> None:
        """Re-read every changed appointment not applied yet: this read supersedes the last."""
        ctx, wanted = self.caller.ctx, self.unapplied | ids
        self.unapplied = wanted
        self.caller.in_background(
            lambda: calendar.appointments_by_id(ctx, wanted),
            key=self._key,
            refresh_on_refusal=False,
        ).success(lambda found: self._changed_arrived(found, wanted)).run()

    def _period_arrived(self, read: tuple[list[str], CalendarSnapshot | None]) -> None:
        self._done()
        self.period_read.emit(read)

    def _changed_arrived(self, found: list[Appointment], ids: frozenset[uuid.UUID]) -> None:
        self.unapplied -= ids
        self.appointments_read.emit(found, ids)

    def _failed(self) -> None:
        self._done()
        self.period_failed.emit()

    def _show_note(self) -> None:
        self.note.adjustSize()
        self.note.move(12, 12)
        self.note.show()
        self.note.raise_()

    def _done(self) -> None:
        self.loading = False
        self._hint.stop()
        self.note.hide()


def _read_period(
    ctx: ServiceContext,
    period: Period,
    hidden: frozenset[uuid.UUID],
    show_cancelled: bool,
    today: Callable[[ZoneInfo], date] | None,
) -> tuple[list[str], CalendarSnapshot | None]:
    """What set-up still lacks, and the period (None while there is no clinic to show)."""
    missing = setup.missing_setup(ctx)
    if "clinic" in missing:
        return missing, None
    return missing, load_snapshot(ctx, period, hidden, show_cancelled, today)
