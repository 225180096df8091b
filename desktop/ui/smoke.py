"""The Qt half of `frontdesk run --smoke-test`: open the main window once, offscreen.

It builds the window directly for the system actor rather than through `run_app`,
whose sign-in dialog would wait for a person. It returns what it saw, so a
broken bundle (a missing Qt plugin, icon or stylesheet) fails loudly.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, qVersion
from PySide6.QtWidgets import QApplication

from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.ui.icons import TOOLBAR_ICONS, app_icon, icon
from desktop.ui.main_window import MainWindow


class SmokeTestFailed(Exception):
    """Something the bundle needs did not load."""


def open_main_window_once(database: Database, settings_folder: Path) -> list[str]:
    """Show the main window, run the event loop until it has started, and report."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Frontdesk")
    app.setOrganizationName("Frontdesk")
    # Window geometry and preferences go to the throwaway folder, not the user's.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_folder))
    window = MainWindow(ServiceContext.for_system(database))
    window.show()
    seen: list[bool] = []

    def in_the_loop() -> None:  # runs once the event loop has started
        seen.append(window.isVisible())
        app.quit()

    QTimer.singleShot(0, in_the_loop)
    app.exec()
    shown = seen == [True]
    window.close()
    missing = [name for name in ("app", *TOOLBAR_ICONS) if _renders(name) is False]
    if not shown:
        raise SmokeTestFailed("the main window did not show")
    if missing:
        raise SmokeTestFailed(f"icons did not render (SVG support missing?): {missing}")
    return [
        f"Qt {qVersion()} on the {app.platformName()} platform",
        f"main window shown: {window.windowTitle()}",
        f"{len(TOOLBAR_ICONS) + 1} icons render",
    ]


def _renders(name: str) -> bool:
    chosen = app_icon() if name == "app" else icon(name)
    return not chosen.pixmap(32, 32).isNull()
