"""Start-up loads only what the first screens need: the command line and the
sign-in dialog must not wait for PDF, Xero, server or calendar-export libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOW_LIBRARIES = ("reportlab", "xero_python", "fastapi", "uvicorn", "icalendar", "clicksend")


def modules_after_importing(*names: str) -> set[str]:
    return modules_after_running(f"for name in {list(names)!r}: importlib.import_module(name)")


def modules_after_running(code: str) -> set[str]:
    script = f"import importlib, json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(done.stdout))


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_command_line_loads_no_slow_library() -> None:
    loaded = modules_after_running("from desktop.cli import build_parser\nbuild_parser()")
    assert roots(loaded).isdisjoint(SLOW_LIBRARIES), roots(loaded) & set(SLOW_LIBRARIES)
    assert "PySide6.QtWidgets" not in loaded
    # `frontdesk import` is described from its field tables, not the CSV reader
    assert "desktop.domain.csv_import" not in loaded


ADMIN_COMMANDS = {
    "desktop.cli_export",
    "desktop.cli_import",
    "desktop.cli_messaging",
    "desktop.cli_users",
    "desktop.cli_wait_list",
    "desktop.server.command",
    "desktop.xero.commands",
}


def test_opening_the_window_builds_no_administrators_command() -> None:
    """`frontdesk run` (and plain `frontdesk`) parse with `run` alone; `--help` and every
    other command still get them all."""
    code = "from desktop.cli import build_parser, _opens_the_window as w\n{}"
    window = modules_after_running(
        code.format(
            "assert w(['--database-url', 'sqlite://', 'run']) and w([])\n"
            "build_parser(window_only=True).parse_args(['run'])"
        )
    )
    assert not ADMIN_COMMANDS & window, ADMIN_COMMANDS & window
    everything = modules_after_running(
        code.format(
            "assert not w(['--help']) and not w(['db', 'status'])\n"
            "build_parser().parse_args(['db', 'status'])"
        )
    )
    assert ADMIN_COMMANDS.issubset(everything)


def test_the_sign_in_dialog_waits_for_none_of_them() -> None:
    loaded = modules_after_importing("desktop.cli", "desktop.ui.app", "desktop.ui.signin")
    assert roots(loaded).isdisjoint(SLOW_LIBRARIES), roots(loaded) & set(SLOW_LIBRARIES)
    assert "desktop.ui.main_window" not in loaded


def test_the_sign_in_dialog_shows_before_the_database_code_loads() -> None:
    """The database (SQLAlchemy, Alembic), the keyring and everything behind them load in
    the background while the sign-in dialog is on screen."""
    loaded = modules_after_importing(
        "desktop.cli", "desktop.ui.app", "desktop.ui.crash", "desktop.ui.signin.dialogs"
    )
    database_side = {*SLOW_LIBRARIES, "sqlalchemy", "alembic", "httpx", "keyring", "phonenumbers"}
    assert roots(loaded).isdisjoint(database_side), roots(loaded) & database_side
    assert not {"desktop.services.accounts", "desktop.store.database"} & loaded


def test_the_main_window_leaves_the_senders_and_sync_client_for_later() -> None:
    """The Xero SDK loads with the background senders, after the first paint; httpx
    with the sync client or the SMS gateway, when a server or gateway is in play."""
    loaded = modules_after_importing("desktop.ui.main_window")
    later = {*SLOW_LIBRARIES, "httpx"}
    assert roots(loaded).isdisjoint(later), roots(loaded) & later
    assert "desktop.sync.client" not in loaded


def test_package_metadata_waits_for_the_diagnostics() -> None:
    """Only the diagnostics text asks for an installed version (~80 ms to load)."""
    loaded = modules_after_importing(
        "desktop.cli", "desktop.logs", "desktop.ui.app", "desktop.ui.crash", "desktop.ui.signin"
    )
    assert "importlib.metadata" not in loaded


def test_a_desk_without_a_server_does_not_load_the_sync_layer_at_start() -> None:
    """Start-up asks whether the database follows a server with one small query."""
    loaded = modules_after_importing("desktop.cli", "desktop.store.replica_binding")
    assert not {m for m in loaded if m == "desktop.sync" or m.startswith("desktop.sync.")}


def test_the_windows_opened_on_demand_load_after_the_first_week() -> None:
    """Patient search, the wait list, takings, Xero and the settings dialogs load on
    first use, or in the background once the first week is shown (ON_DEMAND_MODULES)."""
    from desktop.ui.app import ON_DEMAND_MODULES

    with_window = modules_after_importing("desktop.ui.main_window")
    assert set(ON_DEMAND_MODULES).isdisjoint(with_window), set(ON_DEMAND_MODULES) & with_window
    later = modules_after_importing("desktop.ui.main_window", *ON_DEMAND_MODULES)
    assert set(ON_DEMAND_MODULES) <= later


def test_the_sign_in_dialog_waits_for_neither_the_idle_lock_nor_the_controller() -> None:
    """They come with the main window (loaded while the password is checked)."""
    loaded = modules_after_importing(
        "desktop.cli", "desktop.ui.app", "desktop.ui.signin", "desktop.ui.signin.startup"
    )
    assert not {"desktop.ui.signin.idle_lock", "desktop.ui.signin.controller"} & loaded


def test_the_sign_in_dialog_does_not_load_the_qt_namespace() -> None:
    """PySide6 builds the `Qt` namespace's enums when it is first named (tens of ms);
    the dialog at start-up and the code before it name none of them."""
    script = (
        "import json, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "import desktop.cli, desktop.ui.app, desktop.ui.crash\n"
        "from desktop.ui.signin.dialogs import SignInDialog\n"
        "dialog = SignInDialog(None, lambda *typed: None, cancel_text='Quit')\n"
        "dialog.show()\n"
        "dialog.grab()\n"
        "import PySide6.QtCore\n"
        "print(json.dumps('Qt' in vars(PySide6.QtCore)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) is False


def test_the_sign_in_dialog_loads_only_the_sign_in_errors() -> None:
    """Password hashing (argon2), tokens and the authenticator load with the database."""
    loaded = modules_after_importing(
        "desktop.cli", "desktop.ui.app", "desktop.ui.crash", "desktop.ui.signin.dialogs"
    )
    assert {m for m in loaded if m.startswith("desktop.auth.")} == {"desktop.auth.errors"}
    assert "argon2" not in roots(loaded)
