"""Shared set-up for the sync benchmarks: a throwaway PostgreSQL, a live server, replicas.

Loopback only; every loop is bounded. Run from the repository root, e.g.
`python bench/sync_first_sync.py`.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from desktop.services.context import ServiceContext
from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.models import AppointmentRow, PatientRow
from tests.helpers import postgres
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.sync.harness import ServerSide, make_desk, running_server

__all__ = ["ServerSide", "bulk_appointments", "make_desk", "started_server"]


@dataclass
class Bench:
    server: ServerSide
    clinic: ClinicFixture
    pg: postgres.PostgresServer


@contextmanager
def started_server() -> Iterator[Bench]:
    pg = postgres.start_server()
    try:
        url = pg.create_database()
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        with running_server(url, limits=None) as server:
            clinic = make_clinic(ServiceContext.for_system(server.database))
            yield Bench(server, clinic, pg)
    finally:
        pg.stop()


def bulk_appointments(bench: Bench, count: int) -> None:
    """`count` back-to-back 30-minute appointments on the server (the change log logs each)."""
    c = bench.clinic
    start = datetime(2032, 1, 5, 0, 0, tzinfo=UTC)
    now = datetime.now(UTC)
    patient_ids = [p.id for p in c.patients]
    practitioners = [c.alice.id, c.bob.id]
    rows = []
    for i in range(count):
        slot = start + timedelta(minutes=30 * (i // 2))
        rows.append(
            {
                "id": uuid.uuid4(),
                "clinic_id": c.clinic.id,
                "practitioner_id": practitioners[i % 2],
                "appointment_type_id": c.consult.id,
                "patient_id": patient_ids[i % len(patient_ids)],
                "starts_at": slot,
                "ends_at": slot + timedelta(minutes=30),
                "status": "booked",
                "capacity": 1,
                "notes": f"bench {i}",
                "cancellation_reason": None,
                "cancellation_note": "",
                "overrides_availability": True,
                "overrides_double_booking": False,
                "read_only": False,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    with bench.server.database.engine.begin() as connection:
        for begin in range(0, count, 5000):
            connection.execute(insert(AppointmentRow), rows[begin : begin + 5000])


def patient_count(database: Database) -> int:
    from sqlalchemy import func, select

    with database.reading() as session:
        return int(session.execute(select(func.count()).select_from(PatientRow)).scalar_one())
