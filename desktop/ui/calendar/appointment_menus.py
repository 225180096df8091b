"""The calendar's right-click menus: on a block, and on empty time.

A menu offers only what the signed-in user may do: someone else's appointment
(for a practitioner) or one kept read-only can be opened and looked at, no more.
Every entry runs one of the `AppointmentActions`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.ui.calendar.appointment_actions import AppointmentActions
from desktop.ui.calendar.requests import SlotRequest

# The status changes a menu (and the details panel) offers, in the order a day runs.
STATUS_CHANGES = (
    (AppointmentStatus.ARRIVED, "Mark &arrived"),
    (AppointmentStatus.COMPLETED, "Mark &completed"),
    (AppointmentStatus.NO_SHOW, "Mark &no-show"),
    (AppointmentStatus.BOOKED, "Back to &booked"),
)


def appointment_menu(
    actions: AppointmentActions,
    appointment: Appointment,
    editable: bool,
    open_patient: Callable[[], None],
    open_invoice: Callable[[], None],
    parent: QWidget,
) -> QMenu:
    """Right-click menu of a block (also the Menu key on a selected block)."""
    menu = QMenu(parent)
    is_class = appointment.kind is AppointmentKind.CLASS
    label = ("Attendees…" if is_class else "Edit…") if editable else "Open…"
    menu.addAction(label, lambda: actions.open(appointment)).setObjectName("open")
    if appointment.patient_id is not None:
        menu.addAction("Patient card", open_patient)
        menu.addAction("&Invoice / take payment…", open_invoice).setObjectName("invoice")
        if appointment.status is AppointmentStatus.BOOKED:
            menu.addAction(
                "Add to &wait list for an earlier time…",
                lambda: actions.wait_list_requested.emit(appointment),
            ).setObjectName("wait_list")
    if editable:
        _add_change_actions(actions, menu, appointment)
    return menu


def _add_change_actions(actions: AppointmentActions, menu: QMenu, appointment: Appointment) -> None:
    menu.addSeparator()
    status = appointment.status
    live = status is not AppointmentStatus.CANCELLED
    for target, label in STATUS_CHANGES:
        action = menu.addAction(label, functools.partial(actions.mark, appointment, target))
        action.setEnabled(live and status is not target)
        action.setObjectName(f"mark_{target.value}")
    menu.addSeparator()
    if status is AppointmentStatus.CANCELLED:
        menu.addAction("&Restore", lambda: actions.restore(appointment)).setObjectName("restore")
    else:
        cancel = menu.addAction("Cancel appointment…", lambda: actions.ask_cancel(appointment))
        cancel.setObjectName("cancel")
    menu.addAction("&Delete…", lambda: actions.delete(appointment)).setObjectName("delete")


def slot_menu(actions: AppointmentActions, request: SlotRequest, parent: QWidget) -> QMenu:
    """Right-click on empty time (the scene offers it only where the user may book)."""
    menu = QMenu(parent)
    local_time = (
        day_axis.hour_label(request.start_minute // 60 * 60)[:-2]
        + f"{request.start_minute % 60:02d}"
    )
    menu.addAction(
        f"New appointment with {request.practitioner.name} at {local_time}…",
        lambda: actions.book(request),
    )
    return menu


def menu_action(menu: QMenu, name: str) -> QAction:
    """The entry a menu names `name` (tests and the Menu key find entries this way)."""
    found = next((a for a in menu.actions() if a.objectName() == name), None)
    if found is None:
        raise LookupError(name)
    return found
