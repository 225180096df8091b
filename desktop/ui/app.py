"""Starting the Qt application around an open database."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.ui.main_window import MainWindow


def run_app(database: Database) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Frontdesk")
    app.setOrganizationName("Frontdesk")
    window = MainWindow(ServiceContext.for_system(database))
    window.show()
    return app.exec()
