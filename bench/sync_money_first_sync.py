"""First sync of a clinic with its money: appointments, and invoices with lines and payments.

Writes N appointments and N invoices (each with one line and one payment) on the
server, syncs a fresh desk, and prints its rows/s next to PostgreSQL's own COPY
of the same rows (server tables → a second schema of the same database, indexes
included) in the same run, and the ratio. Usage:
`python bench/sync_money_first_sync.py [N] [PAIRS]` (default 100,000 and 3 interleaved
pairs of runs, medians printed). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert
from sync_common import Bench, bulk_appointments, make_desk, started_server

from desktop.store.billing_models import InvoiceLineRow, InvoiceRow, PaymentRow
from desktop.store.models import AppointmentRow
from desktop.sync.engine import SyncSettings

TABLES = ("appointments", "invoices", "invoice_lines", "payments")
BATCH = 5000


def bulk_invoices(bench: Bench) -> int:
    """One invoice (one line, one payment) per appointment on the server."""
    c = bench.clinic
    now = datetime.now(UTC)
    with bench.server.database.engine.begin() as connection:
        appointments = connection.execute(
            AppointmentRow.__table__.select().with_only_columns(  # type: ignore[attr-defined]
                AppointmentRow.id, AppointmentRow.patient_id, AppointmentRow.practitioner_id
            )
        ).all()
        base = {"created_at": now, "updated_at": now, "version": 1}
        for begin in range(0, len(appointments), BATCH):
            invoices, lines, payments = [], [], []
            for n, (appointment_id, patient_id, practitioner_id) in enumerate(
                appointments[begin : begin + BATCH], start=begin + 1
            ):
                invoice_id = uuid.uuid4()
                number = f"FD-{n:06d}"
                invoices.append(
                    {
                        **base,
                        "id": invoice_id,
                        "number": number,
                        "series": "",
                        "sequence": n,
                        "clinic_id": c.clinic.id,
                        "patient_id": patient_id,
                        "appointment_id": appointment_id,
                        "active_service_key": f"{appointment_id}:{patient_id}",
                        "practitioner_id": practitioner_id,
                        "practitioner_name": "Alice Physio",
                        "provider_number": "",
                        "clinic_name": "Bench",
                        "type_name": "Consult",
                        "item_code": "500",
                        "service_date": date(2032, 1, 5),
                        "issued_on": date(2032, 1, 5),
                        "due_on": date(2032, 1, 5),
                        "currency": "AUD",
                        "status": "issued",
                        "void_reason": "",
                        "voided_at": None,
                        "xero_invoice_id": None,
                    }
                )
                lines.append(
                    {
                        **base,
                        "id": uuid.uuid4(),
                        "invoice_id": invoice_id,
                        "position": 1,
                        "description": "Consult",
                        "item_code": "500",
                        "quantity": 1,
                        "unit_price_cents": 9000,
                    }
                )
                payments.append(
                    {
                        **base,
                        "id": uuid.uuid4(),
                        "invoice_id": invoice_id,
                        "position": 1,
                        "number": f"{number}-P1",
                        "amount_cents": 9000,
                        "currency": "AUD",
                        "method": "card",
                        "received_on": date(2032, 1, 5),
                        "received_at": now,
                        "reference": "",
                        "status": "received",
                        "deleted_reason": "",
                        "xero_revision": 0,
                        "xero_payment_id": None,
                    }
                )
            connection.execute(insert(InvoiceRow), invoices)
            connection.execute(insert(InvoiceLineRow), lines)
            connection.execute(insert(PaymentRow), payments)
    return len(appointments)


def copy_rate(bench: Bench) -> tuple[int, float]:
    """PostgreSQL COPY of the same tables into an empty schema (indexes included)."""
    url = bench.server.database.engine.url
    dsn = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS copy_target CASCADE")
        conn.execute("CREATE SCHEMA copy_target")
        for table in TABLES:
            conn.execute(f"CREATE TABLE copy_target.{table} (LIKE public.{table} INCLUDING ALL)")
    rows = 0
    with psycopg.connect(dsn) as source, psycopg.connect(dsn) as target:
        began = time.perf_counter()
        for table in TABLES:
            with (
                source.cursor().copy(f"COPY public.{table} TO STDOUT") as out,
                target.cursor().copy(f"COPY copy_target.{table} FROM STDIN") as into,
            ):
                for data in out:
                    into.write(data)
            rows += int(target.execute(f"SELECT count(*) FROM copy_target.{table}").fetchone()[0])  # type: ignore[index]
        target.commit()
        took = time.perf_counter() - began
    return rows, took


def desk_rate(bench: Bench, folder: Path, name: str) -> tuple[int, float]:
    """A fresh desk's first sync (the server's snapshot, then the changes after it)."""
    desk = make_desk(folder, name, bench.server, settings=SyncSettings(pull_page=5000))
    began = time.perf_counter()
    report = desk.engine.run_pass()
    took = time.perf_counter() - began
    desk.close()
    return report.pull.downloaded, took


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with started_server() as bench, tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        bulk_appointments(bench, count)
        bulk_invoices(bench)
        print(
            f"server: {count:,} appointments and {count:,} invoices with a line and a payment "
            f"written in {time.perf_counter() - began:.1f} s"
        )
        synced: list[float] = []
        copying: list[float] = []
        for n in range(pairs):  # interleaved: the machine's load falls on both alike
            rows, took = desk_rate(bench, Path(folder), f"fresh{n}")
            synced.append(rows / took)
            copied, copy_took = copy_rate(bench)
            copying.append(copied / copy_took)
            print(
                f"first sync: {rows:,} rows in {took:.1f} s = {synced[-1]:,.0f} rows/s; "
                f"PostgreSQL COPY: {copied:,} rows in {copy_took:.1f} s = {copying[-1]:,.0f} rows/s"
            )
        mine, floor = statistics.median(synced), statistics.median(copying)
        print(f"medians: first sync {mine:,.0f} rows/s, COPY {floor:,.0f} rows/s")
        print(f"ratio (first sync / COPY): {mine / floor:.2f}")


if __name__ == "__main__":
    main()
