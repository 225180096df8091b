"""How fast the week view opens and repaints on a big store. Prints figures; asserts nothing.

Set-up: a SQLite file in a temporary folder holding 200,000 appointments (bulk
inserted with SQLAlchemy core, through the store's own guards) for 15 practitioners,
of which one week holds 2,000. Then, offscreen at 1366×768:

* open: load that week through the services (in the background), build its
  scene, paint it once;
* change one appointment: move it through the service, refresh the calendar from
  the published `Changes` (only its columns are laid out again), paint again.

    python bench/calendar_week.py [--appointments 200000] [--week 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert

from desktop.domain.appointments import AppointmentKind
from desktop.domain.clinic_time import local_to_utc
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.services import booking, practitioners, setup
from desktop.services.context import ServiceContext
from desktop.services.patients import PatientDetails, create_patient
from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.models import AppointmentRow
from desktop.ui.background_ops import runner
from desktop.ui.calendar.panel import CalendarPanel
from desktop.ui.calendar.period import ViewMode
from desktop.ui.change_bus import ChangeBus
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.theme import LIGHT

ZONE_NAME = "Australia/Sydney"
WEEK = date(2031, 3, 3)  # the Monday the view opens on
SLOT = timedelta(minutes=35)  # 30-minute appointments with 5 minutes between


def build_store(
    folder: Path, total: int, in_week: int, practitioners_count: int = 15
) -> tuple[ServiceContext, list[uuid.UUID]]:
    database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    migrate.upgrade(database)
    ctx = ServiceContext.for_system(database)
    hours = WeeklyHours.same_every_day(range(7), wall_time(6), wall_time(22))
    clinic, _ = setup.create_clinic(ctx, "Bench Clinic", ZONE_NAME, hours)
    kind, _ = setup.create_appointment_type(
        ctx,
        setup.AppointmentTypeDetails("Consult", AppointmentKind.INDIVIDUAL, 30, Money(9000)),
    )
    people = [
        practitioners.create_practitioner(
            ctx, practitioners.PractitionerDetails(f"Practitioner {i + 1:02d}", availability=hours)
        )[0].id
        for i in range(practitioners_count)
    ]
    patients = [
        create_patient(ctx, PatientDetails(f"Patient{i}", f"Bench{i}"))[0].id for i in range(300)
    ]
    rows = list(_rows(clinic.id, kind.id, people, patients, total, in_week))
    with database.engine.begin() as connection:  # core executemany: no ORM objects
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(AppointmentRow), rows[start : start + 10_000])
    return ctx, people


def _rows(
    clinic_id: uuid.UUID,
    type_id: uuid.UUID,
    people: list[uuid.UUID],
    patients: list[uuid.UUID],
    total: int,
    in_week: int,
) -> list[dict[str, object]]:
    """`in_week` appointments in the bench week, the rest in the weeks before it."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE_NAME)
    rng = random.Random(7)
    per_day = 20  # 7:00 to 18:05 in 35-minute steps
    per_week = per_day * 7 * len(people)
    rows: list[dict[str, object]] = []
    now = datetime.now(UTC)
    week = 0
    while len(rows) < total:
        wanted = in_week if week == 0 else min(per_week, total - in_week - (len(rows) - in_week))
        monday = WEEK - timedelta(weeks=week)
        made = 0
        for day_offset in range(7):
            for slot in range(per_day):
                for person in people:
                    if made >= wanted:
                        break
                    starts = local_to_utc(monday + timedelta(days=day_offset), wall_time(7), zone)
                    starts += SLOT * slot
                    rows.append(
                        {
                            "id": uuid.uuid4(),
                            "created_at": now,
                            "updated_at": now,
                            "version": 1,
                            "clinic_id": clinic_id,
                            "practitioner_id": person,
                            "appointment_type_id": type_id,
                            "patient_id": rng.choice(patients),
                            "starts_at": starts,
                            "ends_at": starts + timedelta(minutes=30),
                            "status": "booked",
                            "capacity": 1,
                            "notes": "",
                            "cancellation_reason": None,
                            "cancellation_note": "",
                            "overrides_availability": False,
                            "overrides_double_booking": False,
                            "read_only": False,
                        }
                    )
                    made += 1
        week += 1
    return rows[:total]


def _settle(app: QApplication) -> None:
    """Deliver the calendar's background reads (polling: this is a bench, not a test)."""
    while not runner().idle():
        app.processEvents()
        time.sleep(0.0005)


def _dispose(panel: CalendarPanel) -> None:
    """Really delete a panel now (deleteLater alone waits for an event loop that never runs)."""
    panel.hide()
    panel.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=200_000)
    parser.add_argument("--week", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        ctx, people = build_store(Path(folder), args.appointments, args.week)
        print(
            f"store: {args.appointments:,} appointments, {len(people)} practitioners, "
            f"{args.week:,} in the week of {WEEK:%d %b %Y} "
            f"(set up in {time.perf_counter() - started:.1f} s)"
        )
        settings = QSettings(str(Path(folder) / "bench.ini"), QSettings.Format.IniFormat)
        preferences = Preferences(settings)
        preferences.view_mode = ViewMode.WEEK
        now = datetime(2031, 3, 4, 23, 0, tzinfo=UTC)  # Wednesday morning in Sydney
        opens, loads, paints = [], [], []
        panel: CalendarPanel | None = None
        for _ in range(args.runs):
            if panel is not None:
                _dispose(panel)
            # A bus per panel: panels left on one bus would all answer every change
            # (the refresh figure grew with the number of runs).
            bus = ChangeBus()
            caller = ServiceCaller(ctx, bus, None)

            def open_week(caller: ServiceCaller = caller) -> CalendarPanel:
                made = CalendarPanel(caller, QUndoStack(), preferences, LIGHT, lambda: now, WEEK)
                made.resize(1366, 700)
                made.show()
                return made

            start = time.perf_counter()
            panel = open_week()
            _settle(app)  # the week is read in the background
            built = time.perf_counter()
            panel.view.viewport().grab()
            painted = time.perf_counter()
            opens.append((painted - start) * 1000)
            loads.append((built - start) * 1000)
            paints.append((painted - built) * 1000)
        assert panel is not None
        assert panel.scene is not None
        shown = len(panel.scene.items_by_id)
        print(
            f"open the week view ({shown:,} blocks, {len(panel.scene.grid.columns)} columns): "
            f"median {statistics.median(opens):.0f} ms "
            f"(load + scene {statistics.median(loads):.0f} ms, first paint "
            f"{statistics.median(paints):.0f} ms; best {min(opens):.0f} ms)"
        )
        moves, refreshes, repaints = [], [], []
        scene = panel.scene
        ids = list(scene.items_by_id)
        for run in range(args.runs * 4):
            appointment = scene.appointments[ids[run * 37 % len(ids)]]
            delta = timedelta(minutes=5 if run % 2 == 0 else -5)
            started = time.perf_counter()
            moved = booking.move_appointment(
                ctx,
                appointment.id,
                practitioner_id=appointment.practitioner_id,
                starts_at=appointment.starts_at + delta,
                ends_at=appointment.ends_at + delta,
                override_availability=True,
            )
            stored = time.perf_counter()
            bus.publish(moved.changes)  # what the drop's undo command does next
            _settle(app)
            refreshed = time.perf_counter()
            panel.view.viewport().grab()
            painted = time.perf_counter()
            moves.append((stored - started) * 1000)
            refreshes.append((refreshed - stored) * 1000)
            repaints.append((painted - refreshed) * 1000)
        total = [m + r + p for m, r, p in zip(moves, refreshes, repaints, strict=True)]
        print(
            f"one appointment changes: median {statistics.median(total):.0f} ms from drop to "
            f"pixels (service {statistics.median(moves):.0f} ms, calendar refresh "
            f"{statistics.median(refreshes):.1f} ms, repaint {statistics.median(repaints):.0f} ms)"
        )
        _dispose(panel)
        ctx.database.dispose()


if __name__ == "__main__":
    main()
