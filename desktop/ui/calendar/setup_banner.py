"""The strip above the calendar of a clinic not set up yet: what is missing, and a button.

A new clinic that chose "Finish later" in the set-up wizard would otherwise see an
empty calendar and no hint. The strip names the first thing still missing
(`services.setup.missing_setup`) and its button opens the settings page that adds it.

Signals:
    setup_requested(str): "clinic", "practitioners" or "types" — open that page.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

# What is missing -> (what the strip says, the button's text)
_MESSAGES = {
    "clinic": (
        "This clinic is not set up yet: no name, time zone or opening hours.",
        "Set up the clinic…",
    ),
    "practitioners": (
        "No practitioners yet — nobody can be booked. Settings ▸ Practitioners adds them.",
        "Add a practitioner…",
    ),
    "types": (
        "No appointment types yet — nothing can be booked. "
        "Settings ▸ Appointment types adds consults and classes.",
        "Add an appointment type…",
    ),
}


class SetupBanner(QFrame):
    setup_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupBanner")
        palette = self.palette()  # a warm strip in either theme; the palette, not a sheet
        palette.setColor(QPalette.ColorRole.Window, QColor("#fff4d6"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#5b4300"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.missing = ""
        self.button.clicked.connect(lambda: self.setup_requested.emit(self.missing))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_missing(self, missing: list[str]) -> None:
        """Name the first missing thing (a clinic before its practitioners before types)."""
        self.missing = missing[0] if missing else ""
        if not self.missing:
            self.hide()
            return
        text, button = _MESSAGES[self.missing]
        self.text.setText(text)
        self.button.setText(button)
        self.show()
