"""`frontdesk run` from start to quit, in its own process, as a user starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic import command

from desktop.auth import NewUser, Passwords
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.store import migrate
from desktop.store.database import Database

ROOT = Path(__file__).resolve().parents[2]
OLD_SCHEMA = "0010_sync_messages"

# Stands in for the user: types into the sign-in dialog when it shows, and closes the
# window once the calendar is on it.
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop.ui.gui_garbage import GuiThreadCollector

app = QApplication(sys.argv)
typed = False

def watch():
    global typed
    modal = QApplication.activeModalWidget()
    if modal is not None and type(modal).__name__ == "SignInDialog":
        if not typed:
            typed = True
            print("SIGN-IN SHOWN", flush=True)
            modal.fill("desk", "front desk password")
            modal.submit()
        return
    if modal is not None:  # nothing else should ask anything: say what did, and leave
        print("UNEXPECTED", modal.windowTitle(), flush=True)
        QApplication.exit(3)
        return
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and getattr(widget, "calendar", None) is not None:
            collector = app.findChild(GuiThreadCollector)
            if collector is None or not collector.collecting:
                return  # paused for the start, on once a week is shown (or none comes)
            print("WINDOW", widget.windowTitle(), flush=True)
            widget.close()

timer = QTimer()
timer.timeout.connect(watch)
timer.start(10)
from desktop.cli import main
sys.exit(main(["--database-url", sys.argv[1], "run"]))
"""


def test_the_app_migrates_an_old_database_signs_in_and_quits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    database = Database(url)
    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, OLD_SCHEMA)
    Accounts(database, passwords=Passwords.cheapest()).add_user(
        ServiceContext.for_system(database),
        NewUser("desk", "Dana Desk", Role.RECEPTIONIST, "front desk password"),
    )
    database.dispose()

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "FRONTDESK_CONFIG": str(tmp_path / "no-config.toml"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, url], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["SIGN-IN SHOWN", "WINDOW Frontdesk — Dana Desk (reception)"]
    database = Database(url)
    assert migrate.current_revisions(database) == migrate.head_revisions()
    database.dispose()
