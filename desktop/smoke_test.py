"""`frontdesk run --smoke-test`: does this install (or PyInstaller bundle) actually work?

On a throwaway SQLite file in a temporary folder it runs every migration, loads a
small demo clinic, writes a day sheet (PDF) and an .ics, logs, and opens the
main window offscreen until its event loop has started; then it prints what it
checked and exits 0. `packaging/build.sh` runs it against the built bundle. It
never touches the user's database, settings or log.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from desktop import __version__
from desktop.logs import diagnostics_text, setup_logging


def run_smoke_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.ui.smoke import SmokeTestFailed

    with tempfile.TemporaryDirectory(prefix="frontdesk-smoke-") as folder:
        try:
            checked = _checks(Path(folder))
        except SmokeTestFailed as exc:
            print(f"Smoke test FAILED: {exc}", file=sys.stderr)
            return 1
    for line in checked:
        print(f"ok  {line}")
    print(f"Smoke test passed: Frontdesk {__version__}")
    return 0


def _checks(folder: Path) -> list[str]:
    from desktop.services import exports
    from desktop.services.calendar import practitioners
    from desktop.services.context import ServiceContext
    from desktop.services.demo_clinic import load_demo_clinic
    from desktop.store import migrate
    from desktop.store.database import Database

    log_file = setup_logging(folder / "frontdesk.log")
    database = Database(f"sqlite:///{folder / 'smoke.sqlite3'}")
    try:
        migrate.upgrade(database)
        ctx = ServiceContext.for_system(database)
        summary = load_demo_clinic(ctx, patients=20)
        today = datetime.now(UTC).date()
        sheet = exports.write_day_sheet(ctx, today, folder / "day.pdf")
        events = exports.write_practitioner_ics(
            ctx, practitioners(ctx)[0].id, today, today, folder / "day.ics"
        )
        from desktop.ui.smoke import open_main_window_once

        shown = open_main_window_once(database, folder / "settings")
    finally:
        database.dispose()
    logging.getLogger(__name__).info("smoke test finished")
    return [
        f"migrations to {', '.join(sorted(migrate.head_revisions()))}",
        f"demo clinic: {summary.appointments} appointments",
        f"time zones from {'tzdata' if importlib.util.find_spec('tzdata') else 'the system'}",
        f"day sheet PDF, {len(sheet.pages)} practitioners, {(folder / 'day.pdf').stat().st_size} bytes",
        f"iCalendar, {events} events",
        *shown,
        f"log written to {log_file.name} ({len(diagnostics_text().splitlines())} diagnostic lines)",
    ]
