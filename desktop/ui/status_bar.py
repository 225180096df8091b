"""The status bar: who is signed in, which store, and slots for sync and Xero state.

Sync and the Xero queue are other engineers' work; they report through
`set_sync_state` and `set_xero_state` and need nothing else from this module.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QToolButton, QWidget

from desktop.domain.roles import Actor


def describe_store(url: str, dialect: str) -> tuple[str, str]:
    """A short label and a tooltip for the database in use (never showing a password)."""
    shown = re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
    if dialect == "sqlite":
        return "Local store (SQLite)", shown
    return f"Server store ({dialect.capitalize()})", shown


class StatusNotice(QToolButton):
    """A segment with news the desk should act on: bold, its menu opens on a click,
    hidden while there is nothing to say (the wait list's freed slots, patients' replies)."""

    def __init__(self, name: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("statusSegment", True)
        self.setAutoRaise(True)
        self.setStyleSheet("font-weight: 600;")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip(tooltip)
        self.menu_ = QMenu(self)
        self.setMenu(self.menu_)
        self.hide()


class StatusLabel(QLabel):
    """One segment of the status bar (styled as a pill by the stylesheet)."""

    def __init__(self, name: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName(name)
        self.setProperty("statusSegment", True)


class FrontdeskStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frontdeskStatusBar")
        self.user_label = StatusLabel("userState", "Not signed in")
        self.store_label = StatusLabel("storeState", "")
        self.sync_label = StatusLabel("syncState", "Sync: not set up")
        self.xero_label = StatusLabel("xeroState", "Xero: not connected")
        # Only shown when there is something to say (e.g. "SMS balance low: 4.50 AUD left …").
        self.messages_label = StatusLabel("messagesState", "")
        self.messages_label.hide()
        for label in (
            self.messages_label,
            self.user_label,
            self.store_label,
            self.sync_label,
            self.xero_label,
        ):
            self.addPermanentWidget(label)

    def set_user(self, actor: Actor) -> None:
        self.user_label.setText(f"Signed in: {actor.name} ({actor.role.value})")

    def set_store_state(self, text: str, tooltip: str = "") -> None:
        self.store_label.setText(text)
        self.store_label.setToolTip(tooltip)

    def set_sync_state(self, text: str) -> None:
        """For the sync client: e.g. "Synced 10:42", "Offline – 3 changes waiting"."""
        self.sync_label.setText(text)

    def set_messages_state(self, text: str) -> None:
        """For reminders: the SMS provider's low-balance warning, or "" to hide the label."""
        self.messages_label.setText(text)
        self.messages_label.setVisible(bool(text))

    def set_xero_state(self, text: str) -> None:
        """For the Xero worker: e.g. "Xero: 2 queued", "Xero: 1 needs attention"."""
        self.xero_label.setText(text)
