"""Correcting what an invoice says about its service: type, date of service,
practitioner (each on its own; what is not named stays as it was)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desktop.domain.billing import InvoiceEdit
from desktop.domain.errors import NotFound
from desktop.domain.money import Money
from desktop.services import billing
from desktop.services.context import ServiceContext
from tests.credit.helpers import consult
from tests.helpers.clinic import ClinicFixture


def test_the_service_facts_and_the_receipt_line_follow_the_correction(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    invoice = consult(ctx, clinic)
    assert invoice.service.provider_number == "2448761A"
    edited, changes = billing.edit_invoice(
        ctx, invoice.id, InvoiceEdit(type_id=clinic.pilates.id), invoice.version
    )
    assert changes.billing
    assert (edited.service.type_name, edited.service.item_code) == ("Reformer", "560")
    assert edited.lines[0].item_code == "560"
    assert edited.total == Money(9000)  # the fee is its own choice
    assert edited.service.practitioner_name == "Alice Physio"

    moved, _ = billing.edit_invoice(
        ctx,
        invoice.id,
        InvoiceEdit(practitioner_id=clinic.bob.id, service_date=date(2031, 3, 4)),
        edited.version,
    )
    assert moved.service.practitioner_id == clinic.bob.id
    assert moved.service.provider_number == ""  # Bob has none at this clinic
    assert moved.service.service_date == date(2031, 3, 4)
    assert moved.lines[0].description == "Reformer · item 560 · 04/03/2031 · Bob Pilates"
    assert moved.service.type_name == "Reformer"


def test_an_unknown_practitioner_changes_nothing(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    invoice = consult(ctx, clinic)
    with pytest.raises(NotFound):
        billing.edit_invoice(
            ctx,
            invoice.id,
            InvoiceEdit(unit_price=Money(100), practitioner_id=uuid.uuid4()),
            invoice.version,
        )
    assert billing.get_invoice(ctx, invoice.id) == invoice
