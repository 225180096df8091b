"""What the user chose to see, remembered between runs (QSettings).

Hidden practitioners are remembered rather than shown ones, so a practitioner
added later appears without anyone having to tick them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import QByteArray, QSettings

from desktop.ui.calendar.period import ViewMode

_HIDDEN = "calendar/hidden_practitioners"
_MODE = "calendar/view_mode"
_CANCELLED = "calendar/show_cancelled"
_MONTH = "calendar/show_month"
_ZOOM = "calendar/zoom"
_DETAILS = "calendar/details_panel_"  # + the view mode
_THEME = "appearance/theme"
_GEOMETRY = "window/geometry"
_EMAIL_RECEIPTS = "billing/email_receipts_"  # + the clinic's id
_REPLIES_READ = "messages/replies_read_until"


class Preferences:
    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def _text(self, key: str, default: str) -> str:
        value = self.settings.value(key, default)
        return value if isinstance(value, str) else default

    @property
    def hidden_practitioners(self) -> frozenset[uuid.UUID]:
        hidden = set()
        for part in self._text(_HIDDEN, "").split(","):
            try:
                hidden.add(uuid.UUID(part.strip()))
            except ValueError:
                continue  # an empty or hand-edited entry: ignore rather than fail to start
        return frozenset(hidden)

    @hidden_practitioners.setter
    def hidden_practitioners(self, ids: frozenset[uuid.UUID]) -> None:
        self.settings.setValue(_HIDDEN, ",".join(sorted(str(i) for i in ids)))

    @property
    def view_mode(self) -> ViewMode:
        try:
            return ViewMode(self._text(_MODE, ViewMode.DAY.value))
        except ValueError:
            return ViewMode.DAY

    @view_mode.setter
    def view_mode(self, mode: ViewMode) -> None:
        self.settings.setValue(_MODE, mode.value)

    @property
    def show_cancelled(self) -> bool:
        return self._text(_CANCELLED, "true") == "true"

    @show_cancelled.setter
    def show_cancelled(self, show: bool) -> None:
        self.settings.setValue(_CANCELLED, "true" if show else "false")

    @property
    def show_month_calendar(self) -> bool:
        """The month calendar beside the day view (the week view needs the width)."""
        return self._text(_MONTH, "true") == "true"

    @show_month_calendar.setter
    def show_month_calendar(self, show: bool) -> None:
        self.settings.setValue(_MONTH, "true" if show else "false")

    def show_details(self, mode: ViewMode) -> bool:
        """The details panel beside this view: open by default beside a day, folded away
        beside a week (five practitioners' working week needs the width of 1366 pixels)."""
        default = "true" if mode is ViewMode.DAY else "false"
        return self._text(_DETAILS + mode.value, default) == "true"

    def set_show_details(self, mode: ViewMode, show: bool) -> None:
        self.settings.setValue(_DETAILS + mode.value, "true" if show else "false")

    @property
    def zoom(self) -> int:
        text = self._text(_ZOOM, "")
        return int(text) if text.lstrip("-").isdigit() else 0

    @zoom.setter
    def zoom(self, level: int) -> None:
        self.settings.setValue(_ZOOM, str(level))

    @property
    def theme(self) -> str:
        return self._text(_THEME, "light")

    @theme.setter
    def theme(self, name: str) -> None:
        self.settings.setValue(_THEME, name)

    @property
    def window_geometry(self) -> bytes:
        value = self.settings.value(_GEOMETRY, QByteArray())
        if isinstance(value, QByteArray):
            return bytes(value.data())
        return bytes(value) if isinstance(value, bytes | bytearray) else b""

    @window_geometry.setter
    def window_geometry(self, geometry: bytes) -> None:
        self.settings.setValue(_GEOMETRY, QByteArray(geometry))

    def email_receipts(self, clinic_id: uuid.UUID) -> bool:
        """The payment dialog's "Email receipt" box: on unless unticked at this clinic."""
        return self._text(_EMAIL_RECEIPTS + str(clinic_id), "true") == "true"

    def set_email_receipts(self, clinic_id: uuid.UUID, on: bool) -> None:
        self.settings.setValue(_EMAIL_RECEIPTS + str(clinic_id), "true" if on else "false")

    @property
    def replies_read_until(self) -> datetime | None:
        """Patients' SMS replies up to this instant were marked read on this PC."""
        try:
            found = datetime.fromisoformat(self._text(_REPLIES_READ, ""))
        except ValueError:
            return None
        return found if found.tzinfo is not None else None

    @replies_read_until.setter
    def replies_read_until(self, instant: datetime) -> None:
        self.settings.setValue(_REPLIES_READ, instant.isoformat())
