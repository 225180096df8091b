"""The status bar's wait-list notice: freed slots in the calendar's period that someone fits.

A cancellation, a no-show (the rest of its time) or a booking deleted on this desk
frees a practitioner's time; when anyone on the wait list can take it, the status
bar says "Wait list: 2 fit 1 freed slot". A click lists the slots ("Tue 4 Mar, 10:00 am · Alice Physio · 2
waiting"); choosing one opens the booking dialog on that slot, which offers the
patients who fit, urgent first then oldest.

It is worked out in the background (one read for the whole period) after the
calendar loads a period (from just after the first week is painted: `follow_calendar`)
and after any change to the calendar or the wait list;
the notice hides when there is nothing to say. A cancelled block shown on the
calendar whose time someone fits says so in its badge: "Cancelled · 2 waiting" (a
no-show: "No-show · 1 waiting").
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtWidgets import QWidget

from desktop.domain import day_axis
from desktop.domain.clinic_time import day_bounds, to_local
from desktop.domain.wait_list import OpenSlot
from desktop.services import wait_list
from desktop.services.changes import Changes
from desktop.services.wait_list import FreedSlot
from desktop.ui.calendar.panel import CalendarPanel
from desktop.ui.calendar.requests import SlotRequest
from desktop.ui.calendar.snapshot import CalendarSnapshot
from desktop.ui.messaging.formatting import short_when
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.status_bar import StatusNotice

# Deleted bookings are remembered this long (a deletion leaves no row to find again).
REMEMBER_DELETED = timedelta(days=1)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class FreedSlotsNotice(StatusNotice):
    def __init__(
        self,
        caller: ServiceCaller,
        panel: CalendarPanel,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "waitListNotice",
            "Patients on the wait list who can take a freed time: click to book",
            parent,
        )
        self.caller = caller
        self.panel = panel
        self.now = now
        self.freed: list[FreedSlot] = []
        self.deleted: list[tuple[datetime, OpenSlot]] = []  # (when deleted, the slot)
        self._badged: set[uuid.UUID] = set()  # freed blocks showing a wait-list count
        self._key = f"freed-slots-{id(self)}"
        panel.appointment_actions.slot_freed.connect(self.remember)
        caller.bus.changed.connect(self._on_changes)

    def follow_calendar(self) -> None:
        """Work it out for the period shown now and for every period the calendar loads
        from now on (the window starts this once its first week is painted)."""
        self.panel.loaded.connect(lambda _snapshot: self.refresh())
        self.refresh()

    def remember(self, slot: object) -> None:
        """A booking deleted on this desk: its time counts as freed for a while."""
        if isinstance(slot, OpenSlot):
            now = self.now()
            self.deleted = [(at, s) for at, s in self.deleted if now - at < REMEMBER_DELETED]
            self.deleted.append((now, slot))
            self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.appointments or changes.wait_list or changes.practitioners:
            self.refresh()

    def refresh(self) -> None:
        snapshot = self.panel.snapshot
        if snapshot is None or not snapshot.days:
            return
        start = day_bounds(snapshot.days[0], snapshot.zone)[0]
        end = day_bounds(snapshot.days[-1], snapshot.zone)[1]
        ctx, also, now = self.caller.ctx, [s for _, s in self.deleted], self.now()
        self.caller.in_background(
            lambda: wait_list.freed_slots(ctx, start, end, also=also, now=now),
            key=self._key,
            refresh_on_refusal=False,
        ).success(self._show).run()

    def _show(self, found: list[FreedSlot]) -> None:
        self.freed = [f for f in found if f.entries]
        self._badge_blocks()
        self.menu_.clear()
        snapshot = self.panel.snapshot
        if not self.freed or snapshot is None:
            self.hide()
            return
        people = {e.id for f in self.freed for e in f.entries}
        self.setText(
            f"Wait list: {len(people)} waiting fit "
            f"{_plural(len(self.freed), 'freed slot', 'freed slots')}"
        )
        for freed in self.freed:
            label = (
                f"{short_when(freed.slot.starts_at, snapshot.zone)} · {freed.practitioner_name}"
                f" · {len(freed.entries)} waiting"
            )
            self.menu_.addAction(label, functools.partial(self.book, freed))
        self.show()

    def _badge_blocks(self) -> None:
        """A cancelled (or no-show) block whose time someone fits says "Cancelled · 2 waiting"."""
        scene = self.panel.scene
        if scene is None:
            return
        counts = {
            f.slot.freed_by: len(f.entries) for f in self.freed if f.slot.freed_by is not None
        }
        for appointment_id in self._badged | set(counts):
            item = scene.items_by_id.get(appointment_id)
            if item is not None:
                item.set_waiting(counts.get(appointment_id, 0))
        self._badged = set(counts)

    def book(self, freed: FreedSlot) -> object:
        """Open the booking dialog on the freed slot (it offers the wait list)."""
        snapshot = self.panel.snapshot
        assert snapshot is not None
        request = slot_request(snapshot, freed.slot)
        return self.panel.book(request) if request is not None else None


def slot_request(snapshot: CalendarSnapshot, slot: OpenSlot) -> SlotRequest | None:
    practitioner = next(
        (p for p in (*snapshot.practitioners, *snapshot.active) if p.id == slot.practitioner_id),
        None,
    )
    if practitioner is None:
        return None
    day = to_local(slot.starts_at, snapshot.zone).date()
    start = int(day_axis.wall_minute(slot.starts_at, day, snapshot.zone))
    end = int(day_axis.wall_minute(slot.ends_at, day, snapshot.zone))
    return SlotRequest(practitioner, day, start, end)
