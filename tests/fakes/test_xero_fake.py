"""Tests of the Xero fake itself, driven through the real xero-python SDK.

Each test checks one Xero behaviour the fake must reproduce. The fake's own
responses are validated against Xero's OpenAPI document on every test
(``validate_responses``), so the shapes the SDK deserialises stay honest.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import urllib3
from xero_python.accounting import (
    Account,
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    Contact,
    Contacts,
    CreditNote,
    CreditNotes,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItem,
    Payment,
    PaymentDelete,
    Payments,
)
from xero_python.exceptions import (
    AccountingBadRequestException,
    HTTPStatusException,
    NotFoundException,
    RateLimitException,
)

from tests.fakes.xero import Msg, XeroFake, pkce_challenge
from tests.fakes.xero.sdk import SdkClient, make_sdk_client

REDIRECT_URI = "http://localhost:53682/callback"
SCOPES = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings.read"
D = Decimal


@pytest.fixture(autouse=True)
def _fake_answers_match_openapi(xero_fake: XeroFake) -> Iterator[None]:
    """Every response the fake gives in these tests must match Xero's document."""
    xero_fake.validate_responses = True
    yield
    assert xero_fake.response_violations == []
    assert xero_fake.unhandled_requests == []


# ----------------------------------------------------------------------------- helpers


def _t(sdk: SdkClient) -> dict[str, Any]:
    return {"_request_timeout": sdk.timeout}


def _contact(sdk: SdkClient, name: str = "Sam Lee (P-1001)", number: str | None = "P-1001") -> str:
    result = sdk.accounting.create_contacts(
        sdk.tenant_id, Contacts(contacts=[Contact(name=name, contact_number=number)]), **_t(sdk)
    )
    return str(result.contacts[0].contact_id)


def _invoice(
    sdk: SdkClient,
    contact_id: str,
    amount: float = 120.0,
    *,
    status: str = "AUTHORISED",
    number: str | None = None,
    when: date = date(2026, 3, 2),
) -> Any:
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=when,
        due_date=date(2026, 3, 16),
        invoice_number=number,
        reference="APPT-42",
        status=status,
        line_items=[
            LineItem(
                description="Initial consult",
                quantity=1,
                unit_amount=amount,
                account_code="200",
                tax_type="EXEMPTOUTPUT",
            )
        ],
    )
    return sdk.accounting.create_invoices(
        sdk.tenant_id, Invoices(invoices=[invoice]), **_t(sdk)
    ).invoices[0]


def _pay(sdk: SdkClient, invoice_id: str, amount: float, **kwargs: Any) -> Any:
    payment = Payment(
        invoice=Invoice(invoice_id=invoice_id),
        account=Account(code="090"),
        amount=amount,
        date=date(2026, 3, 3),
        reference="EFTPOS",
    )
    return sdk.accounting.create_payments(
        sdk.tenant_id, Payments(payments=[payment]), **kwargs, **_t(sdk)
    )


def _prepayment(sdk: SdkClient, contact_id: str, amount: float = 300.0) -> str:
    bt = BankTransaction(
        type="RECEIVE-PREPAYMENT",
        contact=Contact(contact_id=contact_id),
        bank_account=Account(code="090"),
        date=date(2026, 3, 1),
        reference="Class pass",
        line_amount_types=LineAmountTypes.NOTAX,
        line_items=[
            LineItem(
                description="10-class pass", quantity=1, unit_amount=amount, account_code="200"
            )
        ],
    )
    result = sdk.accounting.create_bank_transactions(
        sdk.tenant_id, BankTransactions(bank_transactions=[bt]), **_t(sdk)
    )
    return str(result.bank_transactions[0].prepayment_id)


def _allocate(sdk: SdkClient, prepayment_id: str, invoice_id: str, amount: float) -> Any:
    allocation = Allocation(
        invoice=Invoice(invoice_id=invoice_id), amount=amount, date=date(2026, 3, 4)
    )
    return sdk.accounting.create_prepayment_allocations(
        sdk.tenant_id, prepayment_id, Allocations(allocations=[allocation]), **_t(sdk)
    )


def _error_messages(exc: HTTPStatusException) -> list[str]:
    body = json.loads(exc.body)
    return [m["Message"] for el in body.get("Elements", []) for m in el.get("ValidationErrors", [])]


def _authorize(fake: XeroFake, verifier: str, state: str = "st-1") -> str:
    response = httpx.get(
        fake.authorize_url,
        params={
            "response_type": "code",
            "client_id": fake.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPES,
            "state": state,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


def _token(fake: XeroFake, **form: str) -> httpx.Response:
    return httpx.post(fake.token_url, data={"client_id": fake.client_id, **form})


def _refresh(fake: XeroFake, refresh_token: str) -> httpx.Response:
    return _token(fake, grant_type="refresh_token", refresh_token=refresh_token)


# ----------------------------------------------------------------------------- identity


def test_pkce_code_flow_issues_tokens_and_connects_tenants(xero_fake: XeroFake) -> None:
    verifier = secrets.token_urlsafe(48)
    code = _authorize(xero_fake, verifier)

    wrong = _token(
        xero_fake,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier="nope",
    )
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})

    good = _token(
        xero_fake,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert good.status_code == 200
    tokens = good.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 1800
    assert set(tokens) >= {"access_token", "refresh_token", "id_token", "scope"}

    reused = _token(
        xero_fake,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert reused.json() == {"error": "invalid_grant"}

    sdk = make_sdk_client(xero_fake, tokens)
    connections = sdk.identity.get_connections(**_t(sdk))
    assert [c.tenant_id for c in connections] == [xero_fake.tenant_id]
    assert connections[0].tenant_type == "ORGANISATION"


def test_browser_stand_in_delivers_the_code_to_a_loopback_listener(xero_fake: XeroFake) -> None:
    received: dict[str, list[str]] = {}
    done = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.update(parse_qs(urlsplit(self.path).query))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            done.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    listener = HTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=listener.handle_request, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{listener.server_port}/callback"
    verifier = secrets.token_urlsafe(48)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": xero_fake.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": "loopback",
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    try:
        assert xero_fake.open_in_browser(f"{xero_fake.authorize_url}?{query}") is True
        assert done.wait(5)
    finally:
        listener.server_close()

    assert received["state"] == ["loopback"]
    exchange = _token(
        xero_fake,
        grant_type="authorization_code",
        code=received["code"][0],
        redirect_uri=redirect_uri,
        code_verifier=verifier,
    )
    assert exchange.status_code == 200


def test_denied_consent_redirects_with_error(xero_fake: XeroFake) -> None:
    xero_fake.deny_next_authorization()
    response = httpx.get(
        xero_fake.authorize_url,
        params={
            "response_type": "code",
            "client_id": xero_fake.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPES,
            "state": "s",
            "code_challenge": pkce_challenge("v" * 43),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["s"],
    }


def test_refresh_rotates_and_old_token_works_only_within_grace(xero_fake: XeroFake) -> None:
    first = xero_fake.issue_token()
    rt1 = first["refresh_token"]

    second = _refresh(xero_fake, rt1).json()
    rt2 = second["refresh_token"]
    assert rt2 != rt1
    assert second["access_token"] != first["access_token"]

    xero_fake.clock.advance(minutes=29)
    again = _refresh(xero_fake, rt1)  # inside the 30-minute grace window
    assert again.status_code == 200

    xero_fake.clock.advance(minutes=2)
    late = _refresh(xero_fake, rt1)
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})

    assert _refresh(xero_fake, rt2).status_code == 200  # the rotated token lives on


def test_revoked_refresh_token_is_invalid_grant_and_disconnects(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    tokens = xero_fake.issue_token()
    revoke = httpx.post(
        xero_fake.revocation_url,
        data={"client_id": xero_fake.client_id, "token": tokens["refresh_token"]},
    )
    assert revoke.status_code == 200

    assert _refresh(xero_fake, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    with pytest.raises(HTTPStatusException) as caught:
        xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk))
    assert caught.value.status == 403

    other = xero_fake.issue_token()
    xero_fake.revoke_refresh_token(other["refresh_token"])
    assert _refresh(xero_fake, other["refresh_token"]).json() == {"error": "invalid_grant"}


def test_expired_access_token_gets_xero_401(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))
    xero_fake.clock.advance(seconds=1801)

    with pytest.raises(HTTPStatusException) as caught:
        xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk))

    assert caught.value.status == 401
    body = json.loads(caught.value.body)
    assert body["Title"] == "Unauthorized"
    assert body["Status"] == 401
    assert body["Type"] is None
    assert body["Detail"].startswith("TokenExpired: token expired at ")
    assert "invalid_token" in caught.value.headers["WWW-Authenticate"]

    fresh = _refresh(xero_fake, xero_sdk.token["refresh_token"]).json()
    xero_sdk.use_token(fresh)
    assert xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk)).contacts == []


def test_disconnected_tenant_is_forbidden(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    connection = xero_sdk.identity.get_connections(**_t(xero_sdk))[0]
    xero_sdk.identity.delete_connection(connection.id, **_t(xero_sdk))

    with pytest.raises(HTTPStatusException) as caught:
        xero_sdk.accounting.get_invoices(xero_sdk.tenant_id, **_t(xero_sdk))
    assert caught.value.status == 403
    assert json.loads(caught.value.body)["Detail"] == "AuthenticationUnsuccessful"


# ----------------------------------------------------------------------------- contacts, invoices, payments


def test_contact_invoice_payment_happy_path(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    invoice = _invoice(xero_sdk, contact_id, 120.0)
    assert invoice.invoice_number == "INV-0001"
    assert (invoice.status, invoice.total, invoice.amount_due) == (
        "AUTHORISED",
        D("120.00"),
        D("120.00"),
    )
    assert invoice.date == date(2026, 3, 2)

    first = _pay(xero_sdk, invoice.invoice_id, 70.0).payments[0]
    assert first.payment_type == "ACCRECPAYMENT"
    assert first.invoice.amount_due == D("50.00")
    single = Payment(
        invoice=Invoice(invoice_number="INV-0001"),
        account=Account(code="090"),
        amount=50.0,
        date=date(2026, 3, 3),
    )
    xero_sdk.accounting.create_payment(
        xero_sdk.tenant_id, single, **_t(xero_sdk)
    )  # POST, one payment

    fetched = xero_sdk.accounting.get_invoice(
        xero_sdk.tenant_id, invoice.invoice_id, **_t(xero_sdk)
    ).invoices[0]
    assert (fetched.status, fetched.amount_paid, fetched.amount_due) == (
        "PAID",
        D("120.00"),
        D("0.00"),
    )
    assert fetched.fully_paid_on_date == date(2026, 3, 3)
    assert len(fetched.payments) == 2

    stored = xero_fake.invoice_by_number("INV-0001")
    assert stored is not None and stored.status == "PAID"
    assert xero_fake.amount_due(stored) == D("0")
    assert xero_fake.schema_violations == []


def test_gst_is_computed_and_money_rounded_to_cents(xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=date(2026, 3, 2),
        due_date=date(2026, 3, 9),
        status="AUTHORISED",
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[
            LineItem(description="Tape", quantity=3, unit_amount=3.335, account_code="200")
        ],
    )
    created = xero_sdk.accounting.create_invoices(
        xero_sdk.tenant_id, Invoices(invoices=[invoice]), **_t(xero_sdk)
    ).invoices[0]
    assert created.line_items[0].unit_amount == D("3.34")
    assert (created.sub_total, created.total_tax, created.total) == (
        D("10.02"),
        D("1.00"),
        D("11.02"),
    )
    assert created.line_items[0].tax_type == "OUTPUT"


def test_invoices_can_be_found_by_number_where_and_status(xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    _invoice(xero_sdk, contact_id, 10.0, number="FD-1")
    draft = _invoice(xero_sdk, contact_id, 20.0, number="FD-2", status="DRAFT")

    by_number = xero_sdk.accounting.get_invoices(
        xero_sdk.tenant_id, invoice_numbers=["FD-2"], **_t(xero_sdk)
    )
    assert [i.invoice_id for i in by_number.invoices] == [draft.invoice_id]

    where = xero_sdk.accounting.get_invoices(
        xero_sdk.tenant_id,
        where=f'Contact.ContactID==guid("{contact_id}") AND Status=="AUTHORISED"',
        **_t(xero_sdk),
    )
    assert [i.invoice_number for i in where.invoices] == ["FD-1"]
    assert where.invoices[0].line_items is None  # unpaged lists carry no line items

    paged = xero_sdk.accounting.get_invoices(
        xero_sdk.tenant_id, statuses=["DRAFT"], page=1, **_t(xero_sdk)
    )
    assert [i.invoice_number for i in paged.invoices] == ["FD-2"]
    assert paged.pagination.item_count == 1
    assert len(paged.invoices[0].line_items) == 1


def test_contact_names_must_be_unique(xero_sdk: SdkClient) -> None:
    _contact(xero_sdk, "Sam Lee", None)
    with pytest.raises(AccountingBadRequestException) as caught:
        _contact(xero_sdk, "Sam Lee", None)
    assert caught.value.reason == Msg.CONTACT_NAME_TAKEN.format(name="Sam Lee")

    found = xero_sdk.accounting.get_contacts(
        xero_sdk.tenant_id, where='Name=="Sam Lee"', **_t(xero_sdk)
    )
    assert len(found.contacts) == 1


def test_invoice_number_must_be_unique_and_batch_is_all_or_nothing(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    contact_id = _contact(xero_sdk)
    _invoice(xero_sdk, contact_id, number="FD-9")
    batch = Invoices(
        invoices=[
            Invoice(
                type="ACCREC",
                contact=Contact(contact_id=contact_id),
                invoice_number="FD-10",
                line_items=[LineItem(description="a", unit_amount=5, account_code="200")],
            ),
            Invoice(
                type="ACCREC",
                contact=Contact(contact_id=contact_id),
                invoice_number="FD-9",
                line_items=[LineItem(description="b", unit_amount=5, account_code="200")],
            ),
        ]
    )
    with pytest.raises(AccountingBadRequestException) as caught:
        xero_sdk.accounting.create_invoices(xero_sdk.tenant_id, batch, **_t(xero_sdk))
    assert _error_messages(caught.value) == [Msg.INVOICE_NUMBER_TAKEN]
    assert xero_fake.invoice_by_number("FD-10") is None


def test_unknown_account_code_is_refused(xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    bad = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        status="AUTHORISED",
        line_items=[LineItem(description="x", unit_amount=5, account_code="999")],
    )
    with pytest.raises(AccountingBadRequestException) as caught:
        xero_sdk.accounting.create_invoices(
            xero_sdk.tenant_id, Invoices(invoices=[bad]), **_t(xero_sdk)
        )
    assert caught.value.reason == "Account code '999' is not a valid code for this document."


def test_invoice_dated_in_locked_period_is_refused(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    xero_fake.set_lock_date(date(2026, 3, 31))
    contact_id = _contact(xero_sdk)
    with pytest.raises(AccountingBadRequestException) as caught:
        _invoice(xero_sdk, contact_id, when=date(2026, 3, 31))
    assert (
        caught.value.reason
        == "The document date cannot be before the period lock date, currently set at 31-Mar-2026"
    )
    assert _invoice(xero_sdk, contact_id, when=date(2026, 4, 1)).status == "AUTHORISED"


def test_invoice_status_transitions(xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    draft = _invoice(xero_sdk, contact_id, status="DRAFT")
    update = Invoices(invoices=[Invoice(invoice_id=draft.invoice_id, status="AUTHORISED")])
    authorised = xero_sdk.accounting.update_invoice(
        xero_sdk.tenant_id, draft.invoice_id, update, **_t(xero_sdk)
    ).invoices[0]
    assert authorised.status == "AUTHORISED"

    to_delete = Invoices(invoices=[Invoice(status="DELETED")])
    with pytest.raises(AccountingBadRequestException) as caught:
        xero_sdk.accounting.update_invoice(
            xero_sdk.tenant_id, draft.invoice_id, to_delete, **_t(xero_sdk)
        )
    assert caught.value.reason == Msg.INVALID_STATUS_FOR_MODIFICATION

    other_draft = _invoice(xero_sdk, contact_id, status="DRAFT")
    deleted = xero_sdk.accounting.update_invoice(
        xero_sdk.tenant_id, other_draft.invoice_id, to_delete, **_t(xero_sdk)
    ).invoices[0]
    assert (deleted.status, deleted.amount_due) == ("DELETED", D("0.00"))

    unpaid = _invoice(xero_sdk, contact_id)
    voided = xero_sdk.accounting.update_invoice(
        xero_sdk.tenant_id,
        unpaid.invoice_id,
        Invoices(invoices=[Invoice(status="VOIDED")]),
        **_t(xero_sdk),
    ).invoices[0]
    assert voided.status == "VOIDED"

    _pay(xero_sdk, draft.invoice_id, 10.0)
    void = Invoices(invoices=[Invoice(status="VOIDED")])
    with pytest.raises(AccountingBadRequestException) as caught:
        xero_sdk.accounting.update_invoice(
            xero_sdk.tenant_id, draft.invoice_id, void, **_t(xero_sdk)
        )
    assert caught.value.reason == Msg.HAS_PAYMENTS


def test_overpaying_an_invoice_is_refused_with_validation_errors(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 100.0)

    with pytest.raises(AccountingBadRequestException) as caught:
        _pay(xero_sdk, invoice.invoice_id, 100.01)

    assert caught.value.status == 400
    body = json.loads(caught.value.body)
    assert (body["ErrorNumber"], body["Type"], body["Message"]) == (
        10,
        "ValidationException",
        "A validation exception occurred",
    )
    assert body["Elements"][0]["ValidationErrors"] == [
        {"Message": "Payment amount exceeds the amount outstanding on this document"}
    ]
    assert caught.value.reason == "Payment amount exceeds the amount outstanding on this document"
    assert xero_fake.payments_for_invoice(invoice.invoice_id) == []


def test_payment_against_draft_invoice_is_refused(xero_sdk: SdkClient) -> None:
    draft = _invoice(xero_sdk, _contact(xero_sdk), 40.0, status="DRAFT")
    with pytest.raises(AccountingBadRequestException) as caught:
        _pay(xero_sdk, draft.invoice_id, 10.0)
    assert _error_messages(caught.value) == [Msg.PAYMENT_NOT_AUTHORISED]


def test_summarize_errors_false_reports_per_item(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 100.0)
    payments = Payments(
        payments=[
            Payment(
                invoice=Invoice(invoice_id=invoice.invoice_id),
                account=Account(code="090"),
                amount=60,
                date=date(2026, 3, 3),
            ),
            Payment(
                invoice=Invoice(invoice_id=invoice.invoice_id),
                account=Account(code="090"),
                amount=60,
                date=date(2026, 3, 3),
            ),
        ]
    )
    result = xero_sdk.accounting.create_payments(
        xero_sdk.tenant_id, payments, summarize_errors=False, **_t(xero_sdk)
    )
    ok, failed = result.payments
    assert ok.status_attribute_string == "OK"
    assert ok.payment_id
    assert failed.status_attribute_string == "ERROR"
    assert [e.message for e in failed.validation_errors] == [Msg.PAYMENT_EXCEEDS]
    assert xero_fake.amount_due(invoice.invoice_id) == D("40.00")


def test_deleting_a_payment_restores_amount_due(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 80.0)
    payment = _pay(xero_sdk, invoice.invoice_id, 80.0).payments[0]
    assert xero_fake.invoice(invoice.invoice_id).status == "PAID"  # type: ignore[union-attr]

    deleted = xero_sdk.accounting.delete_payment(
        xero_sdk.tenant_id, payment.payment_id, PaymentDelete(status="DELETED"), **_t(xero_sdk)
    ).payments[0]
    assert deleted.status == "DELETED"

    fetched = xero_sdk.accounting.get_invoice(
        xero_sdk.tenant_id, invoice.invoice_id, **_t(xero_sdk)
    ).invoices[0]
    assert (fetched.status, fetched.amount_due, fetched.amount_paid) == (
        "AUTHORISED",
        D("80.00"),
        D("0.00"),
    )

    with pytest.raises(AccountingBadRequestException) as caught:
        xero_sdk.accounting.delete_payment(
            xero_sdk.tenant_id, payment.payment_id, PaymentDelete(status="DELETED"), **_t(xero_sdk)
        )
    assert caught.value.reason == Msg.PAYMENT_NOT_MODIFIABLE


def test_unknown_invoice_id_is_404(xero_sdk: SdkClient) -> None:
    with pytest.raises(NotFoundException):
        xero_sdk.accounting.get_invoice(
            xero_sdk.tenant_id, "00000000-0000-0000-0000-000000000001", **_t(xero_sdk)
        )


# ----------------------------------------------------------------------------- idempotency


def test_idempotent_replay_returns_original_without_creating(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 100.0)

    first = _pay(xero_sdk, invoice.invoice_id, 30.0, idempotency_key="pay-appt-42")
    replay = _pay(xero_sdk, invoice.invoice_id, 30.0, idempotency_key="pay-appt-42")

    assert replay.payments[0].payment_id == first.payments[0].payment_id
    assert len(xero_fake.payments_for_invoice(invoice.invoice_id)) == 1
    assert xero_fake.requests_to("/Payments", "PUT")[-1].outcome == "replayed"

    with pytest.raises(AccountingBadRequestException) as caught:
        _pay(xero_sdk, invoice.invoice_id, 31.0, idempotency_key="pay-appt-42")
    assert "is used with a different request" in caught.value.reason

    xero_fake.clock.advance(minutes=6)
    _pay(
        xero_sdk, invoice.invoice_id, 30.0, idempotency_key="pay-appt-42"
    )  # key expired: new payment
    assert len(xero_fake.payments_for_invoice(invoice.invoice_id)) == 2


def test_connection_dropped_after_commit_then_idempotent_retry(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 100.0)
    xero_fake.drop_connection_next(after_commit=True, path="/Payments")

    with pytest.raises(urllib3.exceptions.ProtocolError):
        _pay(xero_sdk, invoice.invoice_id, 25.0, idempotency_key="k-drop")
    assert len(xero_fake.payments_for_invoice(invoice.invoice_id)) == 1  # it landed

    retry = _pay(xero_sdk, invoice.invoice_id, 25.0, idempotency_key="k-drop")
    assert (
        retry.payments[0].payment_id
        == xero_fake.payments_for_invoice(invoice.invoice_id)[0].payment_id
    )
    assert len(xero_fake.payments_for_invoice(invoice.invoice_id)) == 1


def test_response_delayed_past_client_timeout_after_commit(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    contact_id = _contact(xero_sdk)
    impatient = make_sdk_client(xero_fake, timeout=(1.0, 0.3))
    xero_fake.delay_response_next(seconds=5, path="/Invoices")
    try:
        with pytest.raises(urllib3.exceptions.ReadTimeoutError):
            _invoice(impatient, contact_id, number="FD-T")
        assert xero_fake.wait_until_response_held()  # held after the commit
    finally:
        xero_fake.release_delayed_responses()
    assert xero_fake.invoice_by_number("FD-T") is not None  # it landed anyway


# ----------------------------------------------------------------------------- limits and faults


def test_minute_limit_gives_429_with_retry_after(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    for _ in range(60):
        _, _status, headers = xero_sdk.accounting.get_organisations(
            xero_sdk.tenant_id, _return_http_data_only=False, **_t(xero_sdk)
        )
    assert headers["X-MinLimit-Remaining"] == "0"
    assert headers["X-DayLimit-Remaining"] == "4940"

    xero_fake.clock.advance(seconds=15)
    with pytest.raises(RateLimitException) as caught:
        xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))
    assert caught.value.status == 429
    assert caught.value.rate_limit == "minute"
    assert caught.value.headers["Retry-After"] == "45"

    xero_fake.clock.advance(seconds=45)
    xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))


def test_daily_limit_and_concurrent_limit(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    xero_fake.limits.day = 3
    for _ in range(3):
        xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))
    with pytest.raises(RateLimitException) as caught:
        xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))
    assert caught.value.rate_limit == "day"
    assert int(caught.value.headers["Retry-After"]) > 23 * 3600

    xero_fake.limits.day = 5000
    xero_fake.pause_requests()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            make_sdk_client(xero_fake).accounting.get_organisations(
                xero_fake.tenant_id, _request_timeout=(2, 10)
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    try:
        assert xero_fake.wait_for_paused_requests(5)
        with pytest.raises(RateLimitException) as caught:
            xero_sdk.accounting.get_organisations(xero_sdk.tenant_id, **_t(xero_sdk))
        assert caught.value.rate_limit == "concurrent"
    finally:
        xero_fake.resume_requests()
        for t in threads:
            t.join(5)
    assert errors == []


def test_injected_failures_and_throttles(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    xero_fake.fail_next(1, status=503)
    with pytest.raises(HTTPStatusException) as caught:
        xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk))
    assert caught.value.status == 503

    xero_fake.throttle_next(1, retry_after=3600, problem="day")
    with pytest.raises(RateLimitException) as throttled:
        xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk))
    assert (throttled.value.rate_limit, throttled.value.headers["Retry-After"]) == ("day", "3600")

    assert xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk)).contacts == []


def _calls_at_random(xero_fake: XeroFake, sdk: SdkClient, seed: int) -> list[str]:
    """25 reads with faults at high rates: what each one met."""
    xero_fake.clock.advance(minutes=2)  # a fresh minute of Xero's call limit
    xero_fake.fail_at_random(seed=seed, server_errors=0.2, throttles=0.2, lost_responses=0.2)
    met: list[str] = []
    for _ in range(25):
        try:
            sdk.accounting.get_contacts(sdk.tenant_id, **_t(sdk))
            met.append("ok")
        except RateLimitException:
            met.append("429")
        except HTTPStatusException as exc:
            met.append(str(exc.status))
        except urllib3.exceptions.ProtocolError:
            met.append("lost response")
    xero_fake.clear_faults()
    return met


def test_faults_at_random_follow_their_rates_and_replay_from_the_seed(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    first = _calls_at_random(xero_fake, xero_sdk, seed=7)
    again = _calls_at_random(xero_fake, xero_sdk, seed=7)
    other = _calls_at_random(xero_fake, xero_sdk, seed=8)

    assert first == again
    assert other != first
    kinds = {"5xx" if m[0] == "5" else m for m in first}
    assert kinds == {"ok", "429", "5xx", "lost response"}
    assert xero_sdk.accounting.get_contacts(xero_sdk.tenant_id, **_t(xero_sdk)).contacts == []


def test_a_response_lost_at_random_was_applied(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    rates = xero_fake.fail_at_random(seed=1, lost_responses=1.0)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        _contact(xero_sdk)
    assert rates.injected == {"lost response": 1}
    assert len(xero_fake.state.contacts) == 1  # Xero made it; the answer never came


# ----------------------------------------------------------------------------- prepayments, overpayments, credit notes


def test_prepayment_allocation_pays_invoice(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    prepayment_id = _prepayment(xero_sdk, contact_id, 300.0)
    invoice = _invoice(xero_sdk, contact_id, 120.0)

    allocation = _allocate(xero_sdk, prepayment_id, invoice.invoice_id, 120.0).allocations[0]
    assert allocation.allocation_id
    assert allocation.amount == D("120.00")

    fetched = xero_sdk.accounting.get_invoice(
        xero_sdk.tenant_id, invoice.invoice_id, **_t(xero_sdk)
    ).invoices[0]
    assert (fetched.status, fetched.amount_due, fetched.amount_credited) == (
        "PAID",
        D("0.00"),
        D("120.00"),
    )
    assert fetched.prepayments[0].applied_amount == D("120.00")

    prepayment = xero_sdk.accounting.get_prepayment(
        xero_sdk.tenant_id, prepayment_id, **_t(xero_sdk)
    ).prepayments[0]
    assert (prepayment.status, prepayment.remaining_credit, prepayment.total) == (
        "AUTHORISED",
        D("180.00"),
        D("300.00"),
    )
    assert [a.allocation_id for a in prepayment.allocations] == [allocation.allocation_id]


def test_allocation_above_remaining_credit_is_refused(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    contact_id = _contact(xero_sdk)
    prepayment_id = _prepayment(xero_sdk, contact_id, 100.0)
    invoice = _invoice(xero_sdk, contact_id, 150.0)

    with pytest.raises(AccountingBadRequestException) as caught:
        _allocate(xero_sdk, prepayment_id, invoice.invoice_id, 100.01)
    assert _error_messages(caught.value) == [Msg.ALLOC_EXCEEDS_CREDIT]

    small = _invoice(xero_sdk, contact_id, 20.0)
    with pytest.raises(AccountingBadRequestException) as caught:
        _allocate(xero_sdk, prepayment_id, small.invoice_id, 25.0)
    assert _error_messages(caught.value) == [Msg.ALLOC_EXCEEDS_DUE]

    prepayment = xero_fake.prepayment(prepayment_id)
    assert prepayment is not None
    assert xero_fake.remaining_credit(prepayment) == D("100.00")


def test_deleting_an_allocation_restores_credit_and_amount_due(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    contact_id = _contact(xero_sdk)
    prepayment_id = _prepayment(xero_sdk, contact_id, 120.0)
    invoice = _invoice(xero_sdk, contact_id, 120.0)
    allocation = _allocate(xero_sdk, prepayment_id, invoice.invoice_id, 120.0).allocations[0]
    assert xero_fake.prepayment(prepayment_id).status == "PAID"  # type: ignore[union-attr]

    # As with Xero: the allocation is deleted, then the SDK cannot read the answer
    # (an envelope, read as a bare Allocation: xero-python issue 159).
    with pytest.raises(ValueError, match="invoice"):
        xero_sdk.accounting.delete_prepayment_allocations(
            xero_sdk.tenant_id, prepayment_id, allocation.allocation_id, **_t(xero_sdk)
        )
    [reply] = [r.response_json for r in xero_fake.requests_to("/Allocations/", "DELETE")]
    assert reply is not None
    assert reply["Status"] == "OK"
    assert reply["Allocations"][0]["IsDeleted"] is True
    assert reply["Allocations"][0]["Invoice"]["InvoiceID"] == invoice.invoice_id

    prepayment = xero_sdk.accounting.get_prepayment(
        xero_sdk.tenant_id, prepayment_id, **_t(xero_sdk)
    ).prepayments[0]
    assert (prepayment.status, prepayment.remaining_credit, prepayment.allocations) == (
        "AUTHORISED",
        D("120.00"),
        [],
    )
    fetched = xero_sdk.accounting.get_invoice(
        xero_sdk.tenant_id, invoice.invoice_id, **_t(xero_sdk)
    ).invoices[0]
    assert (fetched.status, fetched.amount_due) == ("AUTHORISED", D("120.00"))


def test_overpayment_and_credit_note_allocations(xero_fake: XeroFake, xero_sdk: SdkClient) -> None:
    contact_id = _contact(xero_sdk)
    invoice = _invoice(xero_sdk, contact_id, 100.0)

    over = BankTransaction(
        type="RECEIVE-OVERPAYMENT",
        contact=Contact(contact_id=contact_id),
        bank_account=Account(code="090"),
        line_amount_types=LineAmountTypes.NOTAX,
        line_items=[LineItem(description="Overpaid", unit_amount=30, account_code="610")],
    )
    bt = xero_sdk.accounting.create_bank_transactions(
        xero_sdk.tenant_id, BankTransactions(bank_transactions=[over]), **_t(xero_sdk)
    )
    overpayment_id = bt.bank_transactions[0].overpayment_id
    xero_sdk.accounting.create_overpayment_allocations(
        xero_sdk.tenant_id,
        overpayment_id,
        Allocations(
            allocations=[
                Allocation(
                    invoice=Invoice(invoice_id=invoice.invoice_id), amount=30, date=date(2026, 3, 5)
                )
            ]
        ),
        **_t(xero_sdk),
    )

    note = CreditNote(
        type="ACCRECCREDIT",
        contact=Contact(contact_id=contact_id),
        date=date(2026, 3, 5),
        status="AUTHORISED",
        line_items=[
            LineItem(
                description="Goodwill", unit_amount=70, account_code="200", tax_type="EXEMPTOUTPUT"
            )
        ],
    )
    credit = xero_sdk.accounting.create_credit_notes(
        xero_sdk.tenant_id, CreditNotes(credit_notes=[note]), **_t(xero_sdk)
    ).credit_notes[0]
    assert (credit.credit_note_number, credit.remaining_credit) == ("CN-0001", D("70.00"))
    xero_sdk.accounting.create_credit_note_allocation(
        xero_sdk.tenant_id,
        credit.credit_note_id,
        Allocations(
            allocations=[
                Allocation(
                    invoice=Invoice(invoice_id=invoice.invoice_id), amount=70, date=date(2026, 3, 5)
                )
            ]
        ),
        **_t(xero_sdk),
    )
    fetched = xero_sdk.accounting.get_invoice(
        xero_sdk.tenant_id, invoice.invoice_id, **_t(xero_sdk)
    ).invoices[0]
    assert (fetched.status, fetched.amount_credited) == ("PAID", D("100.00"))
    assert [c.applied_amount for c in fetched.credit_notes] == [D("70.00")]
    assert [o.applied_amount for o in fetched.overpayments] == [D("30.00")]


# ----------------------------------------------------------------------------- schema checks


def test_requests_are_checked_against_xero_openapi(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    xero_fake.fail_on_schema_violations = False  # this test sends a bad body on purpose
    invoice = _invoice(xero_sdk, _contact(xero_sdk), 50.0)
    assert xero_fake.schema_violations == []

    bad = {
        "Payments": [
            {
                "Invoice": {"InvoiceId": invoice.invoice_id},
                "Account": {"Code": "090"},
                "Amount": "ten",
            }
        ]
    }
    response = httpx.put(
        f"{xero_fake.api_url}/Payments",
        headers={
            "Authorization": f"Bearer {xero_sdk.token['access_token']}",
            "xero-tenant-id": xero_fake.tenant_id,
        },
        content=json.dumps(bad),
    )
    assert response.status_code == 400  # Xero itself refuses: no invoice identified

    found = {(v.pointer, v.message) for v in xero_fake.schema_violations}
    assert (
        "Payments/0/Invoice",
        "Additional properties are not allowed ('InvoiceId' was unexpected)",
    ) in found
    assert ("Payments/0/Amount", "'ten' is not of type 'number'") in found
    with pytest.raises(AssertionError):
        xero_fake.assert_no_schema_violations()


def test_a_call_the_fake_does_not_implement_is_noted(
    xero_fake: XeroFake, xero_sdk: SdkClient
) -> None:
    """The fixtures fail a test whose code called what the fake does not implement."""
    from xero_python.exceptions import ApiException

    with pytest.raises(ApiException) as raised:
        xero_sdk.accounting.get_items(xero_sdk.tenant_id, **_t(xero_sdk))
    assert raised.value.status == 501
    assert [r.path for r in xero_fake.unhandled_requests] == ["/api.xro/2.0/Items"]
    xero_fake._unhandled.clear()  # noted; this test wanted it
