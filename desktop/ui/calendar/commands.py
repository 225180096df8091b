"""Undoable calendar edits: each QUndoCommand replays a service call, never a write.

An edit is made first (`move`, `cancel`, `set_status` below call the service
in the background, one edit after another); only when it succeeded is a command
built from the appointment before and after, and pushed, so the stack never
holds an edit that did not happen. `undo()` and later `redo()`s call the service again with the
version the command last saw: undoing over someone else's later change is
refused (StaleEdit) instead of overwriting it, and a command whose replay was
refused marks itself obsolete so the stack drops it.
"""

from __future__ import annotations

import uuid
from collections import deque
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
    """The version each appointment had after this window's last undoable edit of it.

    Also the window's queue of edits: they run in the background one after another,
    so each starts with the version the one before it left (two quick Ctrl+Zs on one
    appointment are two undos, not an undo and a stale refusal).
    """

    def __init__(self, stack: QUndoStack | None = None) -> None:
        super().__init__()
        self.stack = stack
        self._waiting: deque[Callable[[Callable[[], None]], None]] = deque()
        self._running = False

    def in_turn(self, start: Callable[[Callable[[], None]], None]) -> None:
        """Call `start(done)` once every edit queued before it is done."""
        self._waiting.append(start)
        if not self._running:
            self._next()

    def drop(self, command: QUndoCommand) -> None:
        """Take a command whose replay was refused off the stack (it is obsolete: Qt
        deletes it when the stack next steps onto it, which is done here)."""
        stack = self.stack
        if stack is None:
            return
        index = stack.index()
        if index < stack.count() and stack.command(index) is command:
            stack.redo()  # a refused undo: the command sits just after the index
        elif index > 0 and stack.command(index - 1) is command:
            stack.undo()  # a refused redo: just before it

    def _next(self) -> None:
        if not self._waiting:
            self._running = False
            return
        self._running = True
        self._waiting.popleft()(self._next)


Pushed = Callable[[QUndoCommand], None]


def _edit(
    caller: ServiceCaller,
    versions: Versions,
    make_call: Callable[[], Callable[[], Booked]],
    title: str,
    delivered: Callable[[Booked | None], None],
) -> None:
    """Run the edit in the background, in turn; `delivered(None)` after a refusal."""

    def start(done: Callable[[], None]) -> None:
        def saved(result: Booked) -> None:
            versions[result.appointment.id] = result.appointment.version
            caller.publish(result.changes)
            done()
            delivered(result)

        def failed(_exc: Exception) -> None:
            done()
            delivered(None)

        caller.in_background(make_call(), title=title, on_error=failed).success(saved).run()

    versions.in_turn(start)


def _first(
    caller: ServiceCaller,
    versions: Versions,
    call: Callable[[], Booked],
    title: str,
    command: Callable[[Appointment], QUndoCommand],
    pushed: Pushed,
    refused: Callable[[], None] | None,
) -> None:
    def delivered(result: Booked | None) -> None:
        if result is not None:
            pushed(command(result.appointment))
        elif refused is not None:
            refused()

    _edit(caller, versions, lambda: call, title, delivered)


def move(
    caller: ServiceCaller,
    versions: Versions,
    appointment: Appointment,
    place: Place,
    text: str,
    pushed: Pushed,
    refused: Callable[[], None] | None = None,
) -> None:
    """Move and/or resize in the background; `pushed(command)` once it is done (the
    command goes on the undo stack), `refused()` after the user was told why not."""
    _first(
        caller,
        versions,
        _mover(caller, appointment.id, place, appointment.version),
        "Move appointment",
        lambda after: MoveAppointmentCommand(caller, versions, appointment, after, text),
        pushed,
        refused,
    )


def cancel(
    caller: ServiceCaller,
    versions: Versions,
    appointment: Appointment,
    reason: CancellationReason,
    note: str,
    text: str,
    pushed: Pushed,
) -> None:
    ctx = caller.ctx
    _first(
        caller,
        versions,
        lambda: booking.cancel_appointment(
            ctx, appointment.id, reason, note, expected_version=appointment.version
        ),
        "Cancel appointment",
        lambda after: CancelAppointmentCommand(caller, versions, appointment, after, text),
        pushed,
        None,
    )


def set_status(
    caller: ServiceCaller,
    versions: Versions,
    appointment: Appointment,
    status: AppointmentStatus,
    text: str,
    pushed: Pushed,
) -> None:
    ctx = caller.ctx
    _first(
        caller,
        versions,
        lambda: booking.set_status(ctx, appointment.id, status, appointment.version),
        "Appointment status",
        lambda after: SetStatusCommand(caller, versions, appointment, after, text),
        pushed,
        None,
    )


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
        self._replay(self._redo_call, "Redo")

    def undo(self) -> None:
        self._replay(self._undo_call, "Undo")

    def _replay(self, make_call: Callable[[], Callable[[], Booked]], title: str) -> None:
        if self.isObsolete():
            return  # refused before: the stack drops this step now

        def delivered(result: Booked | None) -> None:
            if result is None:
                self.setObsolete(True)  # refused: the stack forgets this step
                self.versions.drop(self)

        # The call is made when its turn comes, with the version the edits before it left.
        _edit(self.caller, self.versions, make_call, f"{title}: {self.text()}", delivered)

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
