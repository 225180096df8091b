"""Health-fund receipts for sessions paid from a pass: one page per session, paid."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from desktop.domain.errors import InvalidInput
from desktop.services import credit, receipts
from desktop.services.context import ServiceContext
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.helpers.clinic import DAY, ClinicFixture


def pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_a_session_paid_from_a_pass_prints_as_a_paid_receipt(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    [text] = pages(receipts.invoice_pdf(ctx, invoice.id))
    assert f"Receipt {invoice.number}" in text and "Status: PAID" in text
    assert "Total fee $45.00" in text and "Paid from credit $45.00" in text
    assert "Balance due $0.00" in text
    assert "FDC-000001-A1" in text and "Credit: 10 x Pilates Reformer" in text
    assert "Item number 560" in text and "Date of service 03/03/2031" in text
    assert "Sam Lee (#1)" in text


def test_batch_print_for_a_date_range(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    numbers = [invoice_class(ctx, clinic, book_class(ctx, clinic, w)).number for w in range(4)]
    pdf = credit.session_receipts_pdf(
        ctx, clinic.patients[0].id, DAY + timedelta(days=7), DAY + timedelta(days=14)
    )
    texts = pages(pdf)
    assert len(texts) == 2
    assert f"Receipt {numbers[1]}" in texts[0] and "Date of service 10/03/2031" in texts[0]
    assert f"Receipt {numbers[2]}" in texts[1] and "Status: PAID" in texts[1]
    with pytest.raises(InvalidInput, match="No sessions"):
        credit.session_receipts_pdf(
            ctx, clinic.patients[0].id, DAY - timedelta(days=30), DAY - timedelta(days=1)
        )
