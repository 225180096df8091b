"""Documents per call to Xero for a clinic's day: contacts, invoices, payments,
packages and the allocations of their credit (issue 13: at least 2 when nothing
fails).

Runs the real connector against the local Xero double, on its clock, and counts
every call the connector makes (lookups included) against the documents Xero ends
up holding.

    python bench/xero_day_mix.py [--patients 40]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.xero_payments import channel_for_bench, connect
from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.domain.outbox import Channel, JobState
from desktop.services import billing, booking, credit
from desktop.services.context import ServiceContext
from desktop.services.outbox_dispatch import drain
from desktop.services.patients import PatientDetails, create_patient
from desktop.store import migrate
from desktop.store.database import Database
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import DAY, make_clinic


def _day(ctx: ServiceContext, patients: int) -> dict[str, int]:
    """Half the patients see the physio and pay by card; the other half buy a
    ten-class pass and come to three classes, each paid from the pass."""
    clinic = make_clinic(ctx)
    package, _ = credit.create_package(
        ctx,
        credit.PackageDetails(
            "10 x Pilates",
            Money(45000),
            sessions=10,
            eligible_type_ids=frozenset({clinic.pilates.id}),
        ),
    )
    counts = {"contacts": 0, "invoices": 0, "payments": 0, "packages": 0, "allocations": 0}
    for n in range(patients):
        patient, _ = create_patient(
            ctx, PatientDetails(f"Day{n}", "Patient", date(1970 + n % 40, 1, 1 + n % 27))
        )
        counts["contacts"] += 1
        if n % 2 == 0:
            booked = booking.book_appointment(
                ctx,
                booking.BookingRequest(
                    clinic.clinic.id, clinic.alice.id, clinic.consult.id,
                    clinic.at(7 + (n // 2) % 11, 5 * ((n // 22) % 12)),
                    patient_id=patient.id, override_double_booking=True,
                ),
            )  # fmt: skip
            invoice, _ = billing.invoice_appointment(ctx, booked.appointment.id)
            billing.take_payment(ctx, invoice.id, [Tender(invoice.total, PaymentMethod.CARD)])
            counts["invoices"] += 1
            counts["payments"] += 1
            continue
        credit.sell_package(ctx, patient.id, package.id, PaymentMethod.EFTPOS)
        counts["packages"] += 1
        for week in range(3):
            session = booking.book_appointment(
                ctx,
                booking.BookingRequest(
                    clinic.clinic.id, clinic.bob.id, clinic.pilates.id,
                    clinic.at(8 + week, 0, DAY + timedelta(days=n)),
                    override_double_booking=True,
                ),
            ).appointment.id  # fmt: skip
            booking.add_attendee(ctx, session, patient.id)
            billing.invoice_appointment(ctx, session, patient.id)
            counts["invoices"] += 1
            counts["allocations"] += 1
    return counts


def run(patients: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    migrate.upgrade(database)
    fake = XeroFake(start=datetime.now(UTC) + timedelta(days=1), validate_requests=False)
    fake.start()
    try:
        connect(database, fake)
        counts = _day(ServiceContext.for_system(database), patients)
        channel = channel_for_bench(database, fake)
        channel.api.max_inline_wait = timedelta(hours=1)
        for _ in range(50):
            if not drain(channel.queue, channel, fake.clock.now).attempted:
                break
        left = channel.queue.counts(Channel.XERO)
        documents = sum(counts.values())
        return {
            **counts,
            "documents": documents,
            "calls": channel.api.calls,
            "per_call": documents / max(1, channel.api.calls),
            "not_done": sum(n for state, n in left.items() if state is not JobState.DONE),
        }
    finally:
        fake.stop()
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)  # a bench leaves nothing behind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=40, help="patients in the day")
    result = run(parser.parse_args().patients)
    print(
        f"contacts {result['contacts']}, invoices {result['invoices']}, payments "
        f"{result['payments']}, packages {result['packages']}, allocations "
        f"{result['allocations']}"
    )
    print(
        f"{result['documents']:.0f} documents in {result['calls']:.0f} calls: "
        f"{result['per_call']:.2f} documents per call; {result['not_done']:.0f} jobs not done"
    )


if __name__ == "__main__":
    main()
