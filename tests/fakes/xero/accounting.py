"""Accounting API endpoints (``/api.xro/2.0``): routing, request parsing, replies.

Each handler gets a ``Call`` (tenant state, parsed body, query, fake time)
and returns a ``Reply``; business rules are in ``rules.py`` and JSON shapes
in ``render.py``. Batch writes follow Xero's ``summarizeErrors`` semantics:

* default (``summarizeErrors`` true/absent): any invalid element fails the
  whole request with 400 ValidationException listing the failing elements,
  and nothing is saved;
* ``summarizeErrors=false``: 200, every element returned with
  ``StatusAttributeString`` OK/ERROR and its ``ValidationErrors``; the valid
  ones are saved.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

from . import render, rules
from .filters import FilterError, apply_order, compile_where
from .state import (
    CREDIT_KINDS,
    Account,
    BankTransaction,
    Contact,
    CreditDoc,
    CreditKind,
    Invoice,
    Payment,
    TaxRate,
    TenantState,
)

API_BASE = "/api.xro/2.0"
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"


@dataclass
class Call:
    st: TenantState
    method: str
    params: dict[str, str]  # path parameters
    query: dict[str, str]  # lower-cased names
    headers: dict[str, str]  # lower-cased names
    body: Any
    now: datetime

    def q(self, name: str) -> str | None:
        return self.query.get(name.lower())

    @property
    def summarize(self) -> bool:
        value = self.q("summarizeErrors")
        return value is None or value.strip().lower() != "false"

    @property
    def unitdp(self) -> int:
        return 4 if self.q("unitdp") == "4" else 2

    def ctx(self) -> rules.Ctx:
        return rules.Ctx(self.st, self.now, self.unitdp)


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able object, or str for text bodies
    headers: dict[str, str] = field(default_factory=dict)


class BadRequest(Exception):
    """A request Xero rejects before applying business rules."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("Message", "bad request"))
        self.body = body


def post_data_invalid(message: str) -> BadRequest:
    return BadRequest({"ErrorNumber": 17, "Type": "PostDataInvalidException", "Message": message})


def not_found() -> Reply:
    return Reply(404, NOT_FOUND_TEXT)


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str  # spec path under /api.xro/2.0, e.g. /Invoices/{InvoiceID}
    handler: Callable[[Call], Reply]


_ROUTES: list[Route] = []


def route(
    method: str, template: str
) -> Callable[[Callable[[Call], Reply]], Callable[[Call], Reply]]:
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$"

    def deco(fn: Callable[[Call], Reply]) -> Callable[[Call], Reply]:
        _ROUTES.append(Route(method, re.compile(regex, re.IGNORECASE), template, fn))
        return fn

    return deco


_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def match(method: str, sub_path: str) -> tuple[Route, dict[str, str], str] | None:
    """Find the route for a path below ``/api.xro/2.0``; also return the
    path re-cased to the spec's template (for OpenAPI validation)."""
    path_exists = False
    for r in _ROUTES:
        m = r.pattern.match(sub_path)
        if not m:
            continue
        path_exists = True
        if r.method != method:
            continue
        params = {k: unquote(v) for k, v in m.groupdict().items()}
        spec_template = r.template
        if spec_template == "/Contacts/{ContactID}" and not _UUID_RE.match(params["ContactID"]):
            spec_template = "/Contacts/{ContactNumber}"
        spec_path = spec_template
        for value in params.values():
            head, _, tail = spec_path.partition("{")
            spec_path = head + value + tail.partition("}")[2]
        return r, params, API_BASE + spec_path
    if path_exists:
        raise MethodNotAllowed()
    return None


class MethodNotAllowed(Exception):
    pass


# --------------------------------------------------------------------------- shared list plumbing


def _split_csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _if_modified_since(call: Call) -> datetime | None:
    raw = call.headers.get("if-modified-since")
    if not raw:
        return None
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _listing(
    call: Call,
    key: str,
    items: Iterable[Any],
    view: Callable[[Any], dict[str, Any]],
    out: Callable[[Any, bool], dict[str, Any]],
    *,
    paged_lines: bool = False,
) -> Reply:
    """Filter (where/If-Modified-Since), order, page and render a list."""
    pairs = [(view(item), item) for item in items]
    since = _if_modified_since(call)
    if since is not None:
        pairs = [
            (v, i) for v, i in pairs if v.get("UpdatedDateUTC") and v["UpdatedDateUTC"] >= since
        ]
    where = call.q("where")
    try:
        if where:
            pred = compile_where(where)
            pairs = [(v, i) for v, i in pairs if pred(v)]
        order = call.q("order")
        if order:
            by_view = {id(v): i for v, i in pairs}
            pairs = [(v, by_view[id(v)]) for v in apply_order([v for v, _ in pairs], order)]
    except FilterError as exc:
        raise BadRequest(
            render.validation_exception(
                [
                    {
                        "ValidationErrors": [
                            {"Message": f"The where or order clause could not be parsed: {exc}"}
                        ]
                    }
                ]
            )
        ) from exc
    pagination = None
    page_raw = call.q("page")
    if page_raw is not None:
        try:
            page = max(1, int(page_raw))
            size = int(call.q("pageSize") or 100)
        except ValueError as exc:
            raise post_data_invalid("page and pageSize must be integers") from exc
        size = min(max(size, 1), 1000)
        total = len(pairs)
        pagination = {
            "page": page,
            "pageSize": size,
            "pageCount": (total + size - 1) // size,
            "itemCount": total,
        }
        pairs = pairs[(page - 1) * size : page * size]
    with_lines = page_raw is not None or not paged_lines
    items_json = [out(i, with_lines) for _, i in pairs]
    return Reply(200, render.envelope(key, items_json, call.now, pagination=pagination))


def _elements(call: Call, key: str, *, single_ok: bool = False) -> list[dict[str, Any]]:
    body = call.body
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return [e if isinstance(e, dict) else {} for e in body[key]]
    if single_ok and isinstance(body, dict) and key not in body:
        return [body]
    raise post_data_invalid(f"The request body must be a JSON object with a '{key}' array.")


def _batch(
    call: Call,
    key: str,
    elements: list[dict[str, Any]],
    apply: Callable[[rules.Ctx, dict[str, Any]], rules.Outcome],
    out: Callable[[Any], dict[str, Any]],
) -> Reply:
    """Apply elements in order with Xero's summarizeErrors semantics."""
    st = call.st
    snapshot = copy.deepcopy(st) if call.summarize else None
    ctx = call.ctx()
    results: list[tuple[dict[str, Any], rules.Outcome]] = []
    for el in elements:
        results.append((el, apply(ctx, el)))
    if call.summarize:
        failed = [render.failed_element(el, o.errors) for el, o in results if not o.ok]
        if failed:
            assert snapshot is not None
            st.__dict__.update(snapshot.__dict__)
            return Reply(400, render.validation_exception(failed))
        return Reply(200, render.envelope(key, [out(o.entity) for _, o in results], call.now))
    items = []
    for el, o in results:
        if o.ok:
            item = out(o.entity)
            item["StatusAttributeString"] = "OK"
            items.append(item)
        else:
            items.append(render.failed_element(el, o.errors, summarize=False))
    return Reply(200, render.envelope(key, items, call.now))


def _single(
    call: Call,
    key: str,
    fn: Callable[[], rules.Outcome],
    out: Callable[[Any], dict[str, Any]],
    *,
    submitted: Any = None,
) -> Reply:
    """A one-document write: 404 for unknown URL ids, 400 for rule failures."""
    snapshot = copy.deepcopy(call.st)
    try:
        outcome = fn()
    except rules.NotFound:
        return not_found()
    if not outcome.ok:
        call.st.__dict__.update(snapshot.__dict__)
        return Reply(
            400,
            render.validation_exception([render.failed_element(submitted or {}, outcome.errors)]),
        )
    return Reply(200, render.envelope(key, [out(outcome.entity)], call.now))


# --------------------------------------------------------------------------- filter views


def _contact_brief_view(st: TenantState, contact_id: str) -> dict[str, Any]:
    c = st.contacts.get(contact_id)
    if c is None:
        return {"ContactID": contact_id}
    return {
        "ContactID": c.contact_id,
        "Name": c.name,
        "ContactNumber": c.contact_number,
        "EmailAddress": c.email_address,
    }


def contact_view(c: Contact) -> dict[str, Any]:
    return {
        "ContactID": c.contact_id,
        "Name": c.name,
        "ContactNumber": c.contact_number,
        "AccountNumber": c.account_number,
        "FirstName": c.first_name,
        "LastName": c.last_name,
        "EmailAddress": c.email_address,
        "ContactStatus": c.status,
        "IsCustomer": c.is_customer,
        "IsSupplier": c.is_supplier,
        "UpdatedDateUTC": c.updated,
    }


def invoice_view(st: TenantState, inv: Invoice) -> dict[str, Any]:
    return {
        "InvoiceID": inv.invoice_id,
        "InvoiceNumber": inv.invoice_number,
        "Reference": inv.reference,
        "Type": inv.type,
        "Status": inv.status,
        "Date": inv.date,
        "DueDate": inv.due_date,
        "Contact": _contact_brief_view(st, inv.contact_id),
        "AmountDue": st.amount_due(inv),
        "AmountPaid": st.amount_paid(inv),
        "AmountCredited": st.amount_credited(inv),
        "SubTotal": inv.totals.sub_total,
        "TotalTax": inv.totals.total_tax,
        "Total": inv.totals.total,
        "CurrencyCode": inv.currency_code,
        "SentToContact": inv.sent_to_contact,
        "FullyPaidOnDate": inv.fully_paid_on_date,
        "UpdatedDateUTC": inv.updated,
    }


def payment_view(st: TenantState, p: Payment) -> dict[str, Any]:
    acc = st.accounts.get(p.account_id)
    view: dict[str, Any] = {
        "PaymentID": p.payment_id,
        "Date": p.date,
        "Amount": p.amount,
        "Reference": p.reference,
        "Status": p.status,
        "PaymentType": p.payment_type,
        "IsReconciled": p.is_reconciled,
        "UpdatedDateUTC": p.updated,
        "Account": {"AccountID": p.account_id, "Code": acc.code if acc else None},
    }
    if p.target_kind == "invoice":
        inv = st.invoices.get(p.target_id)
        view["Invoice"] = {
            "InvoiceID": p.target_id,
            "InvoiceNumber": inv.invoice_number if inv else None,
            "Contact": _contact_brief_view(st, inv.contact_id) if inv else {},
        }
    else:
        view[render.ENTITY_NAME[p.target_kind]] = {render.ID_FIELD[p.target_kind]: p.target_id}
    return view


def credit_doc_view(st: TenantState, doc: CreditDoc) -> dict[str, Any]:
    return {
        render.ID_FIELD[doc.kind]: doc.doc_id,
        "CreditNoteNumber": doc.number,
        "Type": doc.type,
        "Status": doc.status,
        "Date": doc.date,
        "Reference": doc.reference,
        "Total": doc.totals.total,
        "RemainingCredit": st.remaining_credit(doc),
        "Contact": _contact_brief_view(st, doc.contact_id),
        "UpdatedDateUTC": doc.updated,
    }


def bank_transaction_view(st: TenantState, bt: BankTransaction) -> dict[str, Any]:
    acc = st.accounts.get(bt.bank_account_id)
    return {
        "BankTransactionID": bt.bank_transaction_id,
        "Type": bt.type,
        "Status": bt.status,
        "Date": bt.date,
        "Reference": bt.reference,
        "Total": bt.totals.total,
        "IsReconciled": bt.is_reconciled,
        "Contact": _contact_brief_view(st, bt.contact_id),
        "BankAccount": {"AccountID": bt.bank_account_id, "Code": acc.code if acc else None},
        "PrepaymentID": bt.prepayment_id,
        "OverpaymentID": bt.overpayment_id,
        "UpdatedDateUTC": bt.updated,
    }


def account_view(acc: Account) -> dict[str, Any]:
    return {
        "AccountID": acc.account_id,
        "Code": acc.code,
        "Name": acc.name,
        "Type": acc.type,
        "Status": acc.status,
        "TaxType": acc.tax_type,
        "Class": acc.account_class,
        "SystemAccount": acc.system_account,
        "EnablePaymentsToAccount": acc.enable_payments_to_account,
        "BankAccountNumber": acc.bank_account_number,
        "UpdatedDateUTC": acc.updated,
    }


def tax_rate_view(tr: TaxRate) -> dict[str, Any]:
    return {
        "TaxType": tr.tax_type,
        "Name": tr.name,
        "Status": tr.status,
        "ReportTaxType": tr.report_tax_type,
        "EffectiveRate": tr.rate,
    }


# --------------------------------------------------------------------------- settings


@route("GET", "/Organisation")
def get_organisation(call: Call) -> Reply:
    return Reply(200, render.envelope("Organisations", [render.organisation(call.st)], call.now))


@route("GET", "/Accounts")
def get_accounts(call: Call) -> Reply:
    return _listing(
        call, "Accounts", call.st.accounts.values(), account_view, lambda a, _: render.account(a)
    )


@route("GET", "/Accounts/{AccountID}")
def get_account(call: Call) -> Reply:
    acc = call.st.accounts.get(call.params["AccountID"])
    if acc is None:
        return not_found()
    return Reply(200, render.envelope("Accounts", [render.account(acc)], call.now))


@route("GET", "/TaxRates")
def get_tax_rates(call: Call) -> Reply:
    return _listing(
        call, "TaxRates", call.st.tax_rates.values(), tax_rate_view, lambda t, _: render.tax_rate(t)
    )


@route("GET", "/TaxRates/{TaxType}")
def get_tax_rate(call: Call) -> Reply:
    tr = call.st.tax_rates.get(call.params["TaxType"])
    if tr is None:
        return not_found()
    return Reply(200, render.envelope("TaxRates", [render.tax_rate(tr)], call.now))


# --------------------------------------------------------------------------- contacts


@route("GET", "/Contacts")
def get_contacts(call: Call) -> Reply:
    st = call.st
    items: list[Contact] = list(st.contacts.values())
    ids = {i.lower() for i in _split_csv(call.q("IDs"))}
    if ids:
        items = [c for c in items if c.contact_id.lower() in ids]
    if (call.q("includeArchived") or "").lower() != "true":
        items = [c for c in items if c.status != "ARCHIVED"]
    term = (call.q("searchTerm") or "").lower()
    if term:
        items = [
            c
            for c in items
            if any(
                term in (v or "").lower()
                for v in (c.name, c.first_name, c.last_name, c.contact_number, c.email_address)
            )
        ]
    return _listing(call, "Contacts", items, contact_view, lambda c, _: render.contact(c))


@route("GET", "/Contacts/{ContactID}")
def get_contact(call: Call) -> Reply:
    key = call.params["ContactID"]
    c = call.st.contacts.get(key) or call.st.contact_by_number(key)
    if c is None:
        return not_found()
    return Reply(200, render.envelope("Contacts", [render.contact(c)], call.now))


@route("PUT", "/Contacts")
def put_contacts(call: Call) -> Reply:
    return _batch(
        call,
        "Contacts",
        _elements(call, "Contacts"),
        lambda ctx, el: rules.save_contact(ctx, el, allow_update=False),
        render.contact,
    )


@route("POST", "/Contacts")
def post_contacts(call: Call) -> Reply:
    return _batch(
        call,
        "Contacts",
        _elements(call, "Contacts"),
        lambda ctx, el: rules.save_contact(ctx, el, allow_update=True),
        render.contact,
    )


@route("POST", "/Contacts/{ContactID}")
def post_contact(call: Call) -> Reply:
    st = call.st
    existing = st.contacts.get(call.params["ContactID"])
    if existing is None:
        return not_found()
    els = _elements(call, "Contacts")
    el = dict(els[0]) if els else {}
    el["ContactID"] = existing.contact_id
    return _single(
        call,
        "Contacts",
        lambda: rules.save_contact(call.ctx(), el, allow_update=True),
        render.contact,
        submitted=el,
    )


# --------------------------------------------------------------------------- invoices


@route("GET", "/Invoices")
def get_invoices(call: Call) -> Reply:
    st = call.st
    items: list[Invoice] = sorted(st.invoices.values(), key=lambda i: i.created_seq)
    ids = {i.lower() for i in _split_csv(call.q("IDs"))}
    if ids:
        items = [i for i in items if i.invoice_id.lower() in ids]
    numbers = set(_split_csv(call.q("InvoiceNumbers")))
    if numbers:
        items = [i for i in items if i.invoice_number in numbers]
    contact_ids = {i.lower() for i in _split_csv(call.q("ContactIDs"))}
    if contact_ids:
        items = [i for i in items if i.contact_id.lower() in contact_ids]
    statuses = {s.upper() for s in _split_csv(call.q("Statuses"))}
    if statuses:
        items = [i for i in items if i.status in statuses]
    term = (call.q("searchTerm") or "").lower()
    if term:
        items = [
            i
            for i in items
            if term in (i.invoice_number or "").lower() or term in (i.reference or "").lower()
        ]
    unitdp = call.unitdp
    return _listing(
        call,
        "Invoices",
        items,
        lambda i: invoice_view(st, i),
        lambda i, lines: render.invoice(st, i, with_lines=lines, unitdp=unitdp),
        paged_lines=True,
    )


@route("GET", "/Invoices/{InvoiceID}")
def get_invoice(call: Call) -> Reply:
    inv = rules.find_invoice(call.st, call.params["InvoiceID"])
    if inv is None:
        return not_found()
    return Reply(
        200,
        render.envelope("Invoices", [render.invoice(call.st, inv, unitdp=call.unitdp)], call.now),
    )


def _invoice_out(call: Call) -> Callable[[Any], dict[str, Any]]:
    return lambda inv: render.invoice(call.st, inv, unitdp=call.unitdp)


@route("PUT", "/Invoices")
def put_invoices(call: Call) -> Reply:
    return _batch(
        call,
        "Invoices",
        _elements(call, "Invoices"),
        lambda ctx, el: rules.save_invoice(ctx, el, allow_update=False),
        _invoice_out(call),
    )


@route("POST", "/Invoices")
def post_invoices(call: Call) -> Reply:
    return _batch(
        call,
        "Invoices",
        _elements(call, "Invoices"),
        lambda ctx, el: rules.save_invoice(ctx, el, allow_update=True),
        _invoice_out(call),
    )


@route("POST", "/Invoices/{InvoiceID}")
def post_invoice(call: Call) -> Reply:
    els = _elements(call, "Invoices", single_ok=True)
    el = els[0] if els else {}
    return _single(
        call,
        "Invoices",
        lambda: rules.save_invoice(
            call.ctx(), el, allow_update=True, path_id=call.params["InvoiceID"]
        ),
        _invoice_out(call),
        submitted=el,
    )


# --------------------------------------------------------------------------- payments


@route("GET", "/Payments")
def get_payments(call: Call) -> Reply:
    st = call.st
    return _listing(
        call,
        "Payments",
        st.payments.values(),
        lambda p: payment_view(st, p),
        lambda p, _: render.payment(st, p),
    )


@route("GET", "/Payments/{PaymentID}")
def get_payment(call: Call) -> Reply:
    p = call.st.payments.get(call.params["PaymentID"])
    if p is None:
        return not_found()
    return Reply(200, render.envelope("Payments", [render.payment(call.st, p)], call.now))


@route("PUT", "/Payments")
def put_payments(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "Payments",
        _elements(call, "Payments"),
        rules.create_payment,
        lambda p: render.payment(st, p),
    )


@route("POST", "/Payments")
def post_payments(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "Payments",
        _elements(call, "Payments", single_ok=True),
        rules.create_payment,
        lambda p: render.payment(st, p),
    )


@route("POST", "/Payments/{PaymentID}")
def post_payment(call: Call) -> Reply:
    els = _elements(call, "Payments", single_ok=True)
    el = els[0] if els else {}
    return _single(
        call,
        "Payments",
        lambda: rules.delete_payment(call.ctx(), call.params["PaymentID"], el),
        lambda p: render.payment(call.st, p),
        submitted=el,
    )


# --------------------------------------------------------------------------- bank transactions


@route("GET", "/BankTransactions")
def get_bank_transactions(call: Call) -> Reply:
    st = call.st
    items = sorted(st.bank_transactions.values(), key=lambda b: b.created_seq)
    return _listing(
        call,
        "BankTransactions",
        items,
        lambda b: bank_transaction_view(st, b),
        lambda b, _: render.bank_transaction(st, b, unitdp=call.unitdp),
    )


@route("GET", "/BankTransactions/{BankTransactionID}")
def get_bank_transaction(call: Call) -> Reply:
    bt = call.st.bank_transactions.get(call.params["BankTransactionID"])
    if bt is None:
        return not_found()
    return Reply(
        200,
        render.envelope(
            "BankTransactions", [render.bank_transaction(call.st, bt, unitdp=call.unitdp)], call.now
        ),
    )


@route("PUT", "/BankTransactions")
def put_bank_transactions(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "BankTransactions",
        _elements(call, "BankTransactions"),
        lambda ctx, el: rules.save_bank_transaction(ctx, el, allow_update=False),
        lambda b: render.bank_transaction(st, b, unitdp=call.unitdp),
    )


@route("POST", "/BankTransactions")
def post_bank_transactions(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "BankTransactions",
        _elements(call, "BankTransactions"),
        lambda ctx, el: rules.save_bank_transaction(ctx, el, allow_update=True),
        lambda b: render.bank_transaction(st, b, unitdp=call.unitdp),
    )


@route("POST", "/BankTransactions/{BankTransactionID}")
def post_bank_transaction(call: Call) -> Reply:
    st = call.st
    bt_id = call.params["BankTransactionID"]
    if bt_id not in st.bank_transactions:
        return not_found()
    els = _elements(call, "BankTransactions", single_ok=True)
    el = dict(els[0]) if els else {}
    el["BankTransactionID"] = bt_id
    return _single(
        call,
        "BankTransactions",
        lambda: rules.save_bank_transaction(call.ctx(), el, allow_update=True),
        lambda b: render.bank_transaction(st, b, unitdp=call.unitdp),
        submitted=el,
    )


# --------------------------------------------------------------------------- credit documents


def _credit_list(ck: CreditKind) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        st = call.st
        items = sorted(st.credit_docs(ck.kind).values(), key=lambda d: d.created_seq)
        if ck.kind == "creditnote":
            ids = {i.lower() for i in _split_csv(call.q("IDs"))}
            if ids:
                items = [d for d in items if d.doc_id.lower() in ids]
        refs = set(_split_csv(call.q("References")))
        if refs:
            items = [d for d in items if d.reference in refs]
        return _listing(
            call,
            ck.collection,
            items,
            lambda d: credit_doc_view(st, d),
            lambda d, lines: render.credit_doc(st, d, with_lines=lines, unitdp=call.unitdp),
            paged_lines=ck.kind == "creditnote",
        )

    return handler


def _credit_doc_of(call: Call, ck: CreditKind) -> CreditDoc:
    """The credit document named in the path (rules.NotFound when Xero has none)."""
    return rules.get_credit_doc(call.st, ck.kind, call.params[ck.id_field])


def _credit_get(ck: CreditKind) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        try:
            doc = _credit_doc_of(call, ck)
        except rules.NotFound:
            return not_found()
        body = render.credit_doc(call.st, doc, unitdp=call.unitdp)
        return Reply(200, render.envelope(ck.collection, [body], call.now))

    return handler


def _allocations_put(ck: CreditKind) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        st = call.st
        try:
            doc = _credit_doc_of(call, ck)
        except rules.NotFound:
            return not_found()
        return _batch(
            call,
            "Allocations",
            _elements(call, "Allocations", single_ok=True),
            lambda ctx, el: rules.create_allocation(ctx, ck.kind, doc, el),
            lambda a: render.allocation(st, a),
        )

    return handler


def _allocation_delete(ck: CreditKind) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        st = call.st
        allocation_id = call.params["AllocationID"]
        snapshot = copy.deepcopy(st)
        try:
            doc = _credit_doc_of(call, ck)
            outcome = rules.delete_allocation(call.ctx(), ck.kind, doc, allocation_id)
        except rules.NotFound:
            return not_found()
        if not outcome.ok:
            st.__dict__.update(snapshot.__dict__)
            failed = render.failed_element({"AllocationID": allocation_id}, outcome.errors)
            return Reply(400, render.validation_exception([failed]))
        # Xero answers with the usual envelope around the deleted allocation, while
        # the SDK reads the body as one bare Allocation: it finds no Invoice and raises
        # "Invalid value for `invoice`, must not be `None`" (xero-python issue 159)
        # after Xero has already deleted it.
        deleted = render.allocation(st, outcome.entity, include_source=False)
        return Reply(200, render.envelope("Allocations", [deleted], call.now))

    return handler


# The same four routes for each kind of credit; only the names differ.
for _ck in CREDIT_KINDS.values():
    _one = f"/{_ck.collection}/{{{_ck.id_field}}}"
    route("GET", f"/{_ck.collection}")(_credit_list(_ck))
    route("GET", _one)(_credit_get(_ck))
    route("PUT", f"{_one}/Allocations")(_allocations_put(_ck))
    route("DELETE", f"{_one}/Allocations/{{AllocationID}}")(_allocation_delete(_ck))


@route("PUT", "/CreditNotes")
def put_credit_notes(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "CreditNotes",
        _elements(call, "CreditNotes"),
        lambda ctx, el: rules.save_credit_note(ctx, el, allow_update=False),
        lambda d: render.credit_doc(st, d, unitdp=call.unitdp),
    )


@route("POST", "/CreditNotes")
def post_credit_notes(call: Call) -> Reply:
    st = call.st
    return _batch(
        call,
        "CreditNotes",
        _elements(call, "CreditNotes"),
        lambda ctx, el: rules.save_credit_note(ctx, el, allow_update=True),
        lambda d: render.credit_doc(st, d, unitdp=call.unitdp),
    )


@route("POST", "/CreditNotes/{CreditNoteID}")
def post_credit_note(call: Call) -> Reply:
    st = call.st
    els = _elements(call, "CreditNotes", single_ok=True)
    el = els[0] if els else {}
    return _single(
        call,
        "CreditNotes",
        lambda: rules.save_credit_note(
            call.ctx(), el, allow_update=True, path_id=call.params["CreditNoteID"]
        ),
        lambda d: render.credit_doc(st, d, unitdp=call.unitdp),
        submitted=el,
    )
