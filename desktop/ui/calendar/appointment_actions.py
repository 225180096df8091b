"""What the user can do to appointments from the calendar: book, open, move, mark, cancel.

One object holds these commands so every place that offers them — the calendar's
mouse and keys, its right-click menu, the details panel — runs the same code.
Changes go through the undo stack where they can be undone (`commands`), and
every result reaches the screens as `Changes` on the bus.

Signals:
    select_requested(object): select this appointment id in the calendar (just booked or moved).
    wait_list_requested(Appointment): put its patient on the wait list for an earlier time.
    slot_freed(OpenSlot): a booking was deleted (its time may suit the wait list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from desktop.domain import day_axis
from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AppointmentType,
    CancellationReason,
)
from desktop.domain.clinic_time import to_local
from desktop.domain.errors import DomainError
from desktop.domain.people import Practitioner
from desktop.domain.repeats import SeriesScope
from desktop.domain.wait_list import OpenSlot
from desktop.services import booking, calendar
from desktop.services.changes import Changes
from desktop.ui import operations, prompts
from desktop.ui.calendar import commands
from desktop.ui.calendar.commands import Place
from desktop.ui.calendar.requests import MoveRequest, SlotRequest
from desktop.ui.calendar.snapshot import CalendarSnapshot
from desktop.ui.service_caller import ServiceCaller

if TYPE_CHECKING:  # the dialogs load when first opened (the first week needs none of them)
    from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
    from desktop.ui.dialogs.booking import BookingDialog
    from desktop.ui.dialogs.cancel import CancelDialog
    from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog

    AppointmentDialog = BookingDialog | ClassAttendeesDialog | EditAppointmentDialog | CancelDialog


class AppointmentActions(QObject):
    select_requested = Signal(object)
    wait_list_requested = Signal(object)
    slot_freed = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        undo_stack: QUndoStack,
        snapshot: Callable[[], CalendarSnapshot | None],
        now: Callable[[], datetime],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.now = now  # the calendar's clock, so its dialogs judge "already begun" alike
        self.ctx = caller.ctx
        self.undo_stack = undo_stack
        self.versions = commands.Versions(undo_stack)
        self._snapshot = snapshot
        self._window = parent  # dialogs open over it
        self._open_key = f"open-appointment-{id(self)}"
        self.dialog: AppointmentDialog | None = None
        self._types: list[AppointmentType] | None = None  # as last read, for the next Book
        self._read_types(None)  # read ahead, so even the first Book opens with them
        caller.bus.changed.connect(self._types_changed)

    # --- booking --------------------------------------------------------------------

    def book(self, request: SlotRequest) -> BookingDialog | None:
        """Open the booking dialog for a slot (double-click, drag, Enter or Ctrl+N)."""
        snapshot = self._snapshot()
        if snapshot is None:
            return None
        if not self._may_book(snapshot, request.practitioner, "Book appointment"):
            return None
        zone = snapshot.zone

        def instants() -> tuple[datetime, datetime | None]:
            start = day_axis.instant_at(request.day, request.start_minute, zone)
            end = request.end_minute
            return start, None if end is None else day_axis.instant_at(request.day, end, zone)

        found = self.caller.in_memory(instants, title="Book appointment")
        if found is None:
            return None
        from desktop.ui.dialogs.booking import BookingDialog

        dialog = BookingDialog(
            self.caller,
            snapshot.clinic.id,
            zone,
            [p for p in snapshot.practitioners if snapshot.bookable(p)],
            self._types,
            request.practitioner.id,
            found[0],
            found[1],
            now=self.now,
            parent=self._window,
        )
        dialog.booked.connect(lambda appointment: self.select_requested.emit(appointment.id))
        self._open(dialog)
        self._read_types(dialog)
        return dialog

    def _types_changed(self, changes: Changes) -> None:
        if changes.appointment_types:  # added, edited or retired: read them ahead again
            self._read_types(None)

    def _read_types(self, dialog: BookingDialog | None) -> None:
        """The dialog opens with the types read last time (read ahead when the calendar
        opens; none if that read has not arrived yet) and is given them as they are now
        once read again (in the background)."""
        ctx = self.ctx

        def arrived(types: list[AppointmentType]) -> None:
            self._types = types
            if dialog is not None:
                dialog.set_types(types)

        self.caller.in_background(
            lambda: calendar.appointment_types(ctx),
            title="Book appointment",
            refresh_on_refusal=False,
            key=None if dialog is not None else f"types-ahead-{id(self)}",
            reports=() if dialog is not None else (DomainError,),  # ahead: nobody asked yet
            parent=dialog or self._window,
        ).success(arrived).run()

    def _may_book(self, snapshot: CalendarSnapshot, practitioner: Practitioner, title: str) -> bool:
        """Says why not when the column is one the user may not book (the keyboard reaches them)."""
        if snapshot.bookable(practitioner):
            return True
        why = (
            f"{practitioner.name} is inactive and cannot be booked."
            if not practitioner.active
            else f"You can only book in your own calendar, not {practitioner.name}'s."
        )
        operations.show_error(self._window, title, why)
        return False

    def _open(self, dialog: AppointmentDialog) -> None:
        self.dialog = dialog
        dialog.open()

    # --- moving -----------------------------------------------------------------------

    def move(self, request: MoveRequest) -> None:
        snapshot = self._snapshot()
        if snapshot is None:
            return
        zone = snapshot.zone

        def place() -> Place:
            return Place(
                request.practitioner.id,
                day_axis.instant_at(request.day, request.start_minute, zone),
                day_axis.instant_at(request.day, request.end_minute, zone),
            )

        target = self.caller.in_memory(place, title="Move appointment")
        if target is None:
            return
        self.push_move(request.appointment, target)

    def move_to_slot(self, appointment: Appointment, request: SlotRequest) -> None:
        """The details panel's Move: the slot the user picked, the appointment's length kept."""
        snapshot = self._snapshot()
        if snapshot is None or not self._may_book(
            snapshot, request.practitioner, "Move appointment"
        ):
            return
        length = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
        self.move(
            MoveRequest(
                appointment,
                request.practitioner,
                request.day,
                request.start_minute,
                request.start_minute + length,
            )
        )

    def push_move(self, appointment: Appointment, target: Place) -> None:
        """Move (or resize) as one undoable step, named as the Edit menu shows it."""
        snapshot = self._snapshot()
        assert snapshot is not None
        zone = snapshot.zone
        local = to_local(target.starts_at, zone)
        same_start = (target.practitioner_id, target.starts_at) == (
            appointment.practitioner_id,
            appointment.starts_at,
        )
        verb = "Resize" if same_start else "Move"
        text = f"{verb} {appointment.title} to {local:%a} {local.hour}:{local.minute:02d}"
        if same_start:
            end = to_local(target.ends_at, zone)
            text = f"Resize {appointment.title} to end {end.hour}:{end.minute:02d}"

        def pushed(command: QUndoCommand) -> None:
            self.undo_stack.push(command)
            self.select_requested.emit(appointment.id)

        commands.move(self.caller, self.versions, appointment, target, text, pushed)

    def nudge(self, appointment: Appointment, minutes: int) -> None:
        """Alt+arrows: the same practitioner, earlier or later by `minutes`."""
        delta = timedelta(minutes=minutes)
        target = Place(
            appointment.practitioner_id, appointment.starts_at + delta, appointment.ends_at + delta
        )
        self.push_move(appointment, target)

    # --- one appointment --------------------------------------------------------------

    def open(self, appointment: Appointment) -> None:
        """Open the appointment's dialog (attendees for a class) once the types are read."""
        snapshot = self._snapshot()
        if snapshot is None:
            return
        if appointment.kind is AppointmentKind.CLASS:
            self._open_dialog(snapshot, appointment, ())
            return
        ctx = self.ctx
        self.caller.in_background(
            lambda: calendar.appointment_types(ctx), key=self._open_key, title="Open appointment"
        ).success(lambda types: self._open_dialog(snapshot, appointment, types)).run()

    def _open_dialog(
        self,
        snapshot: CalendarSnapshot,
        appointment: Appointment,
        types: Sequence[AppointmentType],
    ) -> None:
        practitioner = snapshot.practitioner(appointment.practitioner_id)
        name = practitioner.name if practitioner else ""
        editable = snapshot.may_change(appointment)
        if appointment.kind is AppointmentKind.CLASS:
            from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog

            self._open(
                ClassAttendeesDialog(
                    self.caller, appointment, snapshot.zone, name, self._window, editable=editable
                )
            )
            return
        from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog

        self._open(
            EditAppointmentDialog(
                self.caller,
                appointment,
                snapshot.zone,
                [
                    p
                    for p in snapshot.practitioners
                    if snapshot.bookable(p) or p.id == appointment.practitioner_id
                ],
                self.undo_stack,
                self.versions,
                self._window,
                editable=editable,
                types=types,
            )
        )

    def mark(self, appointment: Appointment, status: AppointmentStatus) -> None:
        text = f"Mark {appointment.title} {status.label.lower()}"
        commands.set_status(
            self.caller, self.versions, appointment, status, text, self.undo_stack.push
        )

    def ask_cancel(self, appointment: Appointment) -> CancelDialog:
        from desktop.ui.dialogs.cancel import CancelDialog

        dialog = CancelDialog(
            f"{appointment.title}'s {appointment.type_name.lower()}",
            self._window,
            in_series=appointment.series_id is not None,
        )
        dialog.accepted.connect(
            lambda: self.cancel(appointment, dialog.reason(), dialog.note_text(), dialog.scope())
        )
        self._open(dialog)
        return dialog

    def cancel(
        self,
        appointment: Appointment,
        reason: CancellationReason,
        note: str,
        scope: SeriesScope = SeriesScope.THIS,
    ) -> None:
        if scope is not SeriesScope.THIS:
            commands.cancel_series(self.caller, self.undo_stack, appointment, scope, reason, note)
            return
        text = f"Cancel {appointment.title}"
        commands.cancel(
            self.caller, self.versions, appointment, reason, note, text, self.undo_stack.push
        )

    def restore(self, appointment: Appointment) -> None:
        ctx = self.ctx
        self.caller.in_background(
            lambda: booking.restore_appointment(ctx, appointment.id, appointment.version),
            title="Restore appointment",
        ).success(lambda result: self.caller.publish(result.changes)).run()

    def delete(self, appointment: Appointment) -> None:
        if not prompts.ask(
            self._window,
            "Delete appointment",
            f"Delete {appointment.title}'s {appointment.type_name.lower()} for good? "
            "This cannot be undone; cancel it instead to keep a record.",
            "Delete",
        ):
            return
        ctx = self.ctx
        self.caller.in_background(
            lambda: booking.delete_appointment(ctx, appointment.id), title="Delete appointment"
        ).success(lambda changes: self._deleted(appointment, changes)).run()

    def _deleted(self, appointment: Appointment, changes: Changes) -> None:
        self.caller.publish(changes)
        self.slot_freed.emit(
            OpenSlot(
                appointment.practitioner_id,
                appointment.starts_at,
                appointment.ends_at,
                appointment.type_id,
            )
        )
