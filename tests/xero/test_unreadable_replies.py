"""Issue 13, defect 1: Xero deletes an allocation, then the SDK cannot read its answer
(xero-python issue 159). The fake answers as Xero does; the connector must believe
Xero's books, and no `frontdesk xero` command may end in a traceback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.domain.appointments import CancellationReason
from desktop.domain.outbox import JobState
from desktop.services import booking, credit
from desktop.xero.credit_jobs import CreditLinks
from desktop.xero.errors import XeroReplyUnreadable
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.credit.test_credit_xero import _prepayment_credit
from tests.xero.conftest import ConnectedClinic
from tests.xero.test_cli import cli_clinic, database, frontdesk

__all__ = ["cli_clinic", "database"]


def test_the_sdk_cannot_read_xeros_answer_to_deleting_an_allocation(
    xero: ConnectedClinic,
) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    lot_xero_id = credit.get_lot(ctx, lot.id).xero_credit_id
    (allocation_id,) = CreditLinks(xero.database).allocation_ids()
    # The fake answers as Xero does, which the SDK cannot read.
    with pytest.raises(XeroReplyUnreadable, match="may have acted"):
        xero.channel.api.call(
            "delete_prepayment_allocations",
            prepayment_id=lot_xero_id,
            allocation_id=allocation_id,
        )
    assert _prepayment_credit(xero, lot.id) == Decimal("90.00")  # Xero did delete it


def test_cancelling_a_credit_paid_class_sends_with_no_traceback(
    cli_clinic: ConnectedClinic, tmp_path: Path
) -> None:
    xero, fake = cli_clinic, cli_clinic.fake
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    session = book_class(ctx, clinic, 0)
    invoice = invoice_class(ctx, clinic, session)
    xero.sync_until_quiet()
    assert _prepayment_credit(xero, lot.id) == Decimal("45.00")

    booking.cancel_attendance(ctx, session, clinic.patients[0].id, CancellationReason.SICK)
    result = frontdesk(xero.database, fake, tmp_path / "xero-tokens.json", "sync", "--once")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert not xero.jobs(JobState.PENDING, JobState.PARKED, JobState.HELD)
    voided = fake.invoice_by_number(invoice.number)
    assert voided is not None and voided.status == "VOIDED"
    assert _prepayment_credit(xero, lot.id) == Decimal("90.00")
    result = frontdesk(xero.database, fake, tmp_path / "xero-tokens.json", "reconcile")
    assert result.returncode == 0, result.stdout + result.stderr
