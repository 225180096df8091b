"""`frontdesk xero send-history`: what was raised before Xero was connected goes once,
oldest first, after a dry run that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.domain.outbox import JobState
from desktop.services import billing, booking, credit, xero_history
from desktop.services.context import ServiceContext
from desktop.xero.tokens import FileVault
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import make_clinic
from tests.xero.conftest import ConnectedClinic, channel_for, connect_with_token
from tests.xero.helpers import invoiced, paid
from tests.xero.test_cli import database, frontdesk

__all__ = ["database"]


def test_history_goes_once_in_order_after_a_dry_run(
    ctx: ServiceContext, fake: XeroFake, tmp_path: Path
) -> None:
    clinic = make_clinic(ctx)
    today = datetime.now(UTC).date()
    # Before Xero was connected: a consult paid by card, one invoiced long ago, a pass
    # sold and one class paid from it.
    old = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id, clinic.alice.id, clinic.consult.id, clinic.at(8),
            patient_id=clinic.patients[1].id, override_double_booking=True,
        ),
    )  # fmt: skip
    billing.invoice_appointment(ctx, old.appointment.id, issued_on=today - timedelta(days=90))
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    session_invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    vault = FileVault(tmp_path / "xero-tokens.json")
    xero = ConnectedClinic(ctx, clinic, fake, vault, None)  # type: ignore[arg-type]
    consult = paid(xero, invoiced(xero, patient=2, hour=11))

    connect_with_token(ctx, fake, vault)  # type: ignore[arg-type]
    xero.channel = channel_for(ctx.database, fake, vault)  # type: ignore[arg-type]
    since = today - timedelta(days=30)

    dry = frontdesk(ctx.database, fake, tmp_path / "xero-tokens.json", "send-history",
                    "--since", since.isoformat())  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert f"2 invoices: {session_invoice.number}, {consult.number}" in dry.stdout  # in order
    assert "1 credits: FDC-000001" in dry.stdout
    assert "Nothing has been sent" in dry.stdout
    assert not xero.jobs()  # the dry run changed nothing

    plan, changes = xero_history.send_history(ctx, since)
    assert changes.outbox and plan.total == 5  # 2 invoices, 1 payment, 1 credit, 1 use
    xero.sync_until_quiet()

    assert not xero.jobs(JobState.PENDING, JobState.PARKED, JobState.HELD)
    for invoice in (consult, session_invoice):
        in_xero = fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID", invoice.number
    assert credit.get_lot(ctx, lot.id).xero_credit_id
    assert len(fake.requests_to("/Invoices", "PUT")) == 1  # the old invoice stays out
    again = xero_history.plan_history(ctx, since)
    assert again.total == 0  # once
