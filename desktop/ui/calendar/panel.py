"""The calendar panel: shows a period, turns the scene's requests into service calls.

One `CalendarScene` per visible range: moving to another day or week builds a new
scene; changes within the range update the current one. After any operation the
panel hears the `Changes` on the bus like every other screen: a handful of
appointments are re-read and only their columns laid out again; anything wider
(practitioners, patients' names, the clinic) reloads the range.

Every read runs in the background (`ServiceCaller.in_background`) under one key,
so the newest read wins and an older one the user has moved past is dropped.
Moving to another period draws its empty columns and header at once (not
clickable until filled); the blocks appear when the data arrives. A failed load
shows a sentence instead of the grid, never a half-drawn view.

Signals:
    period_changed(Period): the day or week shown changed.
    loaded(CalendarSnapshot): a range was (re)loaded (for the practitioner chooser).
    patient_requested(object): open this patient's card (a patient id).
    setup_requested(str): the set-up strip's button: open the page adding what is missing.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QLabel, QMenu, QStackedLayout, QVBoxLayout, QWidget

from desktop.domain import day_axis
from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancellationReason,
)
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.errors import DomainError
from desktop.services import booking, calendar, setup
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui import operations, prompts
from desktop.ui.calendar import commands
from desktop.ui.calendar.block_painter import BlockFonts
from desktop.ui.calendar.commands import Place
from desktop.ui.calendar.grid import Grid
from desktop.ui.calendar.period import Period, ViewMode
from desktop.ui.calendar.requests import MoveRequest, Slot, SlotRequest
from desktop.ui.calendar.scene import SLOT, CalendarScene
from desktop.ui.calendar.setup_banner import SetupBanner
from desktop.ui.calendar.snapshot import (
    CalendarSnapshot,
    load_snapshot,
    placeholder_snapshot,
    visible_minutes,
)
from desktop.ui.calendar.view import CalendarView
from desktop.ui.dialogs.appointment_edit import EditAppointmentDialog
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.dialogs.cancel import CancelDialog
from desktop.ui.dialogs.class_attendees import ClassAttendeesDialog
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.theme import CalendarColours

ZOOM = (0.9, 1.1, 1.35, 1.6, 2.0, 2.5)  # pixels per minute; 1.35 ≈ 81 px an hour
DEFAULT_ZOOM = 2
# A week of 5 days x 5 practitioners fits 1366 px, and 7 x 5 fits 1920 px, at ~50 px
# a column: initials in the header, names shortened in the blocks, the rest in tooltips.
MIN_COLUMN = {ViewMode.DAY: 120.0, ViewMode.WEEK: 44.0}
# More changed appointments than this at once: reloading the range is cheaper.
INCREMENTAL_LIMIT = 100
LOADING_NOTE_MS = 150


class CalendarPanel(QWidget):
    period_changed = Signal(object)
    loaded = Signal(object)
    patient_requested = Signal(object)
    invoice_requested = Signal(object, object)  # appointment id, patient id
    setup_requested = Signal(str)

    def __init__(
        self,
        caller: ServiceCaller,
        undo_stack: QUndoStack,
        preferences: Preferences,
        colours: CalendarColours,
        now: Callable[[], datetime],
        start_day: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.ctx = caller.ctx
        self.undo_stack = undo_stack
        self.versions = commands.Versions(undo_stack)
        self.preferences = preferences
        self.colours = colours
        self.now = now
        self.snapshot: CalendarSnapshot | None = None
        self.scene: CalendarScene | None = None
        self.dialog: (
            BookingDialog | ClassAttendeesDialog | EditAppointmentDialog | CancelDialog | None
        ) = None
        self.view = CalendarView(colours, self)
        self.empty = QLabel()
        self.empty.setObjectName("calendarEmpty")
        self.empty.setWordWrap(True)
        self.banner = SetupBanner(self)
        self.banner.setup_requested.connect(self.setup_requested)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.empty)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addLayout(self._stack)
        self.period = Period(preferences.view_mode, start_day or self.today())
        self.fonts = BlockFonts.from_base(self.font())
        self._load_key = f"calendar-{id(self)}"
        self.loading = False  # a full read of the period is on its way
        self._unapplied: frozenset[uuid.UUID] = frozenset()  # changed, not yet re-read
        self._to_select: uuid.UUID | None = None  # booked just now, still being read
        # Said only when a read takes long enough to notice (no flicker on a fast one).
        self.loading_note = QLabel("Loading appointments…", self.view.viewport())
        self.loading_note.setObjectName("calendarLoading")
        self.loading_note.setStyleSheet(
            "background: palette(window); border: 1px solid palette(mid);"
            " border-radius: 4px; padding: 4px 10px;"
        )
        self.loading_note.hide()
        self._loading_hint = QTimer(self)
        self._loading_hint.setSingleShot(True)
        self._loading_hint.setInterval(LOADING_NOTE_MS)
        self._loading_hint.timeout.connect(self._show_loading_note)
        self._connect_view()
        caller.bus.changed.connect(self._on_changes)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(30_000)
        self.reload()

    def _connect_view(self) -> None:
        view = self.view
        view.resized.connect(self._fit)
        view.activate_requested.connect(self.activate)
        view.menu_key_pressed.connect(self._menu_for_selection)
        view.cancel_key_pressed.connect(self._cancel_selection)
        view.nudge_requested.connect(self.nudge)
        view.zoom_requested.connect(self.zoom)

    # --- what is shown ------------------------------------------------------------

    def today(self) -> date:
        if self.snapshot is not None:
            return to_local(self.now(), self.snapshot.zone).date()
        try:
            zone = calendar.main_clinic(self.ctx).timezone
        except DomainError:  # no clinic yet: the panel says so when it loads
            return self.now().date()
        return to_local(self.now(), clinic_zone(zone)).date()

    def go_to(self, day: date) -> None:
        self._show(self.period.with_anchor(day))

    def go_today(self) -> None:
        self.go_to(self.today())

    def step(self, steps: int) -> None:
        self._show(self.period.stepped(steps))

    def set_mode(self, mode: ViewMode) -> None:
        self.preferences.view_mode = mode
        self._show(self.period.with_mode(mode))

    def set_hidden(self, hidden: frozenset[uuid.UUID]) -> None:
        self.preferences.hidden_practitioners = hidden
        self.reload()

    def set_show_cancelled(self, show: bool) -> None:
        self.preferences.show_cancelled = show
        self.reload()

    def zoom(self, steps: int) -> None:
        level = min(max(self._zoom_level() + steps, 0), len(ZOOM) - 1)
        self.preferences.zoom = level - DEFAULT_ZOOM
        self._fit()

    def _zoom_level(self) -> int:
        return min(max(DEFAULT_ZOOM + self.preferences.zoom, 0), len(ZOOM) - 1)

    def _show(self, period: Period) -> None:
        changed = period != self.period
        self.period = period
        self.reload(new_range=changed)
        if changed:
            self.period_changed.emit(period)

    def reload(self, new_range: bool = False) -> None:
        """Read the period again; a new range gets a new scene, the same range keeps its own."""
        period, prefs, ctx = self.period, self.preferences, self.ctx
        if new_range and self.snapshot is not None:
            self._show_placeholder(placeholder_snapshot(self.snapshot, period))
        self.loading = True
        self._loading_hint.start()
        self._unapplied = frozenset()  # the full read brings them too
        self.caller.in_background(
            lambda: _read_period(ctx, period, prefs.hidden_practitioners, prefs.show_cancelled),
            key=self._load_key,
            refresh_on_refusal=False,
            on_error=self._load_failed,
        ).success(self._arrived).run()

    def _arrived(self, read: tuple[list[str], CalendarSnapshot | None]) -> None:
        missing, snapshot = read
        self.banner.show_missing(missing)
        if snapshot is not None:
            self._loaded(snapshot)
            return
        self._done_loading()
        self.snapshot = None
        self._show_empty("Set up the clinic (Settings ▸ Clinic…) to see its calendar.")

    def _show_placeholder(self, placeholder: CalendarSnapshot) -> None:
        self.snapshot = placeholder
        self._new_scene(placeholder, self._grid(placeholder))
        self.view.setInteractive(False)  # an empty column is not a free one

    def _show_loading_note(self) -> None:
        self.loading_note.adjustSize()
        self.loading_note.move(12, 12)
        self.loading_note.show()
        self.loading_note.raise_()

    def _done_loading(self) -> None:
        self.loading = False
        self._loading_hint.stop()
        self.loading_note.hide()

    def _load_failed(self, _exc: Exception) -> None:
        self._done_loading()
        self._show_empty("The calendar could not be loaded.")

    def _loaded(self, snapshot: CalendarSnapshot) -> None:
        self._done_loading()
        self.snapshot = snapshot
        grid = self._grid(snapshot)
        if self.scene is None or self.scene.snapshot.period != snapshot.period:
            self._new_scene(snapshot, grid)
        else:
            self.scene.load(snapshot, grid)
            self._update_margins(grid)
        if not snapshot.practitioners:
            self._show_empty(
                "No practitioners are shown. Choose who to show under View ▸ Practitioners."
                if snapshot.active
                else "There are no active practitioners. Add or reactivate one in Settings ▸ Practitioners."
            )
        else:
            self._stack.setCurrentWidget(self.view)
        assert self.scene is not None
        if self.scene.building:
            self.view.setInteractive(False)  # a click must not land on a block still to come
        else:
            self._built()

    def _built(self) -> None:
        """Every block of the loaded period is in: the calendar takes input again."""
        assert self.snapshot is not None
        self.view.setInteractive(True)
        self._select_arrived()
        self.loaded.emit(self.snapshot)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self._stack.setCurrentWidget(self.empty)

    def _grid(self, snapshot: CalendarSnapshot) -> Grid:
        count = max(len(snapshot.days) * len(snapshot.practitioners), 1)
        available = max(self.view.viewport().width() - 1, 200)
        width = max(MIN_COLUMN[snapshot.period.mode], available / count)
        return Grid.build(
            snapshot.days,
            snapshot.practitioners,
            visible_minutes(snapshot),
            width,
            ZOOM[self._zoom_level()],
        )

    def _new_scene(self, snapshot: CalendarSnapshot, grid: Grid) -> None:
        old = self.scene
        scene = CalendarScene(snapshot, grid, self.colours, self.fonts, self.now)
        scene.setParent(self)
        scene.booking_requested.connect(self.book)
        scene.move_requested.connect(self.move_appointment)
        scene.open_requested.connect(self.open_appointment)
        scene.menu_requested.connect(self.show_menu)
        scene.slot_menu_requested.connect(self.show_slot_menu)
        scene.built.connect(self._built)
        self.scene = scene
        self.view.set_week(snapshot.period.mode is ViewMode.WEEK)
        self.view.setScene(scene)
        self._update_margins(grid)
        self._scroll_to_start()
        if old is not None:
            old.dispose()
            old.deleteLater()

    def _update_margins(self, grid: Grid) -> None:
        assert self.snapshot is not None
        assert self.scene is not None
        self.view.header.show_grid(grid, self.today())
        zone = self.snapshot.zone
        if len(grid.days) == 1:
            day = grid.days[0][0] if grid.days else self.period.anchor
            marks = day_axis.ruler_marks(day, zone, grid.first_minute, grid.last_minute)
            change = day_axis.clock_change(day, zone)
            skipped = (change.start, change.end) if change and change.forward else None
        else:
            # One ruler for the week: plain hours (a DST day's column shades its gap).
            marks = [
                day_axis.RulerMark(m, day_axis.hour_label(m))
                for m in range(grid.first_minute, grid.last_minute + 1, 60)
            ]
            skipped = None
        self.view.ruler.show_grid(grid, marks, skipped)
        first_day = grid.days[0][0] if grid.days else self.period.anchor
        noon = day_axis.instant_at(first_day, 12 * 60, zone)
        self.view.set_zone_label(to_local(noon, zone).tzname() or "", zone.key)
        self._tick()
        self.view.resetCachedContent()

    def _scroll_to_start(self) -> None:
        """Now a third of the way down, the top on a whole hour (its label in full)."""
        assert self.scene is not None
        grid = self.scene.grid
        now_y = self.scene.now_y()
        if now_y is None:
            self.view.scroll_to_y(0)
            return
        visible = self.view.viewport().height()
        wanted = grid.minute_at(now_y - visible / 3)
        # Never past the last hour that still fills the view: the bar would stop mid-row.
        latest = grid.minute_at(max(grid.height - visible, 0))
        hour = min(wanted // 60, latest // 60) * 60
        self.view.scroll_to_y(grid.y_of(max(hour, grid.first_minute)))

    def _fit(self) -> None:
        if self.snapshot is None or self.scene is None:
            return
        grid = self._grid(self.snapshot)
        current = self.scene.grid
        if (grid.column_width, grid.pixels_per_minute) != (
            current.column_width,
            current.pixels_per_minute,
        ):
            self.scene.set_grid(grid)
            self._update_margins(grid)

    def _tick(self) -> None:
        if self.scene is None or self.snapshot is None:
            return
        y = self.scene.now_y()
        grid = self.scene.grid
        self.view.ruler.set_now(None if y is None else grid.minute_at(y))
        self.scene.invalidate(self.scene.sceneRect(), CalendarScene.SceneLayer.ForegroundLayer)

    # --- changes ------------------------------------------------------------------

    def _on_changes(self, changes: Changes) -> None:
        if self.scene is None or self.snapshot is None or self.loading:
            self.reload()
            return
        wide = changes.practitioners or changes.clinic or changes.appointment_types
        if wide or changes.patients or not changes.ids or len(changes.ids) > INCREMENTAL_LIMIT:
            if changes.appointments or wide or changes.patients:
                self.reload()
            return
        if not changes.appointments:
            return
        # Re-read every changed appointment not shown yet: this read supersedes the last.
        ctx, ids = self.ctx, self._unapplied | changes.ids
        self._unapplied = ids
        self.caller.in_background(
            lambda: calendar.appointments_by_id(ctx, ids),
            key=self._load_key,
            refresh_on_refusal=False,
        ).success(lambda found: self._apply(found, ids)).run()

    def _apply(self, found: list[Appointment], ids: frozenset[uuid.UUID]) -> None:
        assert self.scene is not None
        assert self.snapshot is not None
        self._unapplied -= ids
        if any(self._outside_hours(a) for a in found if self.snapshot.shows(a)):
            self.reload()  # the ruler must grow to show it
            return
        self.scene.apply(found, ids - {a.id for a in found})
        self._select_arrived()

    def _outside_hours(self, appointment: Appointment) -> bool:
        assert self.scene is not None
        assert self.snapshot is not None
        grid, zone = self.scene.grid, self.snapshot.zone
        day = to_local(appointment.starts_at, zone).date()
        start = day_axis.wall_minute(appointment.starts_at, day, zone)
        end = day_axis.wall_minute(appointment.ends_at, day, zone)
        return start < grid.first_minute or min(end, day_axis.MINUTES_PER_DAY) > grid.last_minute

    # --- booking --------------------------------------------------------------------

    def book(self, request: SlotRequest) -> BookingDialog | None:
        """Open the booking dialog for a slot (double-click, drag, Enter or Ctrl+N)."""
        snapshot = self.snapshot
        if snapshot is None:
            return None
        practitioner = request.practitioner
        if not snapshot.bookable(practitioner):  # the keyboard's slot in such a column
            why = (
                f"{practitioner.name} is inactive and cannot be booked."
                if not practitioner.active
                else f"You can only book in your own calendar, not {practitioner.name}'s."
            )
            operations.show_error(self, "Book appointment", why)
            return None
        zone = snapshot.zone

        def instants() -> tuple[datetime, datetime | None]:
            start = day_axis.instant_at(request.day, request.start_minute, zone)
            end = request.end_minute
            return start, None if end is None else day_axis.instant_at(request.day, end, zone)

        found = self.caller.call(instants, title="Book appointment", refresh_on_refusal=False)
        types = self.caller.call(lambda: calendar.appointment_types(self.ctx))
        if found is None or types is None:
            return None
        dialog = BookingDialog(
            self.caller,
            snapshot.clinic.id,
            zone,
            [p for p in snapshot.practitioners if snapshot.bookable(p)],
            types,
            request.practitioner.id,
            found[0],
            found[1],
            parent=self,
        )
        dialog.booked.connect(lambda appointment: self.select(appointment.id))
        self._open(dialog)
        return dialog

    def book_at_cursor(self) -> BookingDialog | None:
        """Ctrl+N: the keyboard's slot, else the next quarter hour in the first column."""
        scene = self.scene
        if scene is None or not scene.grid.columns:
            return None
        if scene.cursor is not None:
            return self.book(scene.slot_request(scene.cursor))
        grid = scene.grid
        minute = grid.first_minute
        today = self.today()
        snapshot = scene.snapshot
        bookable = [c for c in grid.columns if snapshot.bookable(c.practitioner)]
        if not bookable:
            return None  # nobody the user may book with is shown
        column = next((c for c in bookable if c.day == today), bookable[0])
        if column.day == today:
            now_minute = day_axis.wall_minute(self.now(), today, snapshot.zone)
            minute = max(minute, int(now_minute // SLOT + 1) * SLOT)
        minute = min(minute, grid.last_minute - SLOT)
        return self.book(SlotRequest(column.practitioner, column.day, minute))

    def _open(
        self, dialog: BookingDialog | ClassAttendeesDialog | EditAppointmentDialog | CancelDialog
    ) -> None:
        self.dialog = dialog
        dialog.open()

    # --- moving -----------------------------------------------------------------------

    def move_appointment(self, request: MoveRequest) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        zone = snapshot.zone

        def place() -> Place:
            return Place(
                request.practitioner.id,
                day_axis.instant_at(request.day, request.start_minute, zone),
                day_axis.instant_at(request.day, request.end_minute, zone),
            )

        target = self.caller.call(place, title="Move appointment")
        if target is None:
            return
        self._push_move(request.appointment, target)

    def _push_move(self, appointment: Appointment, target: Place) -> None:
        assert self.snapshot is not None
        zone = self.snapshot.zone
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
            self.select(appointment.id)

        commands.move(self.caller, self.versions, appointment, target, text, pushed)

    def nudge(self, minutes: int) -> None:
        scene = self.scene
        appointment = scene.selected_appointment() if scene else None
        if scene is None or appointment is None or not scene.snapshot.may_change(appointment):
            return
        delta = timedelta(minutes=minutes)
        target = Place(
            appointment.practitioner_id, appointment.starts_at + delta, appointment.ends_at + delta
        )
        self._push_move(appointment, target)

    # --- one appointment --------------------------------------------------------------

    def select(self, appointment_id: uuid.UUID) -> None:
        """Select a block; one still being read is selected when it arrives."""
        item = self.scene.select(appointment_id) if self.scene is not None else None
        self._to_select = None if item is not None else appointment_id
        if item is not None:
            self.view.ensureVisible(item, 20, 40)

    def _select_arrived(self) -> None:
        scene, wanted = self.scene, self._to_select
        if wanted is not None and scene is not None and wanted in scene.items_by_id:
            self.select(wanted)

    def activate(self) -> None:
        """Enter: open the selected appointment, or book in the keyboard's slot."""
        scene = self.scene
        if scene is None:
            return
        selected = scene.selected_appointment()
        if selected is not None:
            self.open_appointment(selected)
        elif scene.cursor is not None:
            self.book(scene.slot_request(scene.cursor))

    def open_appointment(self, appointment: Appointment) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        practitioner = snapshot.practitioner(appointment.practitioner_id)
        name = practitioner.name if practitioner else ""
        editable = snapshot.may_change(appointment)
        if appointment.kind is AppointmentKind.CLASS:
            self._open(
                ClassAttendeesDialog(
                    self.caller,
                    appointment,
                    snapshot.zone,
                    name,
                    self,
                    editable=editable,
                )
            )
        else:
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
                    self,
                    editable=editable,
                    types=self.caller.call(lambda: calendar.appointment_types(self.ctx)) or (),
                )
            )

    def appointment_menu(self, appointment: Appointment) -> QMenu:
        """Right-click menu of a block (also the Menu key on a selected block).

        Offers only what the signed-in user may do: someone else's appointment (for
        a practitioner) or one kept read-only can be opened and looked at, no more.
        """
        assert self.snapshot is not None
        menu = QMenu(self)
        is_class = appointment.kind is AppointmentKind.CLASS
        editable = self.snapshot.may_change(appointment)
        label = ("Attendees…" if is_class else "Edit…") if editable else "Open…"
        menu.addAction(label, lambda: self.open_appointment(appointment)).setObjectName("open")
        if appointment.patient_id is not None:
            patient_id = appointment.patient_id
            menu.addAction("Patient card", lambda: self.patient_requested.emit(patient_id))
            invoice = menu.addAction(
                "&Invoice / take payment…",
                lambda: self.invoice_requested.emit(appointment.id, patient_id),
            )
            invoice.setObjectName("invoice")
        if editable:
            self._add_change_actions(menu, appointment)
        return menu

    def _add_change_actions(self, menu: QMenu, appointment: Appointment) -> None:
        menu.addSeparator()
        status = appointment.status
        live = status is not AppointmentStatus.CANCELLED
        for target, label in (
            (AppointmentStatus.ARRIVED, "Mark &arrived"),
            (AppointmentStatus.COMPLETED, "Mark &completed"),
            (AppointmentStatus.NO_SHOW, "Mark &no-show"),
            (AppointmentStatus.BOOKED, "Back to &booked"),
        ):
            action = menu.addAction(label, functools.partial(self.mark, appointment, target))
            action.setEnabled(live and status is not target)
            action.setObjectName(f"mark_{target.value}")
        menu.addSeparator()
        if status is AppointmentStatus.CANCELLED:
            menu.addAction("&Restore", lambda: self.restore(appointment)).setObjectName("restore")
        else:
            cancel = menu.addAction("Cancel appointment…", lambda: self.ask_cancel(appointment))
            cancel.setObjectName("cancel")
        menu.addAction("&Delete…", lambda: self.delete(appointment)).setObjectName("delete")

    def menu_action(self, menu: QMenu, name: str) -> QAction:
        found = next((a for a in menu.actions() if a.objectName() == name), None)
        if found is None:
            raise LookupError(name)
        return found

    def show_menu(self, appointment: Appointment, position: QPoint) -> None:
        self.appointment_menu(appointment).popup(position)

    def show_slot_menu(self, request: SlotRequest, position: QPoint) -> None:
        """Right-click on empty time (the scene offers it only where the user may book)."""
        menu = QMenu(self)
        local_time = (
            day_axis.hour_label(request.start_minute // 60 * 60)[:-2]
            + f"{request.start_minute % 60:02d}"
        )
        menu.addAction(
            f"New appointment with {request.practitioner.name} at {local_time}…",
            lambda: self.book(request),
        )
        menu.popup(position)

    def _menu_for_selection(self) -> None:
        scene = self.scene
        appointment = scene.selected_appointment() if scene else None
        if scene is None or appointment is None:
            return
        item = scene.items_by_id[appointment.id]
        corner = self.view.mapFromScene(item.mapToScene(item.boundingRect().topLeft()))
        self.show_menu(appointment, self.view.viewport().mapToGlobal(corner))

    def _cancel_selection(self) -> None:
        scene = self.scene
        appointment = scene.selected_appointment() if scene else None
        if (
            scene is not None
            and appointment is not None
            and appointment.status is not AppointmentStatus.CANCELLED
            and scene.snapshot.may_change(appointment)
        ):
            self.ask_cancel(appointment)

    def mark(self, appointment: Appointment, status: AppointmentStatus) -> None:
        text = f"Mark {appointment.title} {status.label.lower()}"
        commands.set_status(
            self.caller, self.versions, appointment, status, text, self.undo_stack.push
        )

    def ask_cancel(self, appointment: Appointment) -> CancelDialog:
        dialog = CancelDialog(f"{appointment.title}'s {appointment.type_name.lower()}", self)
        dialog.accepted.connect(
            lambda: self.cancel(appointment, dialog.reason(), dialog.note_text())
        )
        self._open(dialog)
        return dialog

    def cancel(self, appointment: Appointment, reason: CancellationReason, note: str) -> None:
        text = f"Cancel {appointment.title}"
        commands.cancel(
            self.caller, self.versions, appointment, reason, note, text, self.undo_stack.push
        )

    def restore(self, appointment: Appointment) -> None:
        ctx = self.ctx
        result = self.caller.call(
            lambda: booking.restore_appointment(ctx, appointment.id, appointment.version),
            title="Restore appointment",
        )
        if result is not None:
            self.caller.publish(result.changes)

    def delete(self, appointment: Appointment) -> None:
        if not prompts.ask(
            self,
            "Delete appointment",
            f"Delete {appointment.title}'s {appointment.type_name.lower()} for good? "
            "This cannot be undone; cancel it instead to keep a record.",
            "Delete",
        ):
            return
        ctx = self.ctx
        result = self.caller.call(
            lambda: booking.delete_appointment(ctx, appointment.id), title="Delete appointment"
        )
        if result is not None:
            self.caller.publish(result)

    def cursor_slot(self) -> Slot | None:
        return self.scene.cursor if self.scene else None

    def header_text(self) -> str:
        """The period in large type under the clinic's name in small type (rich text)."""
        snapshot = self.snapshot
        if snapshot is None:
            return self.period.title
        muted = self.colours.muted.name()
        return (
            f"<span style='font-size:8.5pt; font-weight:normal; color:{muted}'>"
            f"{_escape(snapshot.clinic.name)}</span><br>{self.period.title}"
        )


def _escape(text: str) -> str:
    """Angle brackets escaped for rich text; "&" left readable ("Physio & Pilates")."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _read_period(
    ctx: ServiceContext, period: Period, hidden: frozenset[uuid.UUID], show_cancelled: bool
) -> tuple[list[str], CalendarSnapshot | None]:
    """What set-up still lacks, and the period (None while there is no clinic to show)."""
    missing = setup.missing_setup(ctx)
    if "clinic" in missing:
        return missing, None
    return missing, load_snapshot(ctx, period, hidden, show_cancelled)
