"""Entry fields the set-up pages share: weekly hours, a colour, a time zone, money.

Each field reads back a checked value or raises `InvalidInput` with a sentence
naming the field, so a save shows one clear message and keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTimeZone
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import InvalidInput
from desktop.domain.hours import WEEKDAYS, WeeklyHours, windows_from_text, windows_text
from desktop.domain.money import Money, MoneyError
from desktop.domain.roles import Role
from desktop.services.context import ServiceContext
from desktop.ui.service_caller import ServiceCaller

HOURS_HINT = "e.g. 08:00-12:30, 13:30-17:00 (a break between); empty: closed"


class WeeklyHoursField(QWidget):
    """One line per weekday: its windows as text, a comma between them (the breaks)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(4)
        self.days: list[QLineEdit] = []
        for weekday, name in enumerate(WEEKDAYS):
            line = QLineEdit()
            line.setPlaceholderText("closed")
            line.setAccessibleName(f"{name} hours")
            line.setToolTip(HOURS_HINT)
            layout.addWidget(QLabel(name), weekday, 0)
            layout.addWidget(line, weekday, 1)
            self.days.append(line)

    def set_hours(self, hours: WeeklyHours) -> None:
        for weekday, line in enumerate(self.days):
            line.setText(windows_text(hours.windows(weekday)))

    def hours(self) -> WeeklyHours:
        days = {}
        for weekday, line in enumerate(self.days):
            try:
                windows = windows_from_text(line.text())
            except InvalidInput as exc:
                raise InvalidInput(f"{WEEKDAYS[weekday]}: {exc}") from None
            if windows:
                days[weekday] = windows
        return WeeklyHours(days)

    def set_read_only(self, read_only: bool) -> None:
        for line in self.days:
            line.setReadOnly(read_only)


def choose_colour(parent: QWidget | None, current: str) -> str | None:
    """The colour picker (module level: offscreen tests type the hex code instead)."""
    chosen = QColorDialog.getColor(QColor(current), parent, "Choose a colour")
    return chosen.name() if chosen.isValid() else None


class ColourField(QWidget):
    """A hex colour (#2e86de) with a swatch button that opens the colour picker."""

    def __init__(self, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit(colour)
        self.text.setMaxLength(9)
        self.text.setAccessibleName("Colour")
        self.button = QPushButton("Choose…")
        self.button.clicked.connect(self._choose)
        self.text.textChanged.connect(self._show_swatch)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self._show_swatch()

    def _choose(self) -> None:
        chosen = choose_colour(self, self.text.text())
        if chosen is not None:
            self.text.setText(chosen)

    def _show_swatch(self) -> None:
        colour = QColor(self.text.text().strip())
        swatch = QPixmap(14, 14)
        swatch.fill(colour if colour.isValid() else QColor(0, 0, 0, 0))
        self.button.setIcon(QIcon(swatch))

    def colour(self) -> str:
        value = self.text.text().strip()
        if not QColor.isValidColorName(value) or not value.startswith("#"):
            raise InvalidInput(f"“{value}” is not a colour; use a code like #2e86de.")
        return QColor(value).name()

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)
        self.button.setEnabled(not read_only)


def computer_zone() -> str:
    """This computer's IANA zone (the default for a new clinic), or UTC when unknown."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    return name if name in available_timezones() else "UTC"


class TimeZoneField(QComboBox):
    """Every IANA zone; type any part of a name ("sydney", "Perth") to find it."""

    def __init__(self, zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(sorted(available_timezones()))
        completer = self.completer()  # an editable box has one; make it match anywhere
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setAccessibleName("Time zone")
        self.set_zone(zone)

    def set_zone(self, zone: str) -> None:
        self.setCurrentText(zone)

    def zone(self) -> str:
        name = self.currentText().strip()
        clinic_zone(name)  # a readable refusal for a made-up name
        return name


def money_from(text: str, what: str) -> Money:
    """An amount typed in a field ("90", "$90.00"); never a float on the way."""
    try:
        return Money.parse(text)
    except MoneyError:
        raise InvalidInput(
            f"{what}: “{text.strip()}” is not an amount of money (e.g. 90.00)."
        ) from None


def whole_number(text: str, what: str) -> int:
    value = text.strip()
    if not value.isdigit():
        raise InvalidInput(f"{what}: “{value}” is not a whole number.")
    return int(value)


def when_role_known(
    caller: ServiceCaller, page: QWidget, then: Callable[[Role | None], None]
) -> None:
    """Read the signed-in user's role in the background, then `then(role)` on the GUI
    thread; None when nobody is signed in (the dialog then stays read-only)."""
    ctx: ServiceContext = caller.ctx
    caller.in_background(
        ctx.actor, refresh_on_refusal=False, on_error=lambda _exc: then(None), parent=page
    ).success(lambda actor: then(actor.role)).run()


def note_label(text: str = "") -> QLabel:
    """A muted line under a page: who may change it, or what a value means."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("muted", True)
    # Top: when a form has height to spare the note stays under the field it explains.
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label
