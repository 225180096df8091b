"""The main window: the calendar, its navigator, menus, shortcuts and the status bar.

Its actions take their keys from the one shortcut table (`desktop.ui.shortcuts`),
which Help ▸ Keyboard shortcuts lists as well.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.errors import InvalidInput
from desktop.domain.people import Clinic, Patient
from desktop.services import calendar
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.ui.background_ops import runner
from desktop.ui.background_work import BackgroundWork
from desktop.ui.calendar.details_panel import DetailsPanel
from desktop.ui.calendar.month_navigator import MonthNavigator
from desktop.ui.calendar.panel import CalendarPanel
from desktop.ui.calendar.period import Period, ViewMode
from desktop.ui.calendar.practitioner_chooser import PractitionerChooser
from desktop.ui.calendar.requests import SlotRequest
from desktop.ui.calendar.snapshot import CalendarSnapshot
from desktop.ui.change_bus import ChangeBus
from desktop.ui.dialogs.patient_edit import PatientDialog
from desktop.ui.export_actions import ExportActions
from desktop.ui.messaging.replies_notice import RepliesNotice
from desktop.ui.messaging.status import SmsBalanceLine
from desktop.ui.patients.toolbar_search import ToolbarPatientSearch
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.shortcuts import help_html, keys_of
from desktop.ui.status_bar import FrontdeskStatusBar, describe_store
from desktop.ui.sync.wiring import SyncWiring
from desktop.ui.theme import THEMES, apply_theme, calendar_colours
from desktop.ui.wait_list.entry_dialog import EntryPreset, WaitListEntryDialog
from desktop.ui.wait_list.freed_slots import FreedSlotsNotice

if TYPE_CHECKING:  # the windows and dialogs opened on demand load on first use
    from desktop.services.reconcile import Reconciliation
    from desktop.sync.client import ServerApi
    from desktop.ui.credit.reconciliation_view import ReconciliationView
    from desktop.ui.import_dialog import ImportDialog
    from desktop.ui.messaging.settings_page import MessagingSettingsPage
    from desktop.ui.patients.search_window import PatientSearchWindow
    from desktop.ui.settings.appointment_types_dialog import AppointmentTypesDialog
    from desktop.ui.settings.clinic_dialog import ClinicDialog
    from desktop.ui.settings.packages_dialog import PackagesDialog
    from desktop.ui.settings.practitioners_dialog import PractitionersDialog
    from desktop.ui.settings.signin_policy_dialog import SignInPolicyDialog
    from desktop.ui.settings.users_dialog import UsersDialog
    from desktop.ui.sync.conflicts_dialog import ConflictsDialog
    from desktop.ui.sync.server_page import ServerSettingsPage
    from desktop.ui.takings_dialog import TakingsDialog
    from desktop.ui.wait_list.window import WaitListWindow
    from desktop.ui.xero_page import XeroPage, XeroQueueSource

_Page = TypeVar("_Page", bound=QWidget)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _bring_up(page: _Page) -> _Page:
    page.show()
    page.raise_()
    return page


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: ServiceContext,
        settings: QSettings | None = None,
        *,
        now: Callable[[], datetime] = _utc_now,
        start_day: date | None = None,
        status_lines: bool = True,
    ) -> None:
        """`status_lines=False` leaves the status bar's Xero, SMS, replies and wait-list
        lines to `start_status_lines` (the app calls it once the first week is painted)."""
        super().__init__()
        self.ctx = ctx
        self.preferences = Preferences(settings or QSettings())
        self.bus = ChangeBus(self)
        self.caller = ServiceCaller(ctx, self.bus, self)
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("Frontdesk")
        self.setObjectName("mainWindow")
        colours = calendar_colours(self.preferences.theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            colours = apply_theme(app, self.preferences.theme)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.calendar = CalendarPanel(
            self.caller, self.undo_stack, self.preferences, colours, now, start_day, self
        )
        self.setCentralWidget(self.calendar)
        self.status_bar = FrontdeskStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.chooser = PractitionerChooser(self)
        self.date_edit = QDateEdit()
        self.patient_search = ToolbarPatientSearch(self.caller, now, self)
        self.month = MonthNavigator(self.caller, self._snapshot_zone)
        self.month.day_chosen.connect(self.calendar.go_to)
        self.patients_window: PatientSearchWindow | None = None
        self.practitioners_dialog: PractitionersDialog | None = None
        self.patient_dialog: PatientDialog | None = None
        self._make_actions()
        self._make_toolbar()
        self.month_dock = self._make_month_dock()
        self.details_dock = self._make_details_dock()
        self._make_menus()
        self.calendar.period_changed.connect(self._period_changed)
        self.calendar.loaded.connect(self._loaded)
        self.calendar.patient_requested.connect(self.show_patient)
        self.calendar.invoice_requested.connect(self.open_invoice)
        self.calendar.setup_requested.connect(self.open_setup_for)
        self.calendar.selection_changed.connect(self.details.show_appointment)
        actions = self.calendar.appointment_actions
        actions.wait_list_requested.connect(self.wait_list_for_appointment)
        self.wait_list_window: WaitListWindow | None = None
        self.wait_list_dialog: WaitListEntryDialog | None = None
        self.freed_slots = FreedSlotsNotice(self.caller, self.calendar, now, self)
        self.status_bar.addWidget(self.freed_slots)
        self.background = BackgroundWork(self.bus, self)
        self.xero_page: XeroPage | None = None
        self.sync = SyncWiring(ctx.database, self.background, self.status_bar.set_sync_state, self)
        self.sync.pulled.connect(self.bus.publish)  # e.g. the clinic's new idle timeout
        self.server_page: ServerSettingsPage | None = None
        self.messaging_page: MessagingSettingsPage | None = None
        self.sms_balance = SmsBalanceLine(ctx, self._followed_server)
        self.replies = RepliesNotice(self.caller, self.preferences, now, self)
        self.status_bar.addWidget(self.replies)
        self.replies.patient_requested.connect(self.show_patient)
        if status_lines:
            self.start_status_lines()
        self.chooser.hidden_changed.connect(self.calendar.set_hidden)
        self.undo_stack.indexChanged.connect(self._undo_status)
        self._show_session()
        if self.calendar.snapshot is not None:
            self._loaded(self.calendar.snapshot)
        self._period_changed(self.calendar.period)
        geometry = self.preferences.window_geometry
        if not geometry or not self.restoreGeometry(geometry):
            self.resize(1340, 760)  # fits a 1366×768 screen with its task bar

    def start_status_lines(self) -> None:
        """Read the status bar's Xero badge, SMS balance and patients' replies now, then
        on every change and on the status timer, and the wait list's freed slots for
        every period loaded. The first week needs none of them, and their first reads
        load the Xero page's and the SMS providers' code (requests among it): the app
        starts them once that week is painted (`desktop.ui.app`)."""
        self.freed_slots.follow_calendar()
        self.background.add_status(self._xero_badge, self.status_bar.set_xero_state)
        self.background.add_status(self.sms_balance.text, self.status_bar.set_messages_state)
        self.background.timer.timeout.connect(self.replies.refresh)
        self.replies.refresh()

    # --- actions ------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcuts: tuple[QKeySequence, ...] = (),
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        keys = list(shortcuts)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        shown = keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else ""
        action.setToolTip(f"{tip or text.replace('&', '')} ({shown})" if shown else tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        panel = self.calendar
        self.today_action = self._action("&Today", panel.go_today, keys_of("today"), "Go to today")
        self.previous_action = self._action(
            "&Previous", lambda: panel.step(-1), keys_of("previous"), "Previous day or week"
        )
        self.next_action = self._action(
            "&Next", lambda: panel.step(1), keys_of("next"), "Next day or week"
        )
        self.goto_action = self._action("&Go to date…", self.focus_date, keys_of("goto"))
        self.day_action = self._action(
            "&Day", lambda: panel.set_mode(ViewMode.DAY), keys_of("day"), "Day view"
        )
        self.week_action = self._action(
            "&Week", lambda: panel.set_mode(ViewMode.WEEK), keys_of("week"), "Week view"
        )
        self.mode_group = QActionGroup(self)  # exclusive: checking one unchecks the other
        for action in (self.day_action, self.week_action):
            action.setCheckable(True)
            self.mode_group.addAction(action)
        self.new_action = self._action(
            "&New appointment…", panel.book_at_cursor, keys_of("new"), "New appointment"
        )
        self.find_action = self._action(
            "&Find patient", self.patient_search.focus_search, keys_of("find")
        )
        self.patient_list_action = self._action("Patient &list…", self.find_patient)
        self.new_patient_action = self._action(
            "New &patient…", self.new_patient, keys_of("new_patient")
        )
        self.wait_list_action = self._action("&Wait list…", self.open_wait_list)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(list(keys_of("undo")))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(list(keys_of("redo")))
        self.addActions([self.undo_action, self.redo_action])
        self.reload_action = self._action("&Reload", self.refresh, keys_of("reload"))
        self.focus_action = self._action(
            "Focus the &calendar", self.focus_calendar, keys_of("focus")
        )
        self.zoom_in_action = self._action("Zoom &in", lambda: panel.zoom(1), keys_of("zoom_in"))
        self.zoom_out_action = self._action(
            "Zoom &out", lambda: panel.zoom(-1), keys_of("zoom_out")
        )
        self.zoom_reset_action = self._action(
            "&Actual size", self.reset_zoom, keys_of("zoom_reset")
        )
        self.cancelled_action = self._action(
            "Show &cancelled appointments", lambda: None, (), "Show cancelled appointments"
        )
        self.cancelled_action.setCheckable(True)
        self.cancelled_action.setChecked(self.preferences.show_cancelled)
        self.cancelled_action.toggled.connect(panel.set_show_cancelled)
        self.practitioners_action = self._action("&Practitioners…", self.open_practitioners)
        self.clinic_action = self._action("C&linic…", self.open_clinic)
        self.types_action = self._action("&Appointment types…", self.open_appointment_types)
        self.packages_action = self._action("Pac&kages…", self.open_packages)
        self.signin_action = self._action("Si&gn-in…", self.open_sign_in_policy)
        self.users_action = self._action("&Users…", self.open_users)
        self.import_action = self._action("&Import…", self.open_import)
        self.takings_action = self._action("Day's &takings…", self.open_takings)
        self.xero_action = self._action("&Xero…", self.open_xero)
        self.reconcile_action = self._action("Compare with Xero…", self.open_reconciliation)
        self.server_action = self._action("&Server and sync…", self.open_server_settings)
        self.messaging_action = self._action("&Reminders and SMS…", self.open_messaging)
        self.conflicts_action = self._action("Sync &conflicts…", self.open_sync_conflicts)
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self.show_shortcuts, keys_of("shortcuts")
        )

    def _make_toolbar(self) -> None:
        bar = QToolBar("Calendar")
        bar.setObjectName("calendarToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.addAction(self.today_action)
        self.previous_button = self._arrow_button(self.previous_action, Qt.ArrowType.LeftArrow)
        self.next_button = self._arrow_button(self.next_action, Qt.ArrowType.RightArrow)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setObjectName("jumpToDate")
        self.date_edit.setAccessibleName("Go to date")
        self.date_edit.setToolTip("Go to date (Ctrl+G)")
        self.date_edit.dateChanged.connect(self._date_chosen)
        bar.addWidget(self.date_edit)
        bar.addSeparator()
        bar.addWidget(self.heading)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        for action in (self.day_action, self.week_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setObjectName("modeButton")
            bar.addWidget(button)
        bar.addSeparator()
        bar.addWidget(self.chooser)
        bar.addSeparator()
        bar.addWidget(self.patient_search)
        self._connect_patient_search()
        new_button = QToolButton()
        new_button.setDefaultAction(self.new_action)
        new_button.setObjectName("primaryButton")
        bar.addWidget(new_button)

    def _connect_patient_search(self) -> None:
        search = self.patient_search
        search.card_requested.connect(lambda patient: self.show_patient(patient.id))
        search.book_requested.connect(self._book_for)
        search.appointment_found.connect(self._show_appointment)
        search.told.connect(lambda text: self.status_bar.showMessage(text, 8000))

    def _make_month_dock(self) -> QDockWidget:
        """The month calendar in a side area the user can hide (View ▸ Month calendar).

        It sits beside the day view; the week view folds it away, as a working week
        of five practitioners needs the whole width of a 1366-pixel screen."""
        dock = QDockWidget("Month", self)
        dock.setObjectName("monthDock")
        dock.setWidget(self.month.in_column())
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setTitleBarWidget(QWidget())  # no title: View ▸ Month calendar folds it
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea)
        self.month_action = self._action("&Month calendar", lambda: None)
        self.month_action.setCheckable(True)
        self.month_action.triggered.connect(self._month_chosen)
        dock.visibilityChanged.connect(self.month_action.setChecked)
        self._month_mode: ViewMode | None = None
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    def _make_details_dock(self) -> QDockWidget:
        """The selected appointment's details and actions, on the right (View ▸ Details panel, F9).

        Open beside the day view and folded away beside the week view until the user
        shows it there (each remembered), so a working week of five practitioners keeps
        the width of a 1366-pixel screen."""
        self.details = DetailsPanel(
            self.caller, self.calendar.appointment_actions, lambda: self.calendar.snapshot
        )
        self.details.patient_requested.connect(self.show_patient)
        self.details.invoice_requested.connect(self.open_invoice)
        self.details.move_requested.connect(self.calendar.start_move)
        dock = QDockWidget("Appointment", self)
        dock.setObjectName("detailsDock")
        dock.setWidget(self.details)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea)
        self.details_action = self._action(
            "&Details panel", lambda: None, keys_of("details"), "Show or hide the details panel"
        )
        self.details_action.setCheckable(True)
        self.details_action.triggered.connect(self._details_chosen)
        dock.visibilityChanged.connect(self.details_action.setChecked)
        hide = QToolButton()
        hide.setObjectName("detailsHide")
        hide.setText("Hide")
        hide.setToolTip(self.details_action.toolTip())
        hide.clicked.connect(lambda: self.details_action.trigger())
        title = QWidget()
        row = QHBoxLayout(title)
        row.setContentsMargins(8, 2, 2, 2)
        row.addWidget(QLabel("<b>Appointment</b>"))
        row.addStretch(1)
        row.addWidget(hide)
        dock.setTitleBarWidget(title)
        # The selected appointment's usual actions, also in the Appointments menu.
        details = self.details
        self.arrived_action = self._action(
            "Mark &arrived", details.mark_arrived, keys_of("arrived")
        )
        self.invoice_action = self._action(
            "&Invoice / take payment…", details.invoice, keys_of("invoice")
        )
        self.move_action = self._action("&Move…", details.start_move, keys_of("move"))
        self.patient_card_action = self._action(
            "Patient &card", details.open_card, keys_of("patient_card")
        )
        self._details_mode: ViewMode | None = None
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _details_chosen(self, shown: bool) -> None:
        self.details_dock.setVisible(shown)
        self.preferences.set_show_details(self.calendar.period.mode, shown)

    def _follow_details(self, period: Period) -> None:
        if period.mode is not self._details_mode:  # the user's own toggle holds until then
            self._details_mode = period.mode
            self.details_dock.setVisible(self.preferences.show_details(period.mode))

    def _month_chosen(self, shown: bool) -> None:
        self.month_dock.setVisible(shown)
        if self.calendar.period.mode is ViewMode.DAY:
            self.preferences.show_month_calendar = shown

    def _follow_month(self, period: Period) -> None:
        self.month.follow(period)
        if period.mode is not self._month_mode:  # the user's own toggle holds until then
            self._month_mode = period.mode
            show = period.mode is ViewMode.DAY and self.preferences.show_month_calendar
            self.month_dock.setVisible(show)

    def _snapshot_zone(self) -> ZoneInfo | None:
        snapshot = self.calendar.snapshot
        return snapshot.zone if snapshot else None

    def _arrow_button(self, action: QAction, arrow: Qt.ArrowType) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setArrowType(arrow)
        button.setObjectName("navArrow")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        button.setAccessibleName(action.text().replace("&", ""))
        return button

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.exports = ExportActions(self, self.ctx, lambda: self.calendar.period.anchor)
        self.exports.finished.connect(lambda text: self.status_bar.showMessage(text, 8000))
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addActions(self.exports.actions())
        file_menu.addAction(self.takings_action)
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, keys_of("quit"))
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        view_menu = bar.addMenu("&View")
        view_menu.addActions(
            [self.today_action, self.previous_action, self.next_action, self.goto_action]
        )
        view_menu.addSeparator()
        view_menu.addActions([self.day_action, self.week_action])
        view_menu.addAction(self.month_action)
        view_menu.addAction(self.details_action)
        view_menu.addSeparator()
        self.practitioners_menu = view_menu.addMenu("P&ractitioners shown")
        self.practitioners_menu.aboutToShow.connect(self._fill_practitioners_menu)
        view_menu.addAction(self.cancelled_action)
        view_menu.addSeparator()
        view_menu.addActions(
            [self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action, self.reload_action]
        )
        theme_menu = view_menu.addMenu("&Theme")
        for name in THEMES:
            action = theme_menu.addAction(
                name.capitalize(), functools.partial(self.set_theme, name)
            )
            action.setCheckable(True)
            action.setChecked(name == self.preferences.theme)
        view_menu.addAction(self.focus_action)
        appointment_menu = bar.addMenu("&Appointments")
        appointment_menu.addAction(self.new_action)
        appointment_menu.addSeparator()
        appointment_menu.addActions(
            [self.arrived_action, self.invoice_action, self.move_action, self.patient_card_action]
        )
        patients_menu = bar.addMenu("&Patients")
        patients_menu.addActions(
            [self.find_action, self.patient_list_action, self.new_patient_action]
        )
        patients_menu.addAction(self.wait_list_action)
        settings_menu = bar.addMenu("&Settings")
        # Setting the clinic up: its details, who is booked, what is booked and sold.
        settings_menu.addActions(
            [
                self.clinic_action,
                self.practitioners_action,
                self.types_action,
                self.packages_action,
                self.signin_action,
            ]
        )
        settings_menu.addSeparator()
        settings_menu.addAction(self.users_action)
        settings_menu.addAction(self.xero_action)
        settings_menu.addAction(self.reconcile_action)
        settings_menu.addAction(self.messaging_action)
        settings_menu.addSeparator()
        settings_menu.addActions([self.server_action, self.conflicts_action])
        self.settings_menu = settings_menu
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)

    def add_session_actions(
        self,
        lock: Callable[[], object],
        sign_out: Callable[[], object],
        change_password: Callable[[], object],
    ) -> None:
        """File menu entries for the signed-in session (the sign-in controller owns them)."""
        actions = [
            self._action(
                "&Lock screen", lock, keys_of("lock"), "Hide the screen until you sign in"
            ),
            self._action("Change &password…", change_password),
            self._action("Sign &out", sign_out),
        ]
        self.file_menu.insertActions(self.quit_action, actions)
        self.file_menu.insertSeparator(self.quit_action)

    def _fill_practitioners_menu(self) -> None:
        self.practitioners_menu.clear()
        self.practitioners_menu.addActions(self.chooser.menu_.actions())

    # --- reacting -----------------------------------------------------------------

    def _period_changed(self, period: Period) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(period.anchor.year, period.anchor.month, period.anchor.day))
        self.date_edit.blockSignals(False)
        self.day_action.setChecked(period.mode is ViewMode.DAY)
        self.week_action.setChecked(period.mode is ViewMode.WEEK)
        self.heading.setText(self.calendar.header_text())
        self._follow_month(period)
        self._follow_details(period)
        snapshot = self.calendar.snapshot
        clinic = snapshot.clinic.name if snapshot else ""
        self.setWindowTitle(f"{clinic} — Frontdesk" if clinic else "Frontdesk")

    def _loaded(self, snapshot: CalendarSnapshot) -> None:
        self.chooser.set_practitioners(snapshot.active, self.preferences.hidden_practitioners)
        self._period_changed(snapshot.period)

    def _date_chosen(self, chosen: QDate) -> None:
        self.calendar.go_to(date(chosen.year(), chosen.month(), chosen.day()))

    def _show_session(self) -> None:
        self.caller.in_background(
            self.ctx.actor, key="status-bar-user", refresh_on_refusal=False
        ).success(self.status_bar.set_user).run()
        label, tooltip = describe_store(self.ctx.database.url, self.ctx.database.dialect)
        self.status_bar.set_store_state(label, tooltip)

    def _undo_status(self) -> None:
        text = self.undo_stack.undoText()
        self.undo_action.setToolTip(f"Undo {text}" if text else "Nothing to undo")

    # --- commands -------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload everything shown (after a sign-in as someone else, or F5)."""
        self._show_session()
        self.bus.refresh_stale()

    def focus_date(self) -> None:
        self.date_edit.setFocus()
        self.date_edit.setSelectedSection(QDateEdit.Section.DaySection)

    def focus_calendar(self) -> None:
        self.calendar.view.setFocus()

    def reset_zoom(self) -> None:
        self.calendar.zoom(-self.preferences.zoom)

    def set_theme(self, name: str) -> None:
        self.preferences.theme = name
        QMessageBox.information(
            self, "Theme", "The new theme is used from the next time Frontdesk starts."
        )

    def _zone(self) -> str:
        snapshot = self.calendar.snapshot
        return snapshot.clinic.timezone if snapshot else "UTC"

    def find_patient(self) -> PatientSearchWindow:
        from desktop.ui.patients.search_window import PatientSearchWindow

        if self.patients_window is None:
            window = PatientSearchWindow(self.caller, clinic_zone(self._zone()), self)
            window.appointment_activated.connect(self._show_appointment)
            window.book_requested.connect(self._book_for)
            self.patients_window = window
        self.patients_window.show()
        self.patients_window.raise_()
        self.patients_window.activateWindow()
        self.patients_window.focus_search()
        return self.patients_window

    def show_patient(self, patient_id: object) -> None:
        window = self.find_patient()
        if isinstance(patient_id, uuid.UUID):
            window.card.show_patient(patient_id)

    def new_patient(self) -> PatientDialog:
        dialog = PatientDialog(self.caller, None, self)
        self.patient_dialog = dialog
        dialog.open()
        return dialog

    def _show_appointment(self, appointment: object) -> None:
        if not isinstance(appointment, Appointment) or self.calendar.snapshot is None:
            return
        zone = self.calendar.snapshot.zone
        self.calendar.go_to(to_local(appointment.starts_at, zone).date())
        self.calendar.select(appointment.id)
        self.activateWindow()

    def _book_for(self, patient: object) -> None:
        dialog = self.calendar.book_at_cursor()
        if dialog is not None and isinstance(patient, Patient):
            dialog.picker.choose(patient)

    def open_wait_list(self) -> WaitListWindow:
        """Patients ▸ Wait list…: everyone waiting for a time, to see, change or remove."""
        from desktop.ui.wait_list.window import WaitListWindow

        if self.wait_list_window is None:
            window = WaitListWindow(self.caller, clinic_zone(self._zone()))
            window.patient_requested.connect(self.show_patient)
            self.wait_list_window = self._own_window(window, "Wait list", (900, 480))
        return _bring_up(self.wait_list_window)

    def wait_list_for_appointment(self, appointment: object) -> WaitListEntryDialog | None:
        """Right-click ▸ Add to wait list for an earlier time: tied to that booking."""
        if not isinstance(appointment, Appointment):
            return None
        preset = EntryPreset(
            practitioner_id=appointment.practitioner_id,
            type_id=appointment.type_id,
            appointment=appointment,
        )
        dialog = WaitListEntryDialog(self.caller, clinic_zone(self._zone()), preset, None, self)
        self.wait_list_dialog = dialog
        dialog.open()
        return dialog

    def open_practitioners(self) -> PractitionersDialog:
        from desktop.ui.settings.practitioners_dialog import PractitionersDialog

        page = PractitionersDialog(self.caller, clinic_zone(self._zone()), self)
        self.practitioners_dialog = page
        page.open()
        return page

    def open_clinic(self) -> ClinicDialog:
        from desktop.ui.settings.clinic_dialog import ClinicDialog

        page = ClinicDialog(self.caller, self)
        page.open()
        return page

    def open_appointment_types(self) -> AppointmentTypesDialog:
        from desktop.ui.settings.appointment_types_dialog import AppointmentTypesDialog

        page = AppointmentTypesDialog(self.caller, self)
        page.open()
        return page

    def open_packages(self) -> PackagesDialog:
        from desktop.ui.settings.packages_dialog import PackagesDialog

        page = PackagesDialog(self.caller, self)
        page.open()
        return page

    def open_sign_in_policy(self) -> SignInPolicyDialog:
        from desktop.ui.settings.signin_policy_dialog import SignInPolicyDialog

        page = SignInPolicyDialog(self.caller, Accounts(self.ctx.database), self)
        page.open()
        return page

    def open_setup_for(self, missing: str) -> QWidget:
        """The calendar's set-up strip: open the dialog that adds what is missing."""
        if missing == "clinic":
            return self.open_clinic()
        if missing == "types":
            page: AppointmentTypesDialog = self.open_appointment_types()
            page.add()
            return page
        practitioners_dialog = self.open_practitioners()
        practitioners_dialog.add()
        return practitioners_dialog

    def open_users(self) -> UsersDialog:
        """Administrators manage who can sign in (others are told they cannot)."""
        from desktop.ui.settings.users_dialog import UsersDialog

        page = UsersDialog(self.caller, Accounts(self.ctx.database), self)
        page.open()
        return page

    def open_takings(self) -> TakingsDialog:
        """The money taken on the day shown (a practitioner sees only their own)."""
        from desktop.ui.takings_dialog import TakingsDialog

        dialog = TakingsDialog(self.caller, self.calendar.period.anchor, self)
        # Closed is gone: a hidden one would go on reloading at every payment.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_import(self) -> ImportDialog:
        """Patients or appointments from another system's CSV export."""
        from desktop.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.caller, self)
        dialog.open()
        return dialog

    def open_xero(self) -> XeroPage:
        """The Xero page: connection, queue counts, parked jobs with their reasons."""
        from desktop.ui.xero_page import XeroPage

        if self.xero_page is None:
            page = XeroPage(self.caller, source=self._xero_queue)
            self.xero_page = self._own_window(page, "Xero", (760, 560))
        return _bring_up(self.xero_page)

    def open_messaging(self) -> MessagingSettingsPage | None:
        """Reminder templates and schedule, email, the SMS provider and its balance.

        The clinic comes from the calendar (no read); before the calendar has one it
        is read in the background and the page opens when it arrives (None here)."""
        if self.messaging_page is None:
            snapshot = self.calendar.snapshot
            if snapshot is None:
                ctx = self.ctx
                self.caller.in_background(
                    lambda: calendar.main_clinic(ctx),
                    key=f"messaging-clinic-{id(self)}",
                    title="Reminders and SMS",
                    refresh_on_refusal=False,
                ).success(self._open_messaging_for).run()
                return None
            self._open_messaging_for(snapshot.clinic)
            return self.messaging_page
        return _bring_up(self.messaging_page)

    def _open_messaging_for(self, clinic: Clinic) -> None:
        if self.messaging_page is None:
            from desktop.ui.messaging.settings_page import MessagingSettingsPage

            api = self._followed_server()
            page = MessagingSettingsPage(
                self.caller,
                clinic,
                server_url=api.base_url if api is not None else None,
                server=self._followed_server,
            )
            self.messaging_page = self._own_window(page, "Reminders and SMS")
        _bring_up(self.messaging_page)

    def open_server_settings(self) -> ServerSettingsPage:
        """Point this PC at the clinic's server; the first sync shows its progress."""
        if self.server_page is None:
            from desktop.ui.sync.server_page import ServerSettingsPage

            page = self._own_window(ServerSettingsPage(self.ctx.database), "Server and sync")
            page.connected.connect(lambda _engine: self._server_connected())
            self.server_page = page
        return _bring_up(self.server_page)

    def _server_connected(self) -> None:
        self.sync.start()
        self.bus.refresh_stale()  # the clinic just arrived from the server

    def _xero_queue(self) -> XeroQueueSource:
        """With a server, the clinic's one Xero queue is there; else it is this PC's."""
        wiring = getattr(self, "sync", None)
        if wiring is not None and wiring.runner is not None:
            from desktop.sync import remote_xero

            return remote_xero.ServerXeroQueue(wiring.runner.engine.api)
        from desktop.ui.xero_page import LocalXeroQueue

        return LocalXeroQueue(self.ctx)

    def _followed_server(self) -> ServerApi | None:
        """The API of the server this desk follows (its SMS key and sender are there)."""
        wiring = getattr(self, "sync", None)  # the first read may come before it exists
        return (
            wiring.runner.engine.api if wiring is not None and wiring.runner is not None else None
        )

    def _xero_badge(self) -> str:
        """Read off the GUI thread. With a server, the clinic's one Xero queue is there."""
        wiring = getattr(self, "sync", None)  # the first read may come before it exists
        if wiring is not None and wiring.runner is not None:
            from desktop.sync import remote_xero

            return remote_xero.badge(wiring.runner.engine.api)
        from desktop.ui.xero_page import xero_badge_text

        return xero_badge_text(self.ctx)

    def open_sync_conflicts(self) -> ConflictsDialog:
        """Changes the server refused (made offline on two PCs), each with its reason."""
        from desktop.ui.sync.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.ctx.database, self)
        dialog.open()
        return dialog

    def open_reconciliation(self) -> ReconciliationView:
        """Frontdesk and Xero side by side per patient: credit left, invoices paid."""
        from desktop.ui.credit.reconciliation_view import ReconciliationView

        database = self.ctx.database
        ctx = self.ctx

        def check() -> Reconciliation:
            from desktop.services import xero_settings
            from desktop.xero.reconcile import reconcile_with_xero
            from desktop.xero.worker import build_channel

            state = xero_settings.read_connection(database).state
            if state is xero_settings.ConnectionState.DISCONNECTED:
                raise InvalidInput("Connect Xero first (Settings → Xero…).")
            return reconcile_with_xero(ctx, build_channel(database).api)

        view = ReconciliationView(self.caller, check)
        return _bring_up(self._own_window(view, "Compare with Xero", (820, 520)))

    def _own_window(self, page: _Page, title: str, size: tuple[int, int] | None = None) -> _Page:
        """A page in a separate window of its own, owned by (and closed with) this one."""
        page.setWindowFlag(Qt.WindowType.Window)
        page.setParent(self, page.windowFlags())
        page.setWindowTitle(f"{title} — Frontdesk")
        if size is not None:
            page.resize(*size)
        return page

    def open_invoice(self, appointment_id: object, patient_id: object) -> None:
        assert isinstance(appointment_id, uuid.UUID)
        assert isinstance(patient_id, uuid.UUID)
        from desktop.ui.billing.invoice_dialog import open_invoice_for_service

        open_invoice_for_service(self.caller, appointment_id, patient_id, self)

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", help_html())

    def book(self, request: SlotRequest) -> object:
        return self.calendar.book(request)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.preferences.window_geometry = bytes(self.saveGeometry().data())
        runner().abandon_all()  # results nobody will see; never waits for a worker
        self.background.stop()
        super().closeEvent(event)
