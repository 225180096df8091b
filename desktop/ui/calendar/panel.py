"""The calendar panel: the period shown, its scene and view, and what keeps them current.

It composes the calendar's parts, each with one job: `PeriodLoader` reads in the
background, `CalendarScene` / `CalendarView` draw and take the mouse and keys,
`AppointmentActions` runs what the user asks for (book, open, move, cancel …),
and `appointment_menus` builds the right-click menus from those actions.

One `CalendarScene` per visible range: moving to another day or week builds a new
scene; changes within the range update the current one. After any operation the
panel hears the `Changes` on the bus like every other screen: a handful of
appointments are re-read and only their columns laid out again; anything wider
(practitioners, patients' names, the clinic) reloads the range.

Moving to another period draws its empty columns and header at once (not
clickable until filled); the blocks appear when the data arrives. A failed load
shows a sentence instead of the grid, never a half-drawn view.

Signals:
    period_changed(Period): the day or week shown changed.
    loaded(CalendarSnapshot): a range was (re)loaded (for the practitioner chooser).
    shown_empty(): a read left nothing to draw (no clinic yet, no one shown, or it failed).
    patient_requested(object): open this patient's card (a patient id).
    setup_requested(str): the set-up strip's button: open the page adding what is missing.
    selection_changed(object): the selected appointment (None when nothing is selected).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QMenu, QStackedLayout, QVBoxLayout, QWidget

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment, AppointmentStatus
from desktop.domain.clinic_time import to_local
from desktop.services.changes import Changes
from desktop.ui.calendar import appointment_menus
from desktop.ui.calendar.appointment_actions import AppointmentActions
from desktop.ui.calendar.block_painter import BlockFonts
from desktop.ui.calendar.grid import Grid
from desktop.ui.calendar.period import Period, ViewMode
from desktop.ui.calendar.period_loader import PeriodLoader
from desktop.ui.calendar.requests import Slot, SlotRequest
from desktop.ui.calendar.scene import SLOT, CalendarScene
from desktop.ui.calendar.setup_banner import SetupBanner
from desktop.ui.calendar.snapshot import (
    CalendarSnapshot,
    placeholder_snapshot,
    visible_minutes,
)
from desktop.ui.calendar.view import CalendarView
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.theme import CalendarColours

if TYPE_CHECKING:
    from desktop.ui.calendar.appointment_actions import AppointmentDialog
    from desktop.ui.dialogs.booking import BookingDialog

ZOOM = (0.9, 1.1, 1.35, 1.6, 2.0, 2.5)  # pixels per minute; 1.35 ≈ 81 px an hour
DEFAULT_ZOOM = 2
# A week of 6 days (a clinic open on Saturdays) x 5 practitioners fits 1366 px, and 7 x 5
# fits 1920 px, at 43-50 px a column: initials in the header, names shortened in the
# blocks, the rest in tooltips.
MIN_COLUMN = {ViewMode.DAY: 120.0, ViewMode.WEEK: 42.0}
# More changed appointments than this at once: reloading the range is cheaper.
INCREMENTAL_LIMIT = 100


class CalendarPanel(QWidget):
    period_changed = Signal(object)
    loaded = Signal(object)
    shown_empty = Signal()  # a read left nothing to draw: no clinic, no one shown, failed
    patient_requested = Signal(object)
    invoice_requested = Signal(object, object)  # appointment id, patient id
    setup_requested = Signal(str)
    selection_changed = Signal(object)

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
        self.preferences = preferences
        self.colours = colours
        self.now = now
        self.snapshot: CalendarSnapshot | None = None
        self.scene: CalendarScene | None = None
        self.view = CalendarView(colours, self)
        self.appointment_actions = AppointmentActions(
            caller, undo_stack, lambda: self.snapshot, now, self
        )
        self.appointment_actions.select_requested.connect(self.select)
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
        self._zone: ZoneInfo | None = None  # the clinic's, once a load has found it
        self.period = Period(preferences.view_mode, start_day or self.today())
        self._guessed_today = self.period.anchor if start_day is None else None
        self.fonts = BlockFonts.from_base(self.font())
        self._to_select: uuid.UUID | None = None  # booked just now, still being read
        self.loader = PeriodLoader(caller, self.view.viewport())
        self.loader.period_read.connect(self._arrived)
        self.loader.period_failed.connect(self._load_failed)
        self.loader.appointments_read.connect(self._apply)
        self.loading_note = self.loader.note
        self.moving: Appointment | None = None  # Move…: the next slot chosen is its new time
        self.moving_note = QLabel(self.view.viewport())
        self.moving_note.setObjectName("calendarMoving")
        self.moving_note.setStyleSheet(self.loading_note.styleSheet())
        self.moving_note.hide()
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
        view.escape_pressed.connect(self.stop_moving)

    # --- what is shown ------------------------------------------------------------

    def today(self) -> date:
        """Today in the clinic's time zone (as the last load found it); before any load
        has, the date in UTC — the first load then reads the clinic's today instead of
        that guess, and the calendar moves there with it (`reload`, `_arrived`)."""
        if self.snapshot is not None:
            return to_local(self.now(), self.snapshot.zone).date()
        if self._zone is not None:
            return to_local(self.now(), self._zone).date()
        return self.now().date()

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
        period, prefs = self.period, self.preferences
        if new_range and self.snapshot is not None:
            self._show_placeholder(placeholder_snapshot(self.snapshot, period))
        today = None
        if self._guessed_today is not None and period.anchor == self._guessed_today:
            now = self.now
            # Opened on UTC's date: the read finds the clinic's zone and reads its today
            # instead (one read, not a second one for the right day once the first is in).
            today = lambda zone: to_local(now(), zone).date()  # noqa: E731
        self.loader.read_period(period, prefs.hidden_practitioners, prefs.show_cancelled, today)

    def _arrived(self, read: tuple[list[str], CalendarSnapshot | None]) -> None:
        missing, snapshot = read
        self.banner.show_missing(missing)
        if snapshot is not None:
            self._zone = snapshot.zone
            guessed, self._guessed_today = self._guessed_today, None
            if guessed is not None and self.period.anchor == guessed:
                moved = snapshot.period != self.period  # read on the clinic's today (`reload`)
                self.period = snapshot.period
                if moved:
                    self.period_changed.emit(self.period)
            self._loaded(snapshot)
            return
        self.snapshot = None
        self._show_empty("Set up the clinic (Settings ▸ Clinic…) to see its calendar.")

    def _show_placeholder(self, placeholder: CalendarSnapshot) -> None:
        self.snapshot = placeholder
        self._new_scene(placeholder, self._grid(placeholder))
        self.view.setInteractive(False)  # an empty column is not a free one

    def _load_failed(self) -> None:
        self._show_empty("The calendar could not be loaded.")

    def _loaded(self, snapshot: CalendarSnapshot) -> None:
        self.snapshot = snapshot
        grid = self._grid(snapshot)
        if self.scene is None or self.scene.snapshot.period != snapshot.period:
            self._new_scene(snapshot, grid)
        else:
            # The placeholder's grid, filled in: repainting the whole grid (background
            # cache, header, ruler) in the turn the week arrives is time the window
            # cannot answer in.
            same_layout = self.scene.same_layout(snapshot, grid)
            self.scene.load(snapshot, grid)
            if not same_layout:
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
        self.shown_empty.emit()

    def _grid(self, snapshot: CalendarSnapshot) -> Grid:
        count = sum(
            snapshot.has_column(d, p) for d in snapshot.days for p in snapshot.practitioners
        )
        available = max(self.view.viewport().width() - 1, 200)
        width = max(MIN_COLUMN[snapshot.period.mode], available / max(count, 1))
        return Grid.build(
            snapshot.days,
            snapshot.practitioners,
            visible_minutes(snapshot),
            width,
            ZOOM[self._zoom_level()],
            snapshot.has_column,
        )

    def _new_scene(self, snapshot: CalendarSnapshot, grid: Grid) -> None:
        old = self.scene
        scene = CalendarScene(snapshot, grid, self.colours, self.fonts, self.now)
        scene.setParent(self)
        scene.booking_requested.connect(self._slot_chosen)
        scene.move_requested.connect(self.appointment_actions.move)
        scene.open_requested.connect(self.appointment_actions.open)
        scene.menu_requested.connect(self.show_menu)
        scene.slot_menu_requested.connect(self.show_slot_menu)
        scene.built.connect(self._built)
        scene.selectionChanged.connect(self._selection_changed)
        self.scene = scene
        self.view.set_week(snapshot.period.mode is ViewMode.WEEK)
        self.view.setScene(scene)
        self._update_margins(grid)
        self._scroll_to_start()
        if old is not None:
            old.dispose()  # deleted once its blocks are out

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
        if self.scene is None or self.snapshot is None or self.loader.loading:
            self.reload()
            return
        wide = changes.practitioners or changes.clinic or changes.appointment_types
        if wide or changes.patients or not changes.ids or len(changes.ids) > INCREMENTAL_LIMIT:
            if changes.appointments or wide or changes.patients:
                self.reload()
            return
        if not changes.appointments:
            return
        self.loader.read_changed(changes.ids)

    def _apply(self, found: list[Appointment], ids: frozenset[uuid.UUID]) -> None:
        assert self.scene is not None
        assert self.snapshot is not None
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

    # --- the user's requests ----------------------------------------------------------

    @property
    def dialog(self) -> AppointmentDialog | None:
        """The appointment dialog opened last (tests look at it)."""
        return self.appointment_actions.dialog

    def book(self, request: SlotRequest) -> BookingDialog | None:
        return self.appointment_actions.book(request)

    def book_at_cursor(self) -> BookingDialog | None:
        """Ctrl+N: the keyboard's slot, else the next quarter hour in the first column."""
        scene = self.scene
        if scene is None or not scene.grid.columns:
            return None
        if scene.cursor is not None:
            return self.appointment_actions.book(scene.slot_request(scene.cursor))
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
        return self.appointment_actions.book(SlotRequest(column.practitioner, column.day, minute))

    def nudge(self, minutes: int) -> None:
        scene = self.scene
        appointment = scene.selected_appointment() if scene else None
        if scene is None or appointment is None or not scene.snapshot.may_change(appointment):
            return
        self.appointment_actions.nudge(appointment, minutes)

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
        if self.moving is not None and scene.cursor is not None:
            self._slot_chosen(scene.slot_request(scene.cursor))  # Move…: here
        elif selected is not None:
            self.appointment_actions.open(selected)
        elif scene.cursor is not None:
            self._slot_chosen(scene.slot_request(scene.cursor))

    def _slot_chosen(self, request: SlotRequest) -> None:
        """A free slot picked (double-click, drag, Enter): book it, or move there (Move…)."""
        moving = self.moving
        if moving is None:
            self.appointment_actions.book(request)
            return
        self.stop_moving()
        self.appointment_actions.move_to_slot(moving, request)

    def start_move(self, appointment: Appointment) -> None:
        """Move…: the next slot the user picks on the calendar becomes the appointment's time."""
        self.moving = appointment
        self.moving_note.setText(
            f"Moving {appointment.title}: double-click the new time, or choose it with "
            "the arrow keys and press Enter. Esc stops."
        )
        self.moving_note.adjustSize()
        self.moving_note.move(12, 12)
        self.moving_note.show()
        self.moving_note.raise_()
        scene = self.scene
        slot = scene.slot_of(appointment.id) if scene is not None else None
        if scene is not None and slot is not None:
            scene.set_cursor(slot)  # the arrow keys start from where it is now
        self.view.setFocus()

    def stop_moving(self) -> None:
        self.moving = None
        self.moving_note.hide()

    def _selection_changed(self) -> None:
        scene = self.scene
        if scene is None or self.sender() is not scene:
            return  # a scene being replaced
        self.selection_changed.emit(scene.selected_appointment())

    def appointment_menu(self, appointment: Appointment) -> QMenu:
        """Right-click menu of a block (also the Menu key on a selected block)."""
        assert self.snapshot is not None
        patient_id = appointment.patient_id
        return appointment_menus.appointment_menu(
            self.appointment_actions,
            appointment,
            self.snapshot.may_change(appointment),
            lambda: self.patient_requested.emit(patient_id),
            lambda: self.invoice_requested.emit(appointment.id, patient_id),
            self,
        )

    def show_menu(self, appointment: Appointment, position: QPoint) -> None:
        self.appointment_menu(appointment).popup(position)

    def show_slot_menu(self, request: SlotRequest, position: QPoint) -> None:
        appointment_menus.slot_menu(self.appointment_actions, request, self).popup(position)

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
            self.appointment_actions.ask_cancel(appointment)

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
