"""Steady-state sync latency: one desk books, pushes; the other pulls it.

Prints the median and 95th percentile of a push of one booking and of a pull that
brings it to the other desk, over loopback HTTP. Usage: python bench/sync_latency.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sync_common import make_desk, started_server

from desktop.services import booking
from desktop.services.booking import BookingRequest
from desktop.sync.pull import pull_changes
from desktop.sync.push import push_pending


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with started_server() as bench, tempfile.TemporaryDirectory() as folder:
        c = bench.clinic
        front = make_desk(Path(folder), "front", bench.server)
        back = make_desk(Path(folder), "back", bench.server)
        front.sync()
        back.sync()
        state = front.engine.state()
        pushes, pulls = [], []
        for i in range(rounds):
            starts = c.at(7) + timedelta(days=i // 20, minutes=30 * (i % 20))
            booking.book_appointment(
                front.ctx,
                BookingRequest(c.clinic.id, c.alice.id, c.consult.id, starts, c.patients[0].id),
            )
            began = time.perf_counter()
            push_pending(front.database, front.api, state.replica_id)
            pushes.append(time.perf_counter() - began)
            began = time.perf_counter()
            report = pull_changes(back.database, back.api)
            pulls.append(time.perf_counter() - began)
            assert report.applied >= 1
        for name, values in (("push one booking", pushes), ("pull it on the other desk", pulls)):
            print(
                f"{name}: median {statistics.median(values) * 1000:.1f} ms, "
                f"p95 {percentile(values, 0.95) * 1000:.1f} ms ({rounds} rounds)"
            )
        front.close()
        back.close()


if __name__ == "__main__":
    main()
