"""The longest the window freezes while a receptionist works. Prints figures; asserts nothing.

Drives the real main window offscreen at 1366×768 over a SQLite store of 200,000
appointments (5 practitioners with every slot of a 7-day week booked, 700 a week,
so 5½ years; built by `bench/calendar_week.py`'s generator), twice: once as it is, and once with every database statement delayed
200 ms (a SQLAlchemy hook that sleeps, in this bench only) to stand for a clinic
database across a network. Each pass:

* navigates 20 weeks forward, one "next week" at a time (each once the last has shown);
* opens the patient search and types a 6-letter name, 90 ms between keys;
* opens Compare with Xero and checks, against the local Xero test double
  (tests/fakes/xero), which holds its first answer for 3 s;
* saves the day sheet as a PDF.

A 10 ms QTimer ticks all along; the longest gap between two ticks is the longest
the window could not respond. The last line is `max GUI stall: N ms` (the worse
pass). Goal: under 100 ms.

    python bench/ui_stall.py [--appointments 200000] [--delay-ms 200]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from bench.calendar_week import WEEK, build_store
from desktop.services import xero_settings
from desktop.services.context import ServiceContext
from desktop.ui import operations
from desktop.ui.background_ops import runner
from desktop.ui.calendar.period import ViewMode
from desktop.ui.gui_garbage import GuiThreadCollector
from desktop.ui.main_window import MainWindow
from desktop.ui.preferences import Preferences
from desktop.xero.endpoints import API_URL_ENV, IDENTITY_URL_ENV
from desktop.xero.tokens import KeyringVault, TokenSet
from tests.auth.keyrings import MemoryKeyring
from tests.fakes.xero import XeroFake

TICK_MS = 10
PRACTITIONERS = 5  # a small clinic, open 7 days, every slot booked:
PER_WEEK = 700  # 5 x 20 a day x 7 days, so 200,000 appointments are 5½ years
WEEKS = 20
SEARCH = "Bench7"  # six letters, as typed
KEY_GAP_MS = 90
XERO_ANSWER_S = 3.0


class StallMeter:
    """A 10 ms timer; the longest gap between its ticks is the longest freeze.

    With `explain`, a watchdog thread notes where the GUI thread was during each
    freeze over 80 ms (its innermost frames of our code), to say what to fix next.
    """

    def __init__(self, explain: bool = False) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0
        self.worst_during = ""
        self.doing = ""
        self.by_step: dict[str, float] = {}
        self.explain = explain
        self.culprits: Counter[str] = Counter()
        self._running = False

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()
        if self.explain:
            self._running = True
            gui = threading.main_thread().ident
            threading.Thread(target=self._watch, args=(gui,), daemon=True).start()

    def _watch(self, gui: int | None) -> None:
        noted = 0.0
        while self._running:
            time.sleep(0.02)
            last = self.last
            if time.perf_counter() - last > 0.08 and noted != last:
                noted = last
                frame = sys._current_frames().get(gui or 0)
                ours = [
                    f"{Path(f.filename).name}:{f.lineno} {f.name}"
                    for f in traceback.extract_stack(frame)
                    if "/desktop/" in f.filename
                ]
                self.culprits[f"{self.doing}: " + " < ".join(reversed(ours[-4:]))] += 1

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self.last) * 1000
        if gap > self.worst:
            self.worst, self.worst_during = gap, self.doing
        if self.doing:
            self.by_step[self.doing] = max(self.by_step.get(self.doing, 0.0), gap)
        self.last = now

    def stop(self) -> None:
        self.timer.stop()
        self._running = False


def wait(condition: Callable[[], bool], timeout_s: float = 300.0) -> None:
    """Run the event loop (the meter keeps ticking) until `condition` holds."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    poll.start()
    while not condition() and time.monotonic() < deadline:
        loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError("the window did not finish in time")


def pause(ms: int) -> None:
    """Let the event loop run for `ms` (a person's pause between actions)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


@contextmanager
def slow_database(ctx: ServiceContext, delay_ms: int) -> Iterator[None]:
    """Every statement waits `delay_ms` first, on whatever thread sends it."""

    def hold(*_args: Any) -> None:
        time.sleep(delay_ms / 1000)

    if delay_ms:
        event.listen(ctx.database.engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        if delay_ms:
            event.remove(ctx.database.engine, "before_cursor_execute", hold)


def connect_xero(ctx: ServiceContext, fake: XeroFake) -> None:
    keyring.set_keyring(MemoryKeyring())
    os.environ[API_URL_ENV] = fake.base_url
    os.environ[IDENTITY_URL_ENV] = fake.base_url
    tokens = TokenSet.from_response(fake.issue_token(), fake.clock.now())
    KeyringVault().save("bench", tokens)
    xero_settings.save_connection(
        ctx.database,
        client_id=fake.client_id,
        connection_key="bench",
        tenant_id=fake.tenant_id,
        tenant_name="Bench",
        token_expires_at=tokens.expires_at,
    )


def one_pass(window: MainWindow, fake: XeroFake, folder: Path, meter: StallMeter) -> list[str]:
    """The receptionist's actions; returns what went wrong (nothing, one hopes)."""
    problems: list[str] = []
    settled = runner().idle
    meter.doing = "20 weeks forward"
    for _ in range(WEEKS):
        window.calendar.step(1)
        wait(settled)
        pause(40)
    meter.doing = "patient search"
    search = window.find_patient()
    for letter in SEARCH:
        QTest.keyClicks(search.search, letter)
        pause(KEY_GAP_MS)
    wait(settled)
    if search.model.rowCount() == 0:
        problems.append(f"the search for {SEARCH!r} found nobody")
    search.close()
    meter.doing = "Compare with Xero"
    fake.clear_faults()
    fake.delay_response_next(1, seconds=XERO_ANSWER_S, after_commit=False)
    view = window.open_reconciliation()
    view.run()
    wait(settled)
    if view.result is None:
        problems.append(f"Compare with Xero did not finish: {view.summary.text()}")
    view.close()
    meter.doing = "day sheet"
    out = folder / f"day-sheet-{time.monotonic_ns()}.pdf"
    window.exports.questions.save_path = lambda *_args: out
    window.exports.day_sheet_action.trigger()
    wait(settled)
    if not out.exists():
        problems.append("the day sheet was not written")
    meter.doing = ""
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=200_000)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="say where the freezes were")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # the bench closes windows between passes
    GuiThreadCollector(app).start()  # as desktop/ui/app.py does: cycles collected on the GUI thread
    shown: list[str] = []
    operations.show_error = lambda _parent, _title, text: shown.append(text)
    with tempfile.TemporaryDirectory() as name, XeroFake(validate_requests=False) as fake:
        folder = Path(name)
        started = time.perf_counter()
        ctx, people = build_store(folder, args.appointments, PER_WEEK, PRACTITIONERS)
        connect_xero(ctx, fake)
        print(
            f"store: {args.appointments:,} appointments, {len(people)} practitioners, "
            f"{PER_WEEK} a week "
            f"(set up in {time.perf_counter() - started:.1f} s)"
        )
        settings = QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat)
        Preferences(settings).view_mode = ViewMode.WEEK
        worst = 0.0
        for delay in (0, args.delay_ms):
            start_day = WEEK - timedelta(weeks=WEEKS + 1)
            window = MainWindow(
                ctx,
                settings,
                now=lambda: datetime(2031, 3, 4, 23, 0, tzinfo=UTC),
                start_day=start_day,
            )
            window.resize(1366, 768)
            window.show()
            wait(runner().idle)
            gc.freeze()  # as desktop/ui/app.py does once the window is up
            meter = StallMeter(args.explain)
            with slow_database(ctx, delay):
                meter.start()
                began = time.perf_counter()
                problems = one_pass(window, fake, folder, meter)
                took = time.perf_counter() - began
                meter.stop()
            window.close()
            window.deleteLater()
            app.processEvents()
            label = f"every query +{delay} ms" if delay else "local SQLite"
            print(
                f"{label}: longest freeze {meter.worst:.0f} ms"
                + (f" (during {meter.worst_during})" if meter.worst_during else "")
                + f"; the pass took {took:.1f} s"
            )
            print("  " + ", ".join(f"{step} {ms:.0f} ms" for step, ms in meter.by_step.items()))
            for problem in problems + shown:
                print(f"  problem: {problem}")
            for where, count in meter.culprits.most_common(8):
                print(f"  {count} x {where}")
            shown.clear()
            worst = max(worst, meter.worst)
        ctx.database.dispose()
    print(f"max GUI stall: {worst:.0f} ms")


if __name__ == "__main__":
    main()
