"""`frontdesk run` from start to quit, in its own process, as a user starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command

from desktop.auth import NewUser, Passwords
from desktop.domain.roles import Role
from desktop.services import calendar
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import load_demo_clinic
from desktop.services.messaging.replies import record_reply
from desktop.store import migrate
from desktop.store.database import Database

ROOT = Path(__file__).resolve().parents[2]
OLD_SCHEMA = "0010_sync_messages"

# Every driver's: types into the sign-in dialog when it shows.
SIGNING_IN = """
typed = False

def signing_in(username, password):
    # True while the sign-in dialog is up; the first time, says so and signs in.
    global typed
    modal = QApplication.activeModalWidget()
    if modal is None or type(modal).__name__ != "SignInDialog":
        return False
    if not typed:
        typed = True
        print("SIGN-IN SHOWN", flush=True)
        modal.fill(username, password)
        modal.submit()
    return True
"""

# Signs in, and closes the window once the calendar is on it.
SIGN_IN_AND_QUIT = """
from desktop.ui.gui_garbage import GuiThreadCollector

def watch():
    if signing_in("desk", "front desk password"):
        return
    modal = QApplication.activeModalWidget()
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
"""


def run_driven(watch: str, url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`frontdesk run` on `url` in its own process, with `watch()` (defined by the code
    `watch`, after `app = QApplication(...)` and `SIGNING_IN`) called every 10 ms: it
    stands in for the user."""
    script = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv)\n"
        f"{SIGNING_IN}\n{watch}\n"
        "timer = QTimer()\n"
        "timer.timeout.connect(watch)\n"
        "timer.start(10)\n"
        "from desktop.cli import main\n"
        "sys.exit(main(['--database-url', sys.argv[1], 'run']))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, url],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "FRONTDESK_CONFIG": str(tmp_path / "no-config.toml"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


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

    done = run_driven(SIGN_IN_AND_QUIT, url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["SIGN-IN SHOWN", "WINDOW Frontdesk — Dana Desk (reception)"]
    database = Database(url)
    assert migrate.current_revisions(database) == migrate.head_revisions()
    database.dispose()


# Signs in as the demo clinic's administrator, says which of the modules that wait for the
# first week were loaded when it was drawn, then waits for the replies notice and the
# Xero badge.
FIRST_WEEK = """
from desktop.ui.calendar import panel

LATER = (
    "desktop.services.messaging.replies",
    "desktop.services.messaging.provider_balance",
    "desktop.ui.settings.setup_wizard",
    "desktop.ui.xero_page",
    "requests",
)
built = panel.CalendarPanel._built

def first_built(self):  # every block of the first week is in: it is drawn next
    panel.CalendarPanel._built = built
    print("FIRST WEEK", *[m for m in LATER if m in sys.modules], flush=True)
    built(self)

panel.CalendarPanel._built = first_built

def watch():
    if signing_in("admin", "harbourside-admin"):
        return
    for widget in QApplication.topLevelWidgets():
        replies = getattr(widget, "replies", None)
        if widget.isVisible() and replies is not None and replies.isVisible():
            xero = widget.status_bar.xero_label.text()
            if xero:
                print("REPLIES", replies.text(), flush=True)
                print("XERO", xero, flush=True)
                widget.close()
"""


def test_the_first_week_is_drawn_before_the_status_lines_load_and_they_follow(
    tmp_path: Path,
) -> None:
    """The replies notice, SMS balance, Xero badge and set-up wizard wait for the first
    week (their code, requests among it, loads after it), and still come (the wizard:
    the next test)."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    summary = load_demo_clinic(ServiceContext.for_system(database), patients=5)
    assert summary.created
    clinic_id = calendar.main_clinic(ServiceContext.for_system(database)).id
    record_reply(database, clinic_id, "+61411222333", "Running late", "SM1", datetime.now(UTC))
    database.dispose()

    done = run_driven(FIRST_WEEK, url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "SIGN-IN SHOWN",
        "FIRST WEEK",  # none of them loaded yet
        "REPLIES Patient replied: +61411222333 — Running late",
        "XERO Xero: not connected",
    ]


# Creates the first administrator of a new database, and says what asks next.
FIRST_RUN = """
seen = []

def watch():
    modal = QApplication.activeModalWidget()
    name = type(modal).__name__ if modal is not None else None
    if name == "FirstAdminDialog" and "admin" not in seen:
        seen.append("admin")
        print("FIRST ADMINISTRATOR", flush=True)
        modal.display_name.setText("Ada Admin")
        modal.password.setText("a long enough password")
        modal.confirm.setText("a long enough password")
        modal.submit()
    elif name == "SetupWizard" and "wizard" not in seen:
        seen.append("wizard")
        print("WIZARD", modal.windowTitle(), flush=True)
        modal.reject()  # Finish later
    elif modal is None and "wizard" in seen:
        for widget in QApplication.topLevelWidgets():
            if getattr(widget, "calendar", None) is not None:
                widget.close()
"""


def test_a_new_database_still_gets_the_set_up_wizard_after_the_window_opens(
    tmp_path: Path,
) -> None:
    """No clinic, so no week to wait for: the wizard follows the empty calendar."""
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    done = run_driven(FIRST_RUN, url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["FIRST ADMINISTRATOR", "WIZARD Set up Frontdesk"]


def test_a_database_that_cannot_be_opened_is_one_line_and_a_failure(tmp_path: Path) -> None:
    """It opens on a thread of its own while the dialog shows; its failure still ends
    the command as before."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "--database-url",
            "postgresql://nobody@127.0.0.1:1/clinic",
            "run",
        ],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "frontdesk: error: Cannot open the database postgresql://nobody@127.0.0.1:1/clinic"
    )
