"""The keyboard shortcuts: one table drives the main window's actions and Help ▸
Keyboard shortcuts, so the two cannot disagree.

Rows with an action name give that action its keys (the first is shown in its
tooltip); rows without one are keys the calendar view handles itself (see
`desktop.ui.calendar.view`), listed so Help shows them too. Single letters only
act when no text field has the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence


@dataclass(frozen=True, slots=True)
class Shortcut:
    action: str  # the main window's action it drives; "" for the calendar view's own keys
    keys: tuple[str, ...]  # QKeySequence text, portable form
    does: str  # as Help ▸ Keyboard shortcuts lists it


SHORTCUTS = (
    Shortcut("today", ("Ctrl+T", "T"), "Today"),
    Shortcut("previous", ("Alt+Left", "Ctrl+Left"), "Previous day (week, in the week view)"),
    Shortcut("next", ("Alt+Right", "Ctrl+Right"), "Next day (week, in the week view)"),
    Shortcut("goto", ("Ctrl+G",), "Go to a date (type it, Enter)"),
    Shortcut("day", ("Ctrl+1", "D"), "Day view"),
    Shortcut("week", ("Ctrl+2", "W"), "Week view"),
    Shortcut("new", ("Ctrl+N",), "New appointment"),
    Shortcut("find", ("Ctrl+F",), "Find a patient (the search box in the toolbar)"),
    Shortcut("new_patient", ("Ctrl+Shift+N",), "New patient"),
    Shortcut("undo", ("Ctrl+Z",), "Undo a move, resize, cancellation or status change"),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo"),
    Shortcut("reload", ("F5",), "Reload"),
    Shortcut("focus", ("F6",), "Put the keyboard in the calendar"),
    Shortcut("details", ("F9",), "Show or hide the details panel"),
    Shortcut("arrived", ("Ctrl+Shift+A",), "Mark the selected appointment arrived"),
    Shortcut("invoice", ("Ctrl+I",), "Invoice / take payment for the selected appointment"),
    Shortcut("patient_card", ("Ctrl+Shift+C",), "Open the selected appointment's patient card"),
    Shortcut("move", ("Ctrl+M",), "Move the selected appointment: pick the new time, Enter"),
    Shortcut("", ("Up", "Down", "Left", "Right"), "Move through time slots and practitioners"),
    Shortcut("", ("PgUp", "PgDown", "Home", "End"), "An hour up or down; the first or last hour"),
    Shortcut("", ("Return",), "Open the selected appointment, or book the slot"),
    Shortcut("", ("Menu", "Shift+F10"), "Actions for the selected appointment"),
    Shortcut("", ("Alt+Up", "Alt+Down"), "Move the selected appointment 15 minutes"),
    Shortcut("", ("Delete",), "Cancel the selected appointment"),
    Shortcut("zoom_in", ("Ctrl+=", "Ctrl++"), "Zoom the time scale in"),
    Shortcut("zoom_out", ("Ctrl+-",), "Zoom the time scale out"),
    Shortcut("zoom_reset", ("Ctrl+0",), "Zoom back to the usual size"),
    Shortcut("print_day_sheet", ("Ctrl+P",), "Print the day sheet"),
    Shortcut("lock", ("Ctrl+L",), "Lock the screen"),
    Shortcut("shortcuts", ("F1",), "This list"),
    Shortcut("quit", ("Ctrl+Q",), "Quit"),
)
_BY_ACTION = {s.action: s for s in SHORTCUTS if s.action}


def keys_of(action: str) -> tuple[QKeySequence, ...]:
    """The keys of one of the main window's actions (KeyError for an unknown name)."""
    return tuple(QKeySequence(key) for key in _BY_ACTION[action].keys)


def readable(keys: tuple[str, ...]) -> str:
    """Keys as this platform writes them ("Ctrl+T, T")."""
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(QKeySequence(key).toString(native) for key in keys)


def help_html() -> str:
    """Help ▸ Keyboard shortcuts: every row of the table."""
    rows = "".join(
        f"<tr><td><b>{readable(s.keys)}</b></td><td>{s.does}</td></tr>" for s in SHORTCUTS
    )
    return f"<table cellpadding=3>{rows}</table><p>{_LETTERS}</p>"


_LETTERS = "Single letters only act when no text field has the keyboard."
