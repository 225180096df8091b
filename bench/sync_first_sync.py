"""First sync of a fresh desktop: 100,000 appointments from the server to a new replica.

Prints the time to download (pages of 1,000 over loopback HTTP) and to apply, and
the rows per second overall. Usage: python bench/sync_first_sync.py [APPOINTMENTS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sync_common import bulk_appointments, make_desk, started_server

from desktop.sync.engine import SyncSettings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with started_server() as bench, tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        bulk_appointments(bench, count)
        print(f"server: {count:,} appointments written in {time.perf_counter() - began:.1f} s")
        desk = make_desk(Path(folder), "fresh", bench.server, settings=SyncSettings(pull_page=2000))
        phases: dict[str, float] = {}
        last = {"phase": ""}

        def progress(phase: str, _done: int, _total: int) -> None:
            if phase != last["phase"]:
                phases[phase] = time.perf_counter()
                last["phase"] = phase

        began = time.perf_counter()
        report = desk.engine.run_pass(progress=progress)
        took = time.perf_counter() - began
        rows = report.pull.downloaded
        download = phases.get("apply", time.perf_counter()) - began
        print(f"first sync: {rows:,} rows in {took:.1f} s = {rows / took:,.0f} rows/s")
        print(
            f"  download {download:.1f} s ({rows / download:,.0f} rows/s), apply {took - download:.1f} s"
        )
        desk.close()


if __name__ == "__main__":
    main()
