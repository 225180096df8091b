"""Issue 13, accounting an accountant signs off: credit not used yet is a liability
(income in advance), and invoices carry the date of service (or, by choice, the date
raised)."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.errors import InvalidInput
from desktop.services import xero_settings
from desktop.services.xero_settings import ChartAccount, InvoiceDateBasis
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced


def _lines(xero: ConnectedClinic, path: str, key: str) -> list[dict[str, object]]:
    return [
        line
        for request in xero.fake.requests_to(path, "PUT")
        for document in request.json[key]
        for line in document["LineItems"]
    ]


def _change_settings(xero: ConnectedClinic, **changes: Any) -> None:
    """Settings ▸ Xero ▸ Accounts saved with one thing changed."""
    connection = xero_settings.get_connection(xero.ctx)
    xero_settings.set_account_mapping(
        xero.ctx,
        income_account_code=connection.income_account_code,
        bank_account_code=connection.bank_account_code,
        tax_type=connection.tax_type,
        **changes,
    )


def test_a_pass_sold_is_income_in_advance_until_its_sessions_are_used(
    xero: ConnectedClinic,
) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()

    [pass_line] = _lines(xero, "/BankTransactions", "BankTransactions")
    assert pass_line["AccountCode"] == "835"  # Income in Advance, a current liability
    [session_line] = _lines(xero, "/Invoices", "Invoices")
    assert session_line["AccountCode"] == "200"  # earned when the session is given
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"


def test_the_clinic_chooses_another_income_in_advance_account(xero: ConnectedClinic) -> None:
    xero.fake.add_account(code="2350", name="Unearned session income", type="CURRLIAB")
    _change_settings(xero, advance_account_code="2350")
    sell(xero.ctx, xero.clinic, pilates_pass(xero.ctx, xero.clinic, sessions=5))
    xero.sync_until_quiet()
    [pass_line] = _lines(xero, "/BankTransactions", "BankTransactions")
    assert pass_line["AccountCode"] == "2350"


def test_income_in_advance_is_checked(xero: ConnectedClinic) -> None:
    connection = xero_settings.get_connection(xero.ctx)
    with pytest.raises(InvalidInput, match="current-liability"):
        xero_settings.set_account_mapping(
            xero.ctx,
            income_account_code="200",
            bank_account_code="090",
            tax_type="EXEMPTOUTPUT",
            advance_account_code="200",
        )
    chart = [
        ChartAccount("200", "Sales", "REVENUE"),
        ChartAccount("835", "Income in Advance", "CURRLIAB"),
    ]
    assert xero_settings.advance_account_problem(connection, chart) == ""
    assert "not a current liability" in xero_settings.advance_account_problem(
        connection, [ChartAccount("835", "Sundry", "REVENUE")]
    )
    assert "has no account 835" in xero_settings.advance_account_problem(connection, chart[:1])


def test_saving_accounts_keeps_what_was_not_changed(xero: ConnectedClinic) -> None:
    from desktop.domain.billing import PaymentMethod

    xero_settings.set_account_mapping(
        xero.ctx,
        income_account_code="200",
        bank_account_code="090",
        tax_type="EXEMPTOUTPUT",
        payment_accounts={PaymentMethod.CARD: "091"},
        advance_account_code="835",
    )
    xero_settings.set_account_mapping(
        xero.ctx, income_account_code="260", bank_account_code="090", tax_type="EXEMPTOUTPUT"
    )
    connection = xero_settings.get_connection(xero.ctx)
    assert connection.payment_accounts == {"card": "091"}
    assert connection.advance_account_code == "835"
    assert connection.income_account_code == "260"


@pytest.mark.parametrize(
    ("basis", "dated"), [(InvoiceDateBasis.SERVICE, "service"), (InvoiceDateBasis.RAISED, "raised")]
)
def test_invoices_carry_the_date_the_clinic_chose(
    xero: ConnectedClinic, basis: InvoiceDateBasis, dated: str
) -> None:
    _change_settings(xero, invoice_date_basis=basis)
    invoice = invoiced(xero)
    assert invoice.service.service_date != invoice.issued_on  # booked ahead
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None
    expected = invoice.service.service_date if dated == "service" else invoice.issued_on
    assert in_xero.date == expected
    assert in_xero.due_date >= in_xero.date
