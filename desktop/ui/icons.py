"""The app icon and the toolbar icons in `resources/icons`, recoloured to suit the theme.

The toolbar set is one family: 24 px grid, 1.75 px round-capped strokes, drawn in
`ICON_COLOUR`. On a dark theme pass the palette's text colour and the strokes are
redrawn in it, so the same files serve both themes.

Names: today, previous, next, view-day, view-week, appointment-new, search,
patient, settings, sync, print, export (and app, the application icon).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop.resources import resources_dir

ICON_COLOUR = "#334155"
TOOLBAR_ICONS = (
    "today",
    "previous",
    "next",
    "view-day",
    "view-week",
    "appointment-new",
    "search",
    "patient",
    "settings",
    "sync",
    "print",
    "export",
)
_SIZES = (16, 20, 24, 32, 48, 64)


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def app_icon() -> QIcon:
    return QIcon(str(icon_path("app")))


def icon(name: str, colour: QColor | str | None = None) -> QIcon:
    """A toolbar icon; with `colour`, its strokes are drawn in that colour instead."""
    if colour is None:
        return QIcon(str(icon_path(name)))
    return _recoloured(name, QColor(colour).name())


def themed_icon(name: str, palette: QPalette) -> QIcon:
    """The icon in the palette's button text colour: dark strokes on light, light on dark."""
    return icon(name, palette.color(QPalette.ColorRole.ButtonText))


@cache
def _recoloured(name: str, colour: str) -> QIcon:
    svg = icon_path(name).read_text(encoding="utf-8").replace(ICON_COLOUR, colour)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in _SIZES:
        for scale in (1, 2):  # crisp on high-DPI screens too
            pixmap = QPixmap(size * scale, size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size * scale, size * scale))
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            result.addPixmap(pixmap)
    return result
