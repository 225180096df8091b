"""Frontdesk against the plain thing doing the same work, side by side in one run.

Each measure runs project and floor interleaved (at least 5 pairs), prints both
medians and their ratio, and the run ends with one `RATIO <name> <value>` line
per measure. `first_sync` is Frontdesk ÷ PostgreSQL COPY in rows/s (higher is
better); the others are Frontdesk ÷ floor in time (lower is better);
`booking_400k_vs_50k` is a move with 400k appointments of history ÷ with 50k.
With the start-up rows comes an informational one, measured the same way: a bare
window after `import sqlalchemy.orm`, the least any start that reads the store can
take (DESIGN.md's ORM); its ratio to the bare window follows the RATIO lines as
`DESIGN_FLOOR start_calendar <value>`. Prints figures; asserts nothing. Everything
it makes lives in one temporary folder, removed at the end.

    python bench/floors.py [--quick] [--pairs 5] [--only week_query,...]
"""

from __future__ import annotations

import argparse
import gc
import os
import select
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from calendar_week import WEEK, build_store  # noqa: E402

START_LIMIT_S = 60  # a start that has not painted by then never will

NAMES = (
    "start_signin",
    "start_calendar",
    "week_query",
    "week_open",
    "first_sync",
    "booking_400k_vs_50k",
)


@dataclass
class Row:
    name: str
    what: str
    project: float
    floor: float
    unit: str
    higher_is_better: bool = False
    design_floor_of: str = ""  # informational: the least the named measure could take

    @property
    def ratio(self) -> float:
        return self.project / self.floor


@dataclass
class Sizes:
    week_total: int
    week_rows: int
    sync_rows: int
    history_small: int
    history_large: int


FULL = Sizes(200_000, 2_000, 100_000, 50_000, 400_000)
QUICK = Sizes(20_000, 2_000, 5_000, 5_000, 40_000)


def interleaved(
    project: Callable[[], float], floor: Callable[[], float], pairs: int
) -> tuple[float, float]:
    """Medians of `pairs` runs each, alternating which goes first (shared-machine noise)."""
    mine: list[float] = []
    plain: list[float] = []
    for n in range(pairs):
        if n % 2 == 0:
            mine.append(project())
            plain.append(floor())
        else:
            plain.append(floor())
            mine.append(project())
    return statistics.median(mine), statistics.median(plain)


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def timed_on_a_worker(work: Callable[[], object]) -> float:
    """`timed`, with Python's cycle collector as the desktop runs it while a worker
    thread reads: switched off, and caught up between reads (desktop/ui/gui_garbage.py).
    Otherwise a full collection of the whole bench process lands in one run or another."""
    gc.collect()
    gc.disable()
    try:
        return timed(work)
    finally:
        gc.enable()


# ---- start-up --------------------------------------------------------------------


def _start(folder: Path, *args: str) -> float:
    """Seconds from launching a fresh Python to the screen painted (floors_start.py)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(BENCH.parent),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_STATE_HOME": str(folder / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(BENCH / "floors_start.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    # A start that never paints (a sign-in that failed waits on its dialog) ends the
    # bench with a message instead of holding it for ever.
    ready, _, _ = select.select([child.stdout], [], [], START_LIMIT_S)
    line = child.stdout.readline() if ready else ""
    took = time.perf_counter() - began
    if not ready:
        child.kill()
    child.wait(timeout=60)
    if line.strip() != "PAINTED":
        where = folder / "state" / "Frontdesk" / "log"
        raise RuntimeError(f"floors_start.py {args[0]} did not paint (its log: {where})")
    return took


def _compile_bytecode() -> None:
    """Compile Frontdesk's modules, as an install does (pip compiles what it installs;
    the bundle holds only bytecode): a start-up that compiles its sources first measures
    Python's compiler, not Frontdesk. It matters where PYTHONDONTWRITEBYTECODE is set
    (no start writes its own cache then). Writes the usual __pycache__ folders."""
    import compileall

    compileall.compile_dir(str(BENCH.parent / "desktop"), quiet=1, workers=1)


def start_rows(folder: Path, pairs: int) -> list[Row]:
    from desktop.services.context import ServiceContext
    from desktop.services.demo_clinic import load_demo_clinic
    from desktop.store import migrate
    from desktop.store.database import Database

    url = f"sqlite:///{folder / 'start.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    load_demo_clinic(ServiceContext.for_system(database), patients=50)  # signs in as its admin
    database.dispose()
    _compile_bytecode()
    bare = lambda: _start(folder, "bare")  # noqa: E731
    signin = interleaved(lambda: _start(folder, "signin", url), bare, pairs)
    calendar = interleaved(
        lambda: _start(folder, "calendar", url, "admin", "harbourside-admin"), bare, pairs
    )
    # Any start that reads the store loads SQLAlchemy's ORM (DESIGN.md): the bare window
    # plus that import is the least `start_calendar` could take.
    orm = interleaved(lambda: _start(folder, "bare_orm"), bare, pairs)
    return [
        Row("start_signin", "start → sign-in dialog painted", *signin, "s"),
        Row("start_calendar", "start → signed in → week painted", *calendar, "s"),
        Row(
            "design_floor_start",
            "bare window + `import sqlalchemy.orm` (the design's floor, informational)",
            *orm,
            "s",
            design_floor_of="start_calendar",
        ),
    ]


# ---- the week ----------------------------------------------------------------------


RAW_WEEK = """
SELECT a.id, a.clinic_id, a.practitioner_id, a.appointment_type_id, t.name, t.kind, t.colour,
       a.starts_at, a.ends_at, a.status, a.patient_id, p.first_name, p.last_name, a.capacity,
       a.notes, a.cancellation_reason, a.cancellation_note, a.read_only, a.version, a.series_id
FROM appointments a JOIN appointment_types t ON t.id = a.appointment_type_id
LEFT JOIN patients p ON p.id = a.patient_id
WHERE a.practitioner_id IN ({marks}) AND a.starts_at > ? AND a.starts_at < ? AND a.ends_at > ?
ORDER BY a.starts_at
"""
RAW_PLACES = """
SELECT s.appointment_id, s.id, s.patient_id, p.first_name, p.last_name, s.status,
       s.cancellation_reason
FROM attendances s JOIN appointments a ON a.id = s.appointment_id
JOIN patients p ON p.id = s.patient_id
WHERE a.practitioner_id IN ({marks}) AND a.starts_at > ? AND a.starts_at < ? AND a.ends_at > ?
ORDER BY p.last_name, p.first_name
"""


def _sqlite_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def week_rows(folder: Path, sizes: Sizes, pairs: int) -> list[Row]:
    from PySide6.QtCore import QEvent, QEventLoop, QSettings
    from PySide6.QtGui import QColor, QFont, QPainter
    from PySide6.QtGui import QUndoStack as UndoStack
    from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView

    from desktop.domain.clinic_time import local_to_utc
    from desktop.services import calendar
    from desktop.ui.background_ops import runner
    from desktop.ui.calendar.panel import CalendarPanel
    from desktop.ui.calendar.period import ViewMode
    from desktop.ui.change_bus import ChangeBus
    from desktop.ui.gui_garbage import GuiThreadCollector
    from desktop.ui.preferences import Preferences
    from desktop.ui.service_caller import ServiceCaller
    from desktop.ui.theme import LIGHT

    app = QApplication.instance() or QApplication([])
    ctx, people = build_store(folder, sizes.week_total, sizes.week_rows)
    clinic = calendar.main_clinic(ctx)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(clinic.timezone)
    start = local_to_utc(WEEK, datetime.min.time(), zone)
    end = start + timedelta(days=7)
    marks = ",".join("?" * len(people))
    raw = sqlite3.connect(str(folder / "bench.sqlite3"))
    ids = [p.hex for p in people]  # SQLAlchemy's Uuid on SQLite: 32 hex characters
    params = [
        *ids,
        _sqlite_text(start - timedelta(hours=12)),
        _sqlite_text(end),
        _sqlite_text(start),
    ]

    def raw_week() -> list[tuple[object, ...]]:
        found = raw.execute(RAW_WEEK.format(marks=marks), params).fetchall()
        raw.execute(RAW_PLACES.format(marks=marks), params).fetchall()
        return found

    def project_query() -> None:
        calendar.appointments_in_view(ctx, start, end, people)

    assert len(raw_week()) == len(calendar.appointments_in_view(ctx, start, end, people))
    # A pair takes well under a tenth of a second: five times as many pairs keep one
    # busy moment on a shared machine from deciding the median.
    query = interleaved(
        lambda: timed_on_a_worker(project_query), lambda: timed_on_a_worker(raw_week), pairs * 5
    )

    settings = QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat)
    preferences = Preferences(settings)
    preferences.view_mode = ViewMode.WEEK
    now = datetime(2031, 3, 4, 23, 0, tzinfo=UTC)

    def dispose(widget: QGraphicsView | CalendarPanel) -> None:
        widget.hide()
        widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def open_week() -> float:
        bus = ChangeBus()  # a bus per panel: an old panel must not answer later changes
        caller = ServiceCaller(ctx, bus, None)
        began = time.perf_counter()
        panel = CalendarPanel(caller, UndoStack(), preferences, LIGHT, lambda: now, WEEK)
        panel.resize(1366, 700)
        panel.show()
        # As the window's own event loop runs: asleep until the next event (the worker's
        # rows, the scene's next slice), never a polling sleep the floor does not pay.
        while not runner().idle():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        panel.view.viewport().grab()
        took = time.perf_counter() - began
        dispose(panel)
        return took

    font = QFont()
    font.setPointSize(8)
    per_column = 1366 / len(people)

    def plain_week() -> float:
        began = time.perf_counter()
        found = raw_week()
        scene = QGraphicsScene()
        column = {p: i for i, p in enumerate(ids)}
        for row in found:
            starts = datetime.fromisoformat(str(row[7]))
            x = column[str(row[2])] * per_column
            y = (starts.hour * 60 + starts.minute) * 1.0
            scene.addRect(x, y, per_column - 2, 30, brush=QColor(str(row[6])))
            text = scene.addSimpleText(f"{row[11]} {row[12]}", font)
            text.setPos(x + 2, y + 2)
        view = QGraphicsView(scene)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.resize(1366, 700)
        view.show()
        view.viewport().grab()
        took = time.perf_counter() - began
        dispose(view)
        return took

    # Python's cycle collector as the window runs it (desktop/ui/gui_garbage.py): off,
    # and caught up by a GUI-thread timer. Both sides run under it.
    collector = GuiThreadCollector()
    collector.start()
    try:
        opened = interleaved(open_week, plain_week, pairs)
    finally:
        collector.stop()
    raw.close()
    ctx.database.dispose()
    rows = f"{sizes.week_rows:,} of {sizes.week_total:,}"
    return [
        Row("week_query", f"week query ({rows}), appointments_in_view vs sqlite3", *query, "s"),
        Row("week_open", f"week open ({rows}): load + scene + paint", *opened, "s"),
    ]


# ---- booking as history grows --------------------------------------------------------


def booking_row(folder: Path, sizes: Sizes, pairs: int) -> list[Row]:
    from desktop.services import booking, calendar

    stores = []
    for total in (sizes.history_small, sizes.history_large):
        place = folder / f"history{total}"
        place.mkdir()
        ctx, people = build_store(place, total, 200)
        clinic = calendar.main_clinic(ctx)
        from zoneinfo import ZoneInfo

        from desktop.domain.clinic_time import local_to_utc

        start = local_to_utc(WEEK, datetime.min.time(), ZoneInfo(clinic.timezone))
        shown = calendar.appointments_in_view(ctx, start, start + timedelta(days=7), people)
        stores.append((ctx, shown))

    moves = [0, 0]

    def move(which: int) -> float:
        """Each appointment goes 5 minutes later, then back (into its own 5-minute gap)."""
        ctx, shown = stores[which]
        n = moves[which]
        moves[which] += 1
        index = (n // 2 * 37) % len(shown)
        appointment = shown[index]
        delta = timedelta(minutes=5 if n % 2 == 0 else -5)
        began = time.perf_counter()
        moved = booking.move_appointment(
            ctx,
            appointment.id,
            practitioner_id=appointment.practitioner_id,
            starts_at=appointment.starts_at + delta,
            ends_at=appointment.ends_at + delta,
            override_availability=True,
        )
        took = time.perf_counter() - began
        shown[index] = moved.appointment
        return took

    large, small = interleaved(lambda: move(1), lambda: move(0), pairs * 4)
    for ctx, _ in stores:
        ctx.database.dispose()
    what = f"move one appointment, {sizes.history_large:,} vs {sizes.history_small:,} in history"
    return [Row("booking_400k_vs_50k", what, large, small, "s")]


# ---- first sync ------------------------------------------------------------------------


@contextmanager
def _sync_bench(rows: int) -> Iterator[object]:
    from sync_common import bulk_appointments, started_server
    from sync_money_first_sync import bulk_invoices

    with started_server() as bench:
        bulk_appointments(bench, rows)
        bulk_invoices(bench)  # and an invoice, a line and a payment for each
        yield bench


def first_sync_row(folder: Path, sizes: Sizes, pairs: int) -> list[Row]:
    from sync_money_first_sync import copy_rate, desk_rate

    with _sync_bench(sizes.sync_rows) as bench:
        runs = iter(range(1000))

        def desk() -> float:
            rows, took = desk_rate(bench, folder, f"desk{next(runs)}")  # type: ignore[arg-type]
            return rows / took

        def copy() -> float:
            copied, took = copy_rate(bench)  # type: ignore[arg-type]
            return copied / took

        synced, copying = interleaved(desk, copy, pairs)
    what = (
        f"first sync, {sizes.sync_rows:,} appointments + {sizes.sync_rows:,} invoices "
        "with a line and a payment, over loopback (rows/s)"
    )
    return [Row("first_sync", what, synced, copying, "rows/s", higher_is_better=True)]


# ---- the table -----------------------------------------------------------------------------


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def print_table(rows: list[Row]) -> None:
    print("| measure | Frontdesk | floor | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        better = "higher is better" if row.higher_is_better else "lower is better"
        print(
            f"| {row.what} | {_figure(row.project, row.unit)} | "
            f"{_figure(row.floor, row.unit)} | {row.ratio:.2f}× ({better}) |"
        )
    print()
    for row in rows:
        if not row.design_floor_of:
            print(f"RATIO {row.name} {row.ratio:.3f}")
    for row in rows:
        if row.design_floor_of:
            print(f"DESIGN_FLOOR {row.design_floor_of} {row.ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller stores (under 3 minutes)")
    parser.add_argument("--pairs", type=int, default=5, help="runs of each side (at least 5)")
    parser.add_argument("--only", default=",".join(NAMES), help="comma-separated measures")
    args = parser.parse_args()
    pairs = max(args.pairs, 5)
    sizes = QUICK if args.quick else FULL
    wanted = set(args.only.split(","))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-floors-") as name:
        folder = Path(name)
        if wanted & {"start_signin", "start_calendar"}:
            (folder / "start").mkdir()
            rows += start_rows(folder / "start", pairs)
        if wanted & {"week_query", "week_open"}:
            (folder / "week").mkdir()
            rows += week_rows(folder / "week", sizes, pairs)
        if "booking_400k_vs_50k" in wanted:
            rows += booking_row(folder, sizes, pairs)
        if "first_sync" in wanted:
            (folder / "sync").mkdir()
            rows += first_sync_row(folder / "sync", sizes, pairs)
    print_table([r for r in rows if r.name in wanted or r.design_floor_of in wanted])


if __name__ == "__main__":
    main()
