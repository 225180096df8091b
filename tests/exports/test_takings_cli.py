"""`frontdesk report takings` as an administrator would type it."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.services import billing, booking
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from tests.helpers import templates
from tests.helpers.clinic import DAY, make_clinic
from tests.test_cli import frontdesk, one_line_error


def _clinic_with_a_payment(tmp_path: Path) -> str:
    url = templates.migrated_sqlite(tmp_path / "clinic.sqlite3")
    database = Database(url)
    ctx = ServiceContext.for_system(database)
    clinic = make_clinic(ctx)
    booked = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(9),
            patient_id=clinic.patients[1].id,
        ),
    )
    invoice, _ = billing.invoice_appointment(ctx, booked.appointment.id)
    billing.take_payment(
        ctx, invoice.id, [Tender(Money(6050), PaymentMethod.CASH)], received_on=DAY
    )
    database.dispose()
    return url


def test_takings_on_screen_as_csv_and_as_pdf(tmp_path: Path) -> None:
    url = _clinic_with_a_payment(tmp_path)
    shown = frontdesk("--database-url", url, "report", "takings", "--date", str(DAY))
    assert shown.returncode == 0, shown.stderr
    assert "Cash the drawer should hold: $60.50" in shown.stdout
    assert "Still owing: 1 invoices, $29.50" in shown.stdout
    table = tmp_path / "takings.csv"
    result = frontdesk(
        "--database-url", url, "report", "takings", "--date", str(DAY), "--csv", str(table)
    )
    assert result.returncode == 0, result.stderr
    assert "By practitioner,Alice Physio,60.50,0.00,0.00,60.50" in table.read_text("utf-8-sig")
    pdf = tmp_path / "takings.pdf"
    result = frontdesk(
        "--database-url",
        url,
        "report",
        "takings",
        "--date",
        str(DAY),
        "--to",
        "2031-03-09",
        "--pdf",
        str(pdf),
    )
    assert result.returncode == 0, result.stderr
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Alice Physio" in text and "$60.50" in text


def test_a_bad_date_is_one_line(tmp_path: Path) -> None:
    url = _clinic_with_a_payment(tmp_path)
    line = one_line_error(frontdesk("--database-url", url, "report", "takings", "--date", "3/3"))
    assert "“3/3” is not a date like 2026-03-02" in line
    line = one_line_error(
        frontdesk(
            "--database-url", url, "report", "takings", "--date", str(DAY), "--to", "2031-03-01"
        )
    )
    assert "end date is before the start date" in line
