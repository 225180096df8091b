"""Light and dark appearance: the application palette, a stylesheet, calendar colours.

Widgets take their colours from the palette and `resources/styles/<theme>.qss`;
the calendar paints itself, so it reads `CalendarColours` for the same theme.
Colours were picked for contrast on a clinic PC's plain LCD (text at least 4.5:1
against its background) and so that appointment-type colours stay recognisable in
both themes: a block is the type's colour mixed towards the calendar background,
with an edge in the full colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.resources import resources_dir

THEMES = ("light", "dark")


@dataclass(frozen=True)
class CalendarColours:
    dark: bool
    background: QColor
    closed: QColor  # outside the practitioner's hours, or the clinic is closed
    hour_line: QColor
    half_hour_line: QColor
    column_line: QColor
    day_line: QColor
    text: QColor
    muted: QColor
    accent: QColor
    now: QColor
    today: QColor  # a wash over today's columns in the week view
    header: QColor
    cursor: QColor  # the keyboard's slot
    clock_change: QColor  # a skipped hour on a DST day
    block_text: QColor

    def block_fill(self, colour: QColor) -> QColor:
        """A type colour softened towards the background so text stays readable on it."""
        weight = 0.5 if self.dark else 0.55
        return _mix(colour, self.background, weight)


def _mix(colour: QColor, towards: QColor, weight: float) -> QColor:
    keep = 1 - weight
    return QColor(
        round(colour.red() * keep + towards.red() * weight),
        round(colour.green() * keep + towards.green() * weight),
        round(colour.blue() * keep + towards.blue() * weight),
    )


LIGHT = CalendarColours(
    dark=False,
    background=QColor("#ffffff"),
    closed=QColor("#f1f3f6"),
    hour_line=QColor("#d9dee6"),
    half_hour_line=QColor("#eceff3"),
    column_line=QColor("#e3e7ed"),
    day_line=QColor("#9aa5b4"),
    text=QColor("#1f2933"),
    muted=QColor("#5f6b7a"),
    accent=QColor("#1d63d8"),
    now=QColor("#e0352b"),
    today=QColor(29, 99, 216, 14),
    header=QColor("#f8f9fb"),
    cursor=QColor(29, 99, 216, 46),
    clock_change=QColor(224, 53, 43, 28),
    block_text=QColor("#16202b"),
)

DARK = CalendarColours(
    dark=True,
    background=QColor("#1d2026"),
    closed=QColor("#16181d"),
    hour_line=QColor("#363b46"),
    half_hour_line=QColor("#2a2e37"),
    column_line=QColor("#2e323c"),
    day_line=QColor("#5d6677"),
    text=QColor("#e7eaf0"),
    muted=QColor("#a1aab8"),
    accent=QColor("#6ea8ff"),
    now=QColor("#ff6b61"),
    today=QColor(110, 168, 255, 16),
    header=QColor("#23272e"),
    cursor=QColor(110, 168, 255, 60),
    clock_change=QColor(255, 107, 97, 36),
    block_text=QColor("#f3f5f8"),
)


def calendar_colours(theme: str) -> CalendarColours:
    return DARK if theme == "dark" else LIGHT


def _palette(colours: CalendarColours) -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    if colours.dark:
        window, base, alternate, button = "#23272e", "#1d2026", "#262a32", "#2c313a"
    else:
        window, base, alternate, button = "#f4f5f7", "#ffffff", "#f7f8fa", "#ffffff"
    palette.setColor(roles.Window, QColor(window))
    palette.setColor(roles.Base, QColor(base))
    palette.setColor(roles.AlternateBase, QColor(alternate))
    palette.setColor(roles.Button, QColor(button))
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.ToolTipText):
        palette.setColor(role, colours.text)
    palette.setColor(roles.ToolTipBase, colours.header)
    palette.setColor(roles.PlaceholderText, colours.muted)
    palette.setColor(roles.Highlight, colours.accent)
    palette.setColor(roles.HighlightedText, QColor("#ffffff"))
    palette.setColor(roles.Link, colours.accent)
    palette.setColor(QPalette.ColorGroup.Disabled, roles.Text, colours.muted)
    palette.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, colours.muted)
    palette.setColor(QPalette.ColorGroup.Disabled, roles.WindowText, colours.muted)
    return palette


def apply_theme(app: QApplication, theme: str) -> CalendarColours:
    """Set the palette and stylesheet for the whole application; the calendar's colours."""
    name = theme if theme in THEMES else "light"
    colours = calendar_colours(name)
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux, and honours the palette
    app.setPalette(_palette(colours))
    sheet = resources_dir() / "styles" / f"{name}.qss"
    app.setStyleSheet(sheet.read_text(encoding="utf-8") if sheet.exists() else "")
    return colours
