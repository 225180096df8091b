"""Undoable calendar edits: each QUndoCommand replays a service call, never a write.

An edit is made first (`move`, `cancel`, `set_status` below call the service
through `run_operation`); only when it succeeded is a command built from the
appointment before and after, and pushed, so the stack never holds an edit that
did not happen. `undo()` and later `redo()`s call the service again with the
version the command last saw: undoing over someone else's later change is
refused (StaleEdit) instead of overwriting it, and a command whose replay was
refused marks itself obsolete so the stack drops it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.domain.appointments import Appointment, AppointmentStatus, CancellationReason
from desktop.domain.repeats import SeriesScope
from desktop.services import booking, series
from desktop.services.booking import Booked
from desktop.services.series import SeriesChanged, SeriesEdit
from desktop.ui.service_caller import ServiceCaller


@dataclass(frozen=True, slots=True)
class Place:
    """Where an appointment sits: whose column, from when to when."""

    practitioner_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, appointment: Appointment) -> Place:
        return cls(appointment.practitioner_id, appointment.starts_at, appointment.ends_at)


class Versions(dict[uuid.UUID, int]):
    """The version each appointment had after this window's last undoable edit of it."""


def _first(
    caller: ServiceCaller, versions: Versions, call: Callable[[], Booked], title: str
) -> Appointment | None:
    result = caller.call(call, title=title)
    if result is None:
        return None
    versions[result.appointment.id] = result.appointment.version
    caller.publish(result.changes)
    return result.appointment


def move(
    caller: ServiceCaller, versions: Versions, appointment: Appointment, place: Place, text: str
) -> MoveAppointmentCommand | None:
    """Move and/or resize now; the command to push, or None if it was refused."""
    call = _mover(caller, appointment.id, place, appointment.version)
    after = _first(caller, versions, call, "Move appointment")
    if after is None:
        return None
    return MoveAppointmentCommand(caller, versions, appointment, after, text)


def cancel(
    caller: ServiceCaller,
    versions: Versions,
    appointment: Appointment,
    reason: CancellationReason,
    note: str,
    text: str,
) -> CancelAppointmentCommand | None:
    ctx = caller.ctx
    after = _first(
        caller,
        versions,
        lambda: booking.cancel_appointment(
            ctx, appointment.id, reason, note, expected_version=appointment.version
        ),
        "Cancel appointment",
    )
    if after is None:
        return None
    return CancelAppointmentCommand(caller, versions, appointment, after, text)


def set_status(
    caller: ServiceCaller,
    versions: Versions,
    appointment: Appointment,
    status: AppointmentStatus,
    text: str,
) -> SetStatusCommand | None:
    ctx = caller.ctx
    after = _first(
        caller,
        versions,
        lambda: booking.set_status(ctx, appointment.id, status, appointment.version),
        "Appointment status",
    )
    if after is None:
        return None
    return SetStatusCommand(caller, versions, appointment, after, text)


def _mover(
    caller: ServiceCaller, appointment_id: uuid.UUID, place: Place, version: int
) -> Callable[[], Booked]:
    ctx = caller.ctx
    return lambda: booking.move_appointment(
        ctx,
        appointment_id,
        practitioner_id=place.practitioner_id,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        expected_version=version,
    )


class _ReplayCommand(QUndoCommand):
    """Skips the first redo (the edit was already made), then replays on demand."""

    def __init__(
        self,
        caller: ServiceCaller,
        versions: Versions,
        before: Appointment,
        after: Appointment,
        text: str,
    ) -> None:
        super().__init__(text)
        self.caller = caller
        self.versions = versions
        self.appointment_id = before.id
        self.before = before
        self.after = after
        self._made = True

    @property
    def version(self) -> int:
        return self.versions.get(self.appointment_id, self.after.version)

    def redo(self) -> None:
        if self._made:
            self._made = False
            return
        self._replay(self._redo_call(), "Redo")

    def undo(self) -> None:
        self._replay(self._undo_call(), "Undo")

    def _replay(self, call: Callable[[], Booked], title: str) -> None:
        result = self.caller.call(call, title=f"{title}: {self.text()}")
        if result is None:
            self.setObsolete(True)  # refused: the stack forgets this step
            return
        self.versions[self.appointment_id] = result.appointment.version
        self.caller.publish(result.changes)

    def _redo_call(self) -> Callable[[], Booked]:
        raise NotImplementedError

    def _undo_call(self) -> Callable[[], Booked]:
        raise NotImplementedError


class MoveAppointmentCommand(_ReplayCommand):
    def _redo_call(self) -> Callable[[], Booked]:
        return _mover(self.caller, self.appointment_id, Place.of(self.after), self.version)

    def _undo_call(self) -> Callable[[], Booked]:
        return _mover(self.caller, self.appointment_id, Place.of(self.before), self.version)


class CancelAppointmentCommand(_ReplayCommand):
    """Undo restores the booking, if its slot is still free."""

    def _redo_call(self) -> Callable[[], Booked]:
        ctx, version, after = self.caller.ctx, self.version, self.after
        reason = after.cancellation_reason or CancellationReason.OTHER
        return lambda: booking.cancel_appointment(
            ctx, after.id, reason, after.cancellation_note or "", expected_version=version
        )

    def _undo_call(self) -> Callable[[], Booked]:
        ctx, version, status = self.caller.ctx, self.version, self.before.status
        return lambda: booking.restore_appointment(
            ctx, self.appointment_id, expected_version=version, status=status
        )


class SetStatusCommand(_ReplayCommand):
    def _redo_call(self) -> Callable[[], Booked]:
        return self._set(self.after.status)

    def _undo_call(self) -> Callable[[], Booked]:
        return self._set(self.before.status)

    def _set(self, status: AppointmentStatus) -> Callable[[], Booked]:
        ctx, version = self.caller.ctx, self.version
        return lambda: booking.set_status(ctx, self.appointment_id, status, version)


def cancel_series(
    caller: ServiceCaller,
    undo_stack: QUndoStack,
    appointment: Appointment,
    scope: SeriesScope,
    reason: CancellationReason,
    note: str,
) -> None:
    """Cancel this and the following, or all, of a series in the background; once it
    is done, one undoable step (Ctrl+Z brings them all back, or none if a slot went)."""
    ctx = caller.ctx

    def done(result: SeriesChanged) -> None:
        caller.publish(result.changes)
        ids, before = [i for i, _ in result.before], list(result.before)
        undo_stack.push(
            SeriesCommand(
                caller,
                f"Cancel {len(ids)} of {appointment.title}'s series",
                undo=lambda: series.restore_cancelled(ctx, before),
                redo=lambda: series.cancel_ids(ctx, ids, reason, note),
            )
        )

    caller.in_background(
        lambda: series.cancel_in_series(ctx, appointment.id, scope, reason, note),
        title="Cancel appointments",
    ).success(done).run()


def change_series(
    caller: ServiceCaller,
    undo_stack: QUndoStack,
    appointment: Appointment,
    scope: SeriesScope,
    edit: SeriesEdit,
    on_done: Callable[[bool], None],
) -> None:
    """Change this and the following, or all, in the background; then one undoable
    step. `on_done(True)` once saved, `on_done(False)` when refused (the user was told)."""
    ctx = caller.ctx

    def done(result: SeriesChanged) -> None:
        caller.publish(result.changes)
        ids, previous = [a.id for a in result.previous], result.previous
        undo_stack.push(
            SeriesCommand(
                caller,
                f"Change {len(ids)} of {appointment.title}'s series",
                undo=lambda: series.put_back(ctx, previous),
                redo=lambda: series.change_ids(ctx, ids, edit),
            )
        )
        on_done(True)

    caller.in_background(
        lambda: series.change_in_series(ctx, appointment.id, scope, edit),
        title="Change repeating appointments",
        on_error=lambda _exc: on_done(False),
    ).success(done).run()


class SeriesCommand(QUndoCommand):
    """A change to several appointments of a series as one undo step. Undo and redo
    run in the background and the service makes each all-or-nothing."""

    def __init__(
        self,
        caller: ServiceCaller,
        text: str,
        *,
        undo: Callable[[], SeriesChanged],
        redo: Callable[[], SeriesChanged],
    ) -> None:
        super().__init__(text)
        self.caller = caller
        self._undo = undo
        self._redo = redo
        self._made = True

    def redo(self) -> None:
        if self._made:
            self._made = False  # the change was made before the command was pushed
            return
        self._replay(self._redo, "Redo")

    def undo(self) -> None:
        self._replay(self._undo, "Undo")

    def _replay(self, call: Callable[[], SeriesChanged], title: str) -> None:
        self.caller.in_background(call, title=f"{title}: {self.text()}").success(
            lambda result: self.caller.publish(result.changes)
        ).run()
