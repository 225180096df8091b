"""A compact sync indicator for the status bar: state in words, and conflicts to look at."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.sync.runner import SyncState, SyncStatus

_COLOURS = {
    SyncState.SYNCED: "#2e7d32",
    SyncState.SYNCING: "#1565c0",
    SyncState.OFFLINE: "#ef6c00",
    SyncState.SIGNED_OUT: "#c62828",
    SyncState.FAILED: "#c62828",
    SyncState.STARTING: "#616161",
}


class SyncStatusWidget(QWidget):
    """Shows a `SyncStatus`; its conflicts button asks for the conflicts list.

    Signals:
        conflicts_requested(): the user wants to see the refused changes.
        sync_requested(): the user clicked the state to sync now.
    """

    conflicts_requested = Signal()
    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.state_button = QPushButton("Sync: not set up")
        self.state_button.setFlat(True)
        self.state_button.setObjectName("syncState")
        self.state_button.clicked.connect(self.sync_requested)
        self.conflicts_button = QPushButton()
        self.conflicts_button.setObjectName("syncConflicts")
        self.conflicts_button.clicked.connect(self.conflicts_requested)
        self.conflicts_button.hide()
        self.detail = QLabel()
        self.detail.hide()
        layout.addWidget(self.state_button)
        layout.addWidget(self.conflicts_button)

    def show_status(self, status: SyncStatus) -> None:
        text = status.text
        if status.progress is not None and status.progress[2]:
            phase, done, total = status.progress
            verb = "Downloading" if phase == "download" else "Applying"
            text = f"{verb} {done:,} of {total:,}…"
        self.state_button.setText(text)
        self.state_button.setToolTip(status.message or text)
        self.state_button.setStyleSheet(f"color: {_COLOURS[status.state]};")
        count = status.conflicts
        self.conflicts_button.setVisible(count > 0)
        self.conflicts_button.setText(f"{count} conflict{'s' if count != 1 else ''} to review")
