"""Xero's business rules: validate one submitted element, then apply it.

Each public function takes a ``Ctx`` (tenant state + fake time) and one
element as sent by the client (a dict of Xero JSON) and returns an
``Outcome``: either the created/updated entity, or the list of validation
messages Xero would return for that element. A function never mutates state
unless the element is valid, so ``summarizeErrors=false`` batches can apply
the good elements and skip the bad ones; the caller snapshots state to make
default (summarised) batches all-or-nothing.

Messages: those marked ``# seen`` appear verbatim in Xero's OpenAPI examples
or in public error reports; the others are best guesses at Xero's wording
(the behaviour is right, the text may differ) - assert on behaviour, or use
these constants, rather than on literal strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .state import (
    CREDIT_KINDS,
    Account,
    Allocation,
    BankTransaction,
    Contact,
    CreditDoc,
    Invoice,
    LineItem,
    Payment,
    TenantState,
    Totals,
    new_id,
)
from .wire import ZERO, lock_date_text, money, parse_date, round_places, to_decimal


class Msg:
    """Validation messages (see module docstring about which are verbatim)."""

    CONTACT_NAME_TAKEN = (  # seen
        "The contact name {name} is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )
    CONTACT_NUMBER_TAKEN = "Another contact has this contact number. Please enter a unique contact number."  # seen (prefix)
    CONTACT_NAME_REQUIRED = "The contact name must be specified."
    CONTACT_REQUIRED = "A Contact must be specified for this type of transaction"  # seen
    CONTACT_NOT_FOUND = "The contact with the specified ContactID could not be found"
    CONTACT_IDENTIFY = (  # seen
        "The Contact must contain at least 1 of the following elements to identify the contact: "
        "Name, ContactID, ContactNumber"
    )
    LINE_ITEMS_REQUIRED = "One or more line items must be specified"  # seen
    INVALID_STATUS_FOR_CREATION = "Invoice not of valid status for creation"  # seen
    INVALID_STATUS_FOR_MODIFICATION = "Invoice not of valid status for modification"  # seen
    HAS_PAYMENTS = (
        "This document cannot be edited as it has a payment or credit note allocated to it."  # seen
    )
    INVOICE_NUMBER_TAKEN = "Invoice # must be unique."  # seen
    CREDIT_NOTE_NUMBER_TAKEN = "Credit Note # must be unique."
    ACCOUNT_CODE_INVALID = "Account code '{code}' is not a valid code for this document."  # seen
    ACCOUNT_CODE_REQUIRED = (
        "Account code must be specified for each line item on an approved document."
    )
    TAX_TYPE_INVALID = (
        "The TaxType code '{tax}' does not exist or cannot be used with this type of transaction."
    )
    QUANTITY_NEGATIVE = (
        "The quantity value '{q}' is invalid. Quantity must not be less than zero."  # seen
    )
    NOT_A_NUMBER = "The value supplied for {field} is not a valid number."
    INVALID_DATE = "The value supplied for {field} is not a valid date."
    TYPE_REQUIRED = "The document type must be specified."
    TYPE_INVALID = "The document type '{type}' is not valid for this endpoint."
    CURRENCY_NOT_SUBSCRIBED = "Organisation is not subscribed to currency {code}"  # seen
    LOCKED_PERIOD = "The document date cannot be before the {lock} lock date, currently set at {date}"  # seen (end of year)
    PAYMENT_EXCEEDS = "Payment amount exceeds the amount outstanding on this document"  # seen
    PAYMENT_NOT_AUTHORISED = "Payments can only be made against Authorised documents"  # seen
    PAYMENT_AMOUNT_POSITIVE = "Payment amount must be greater than zero."
    PAYMENT_DOCUMENT_REQUIRED = (
        "An Invoice, CreditNote, Prepayment or Overpayment must be specified for the payment."
    )
    PAYMENT_DOCUMENT_NOT_FOUND = "The {doc} specified for the payment could not be found."
    PAYMENT_ACCOUNT_REQUIRED = "An Account (AccountID or Code) must be specified for the payment."
    PAYMENT_ACCOUNT_NOT_FOUND = "The Account specified for the payment could not be found."
    PAYMENT_ACCOUNT_TYPE = (
        "Payments can only be made to bank accounts or accounts with payments enabled."
    )
    PAYMENT_NOT_MODIFIABLE = "Payment not of valid status for modification"  # seen
    PAYMENT_RECONCILED = "This payment has been reconciled and cannot be deleted"
    PAYMENT_ONLY_DELETE = "A payment can only be updated to a Status of DELETED."
    BANK_ACCOUNT_REQUIRED = "A bank account must be specified."
    BANK_ACCOUNT_INVALID = "The BankAccount specified is not a valid bank account."
    BANK_TRANSACTION_NOT_MODIFIABLE = "This bank transaction cannot be modified."
    ALLOC_AMOUNT_POSITIVE = "Allocation amount must be greater than zero."
    ALLOC_EXCEEDS_CREDIT = "The amount to allocate exceeds the remaining credit on this document."
    ALLOC_EXCEEDS_DUE = "The amount to allocate exceeds the amount outstanding on the invoice."
    ALLOC_INVOICE_REQUIRED = "An Invoice must be specified for the allocation."
    ALLOC_INVOICE_NOT_FOUND = "The Invoice specified for the allocation could not be found."
    ALLOC_INVOICE_NOT_AUTHORISED = "Allocations can only be made against Authorised invoices."
    ALLOC_SOURCE_NOT_AUTHORISED = "Only Authorised documents can be allocated."
    ALLOC_CONTACT_MISMATCH = (
        "The contact on the invoice must be the same as the contact on the {doc}."
    )
    ALLOC_TYPE_MISMATCH = (
        "A {doc} of type {type} cannot be allocated to an invoice of type {inv_type}."
    )


@dataclass
class Ctx:
    st: TenantState
    now: datetime
    unitdp: int = 2

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class Outcome:
    entity: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class NotFound(Exception):
    """The document in the URL does not exist (HTTP 404)."""


# --------------------------------------------------------------------------- helpers


def _str(el: dict[str, Any], key: str) -> str | None:
    value = el.get(key)
    if value is None:
        return None
    return str(value)


def _ref_id(obj: Any, key: str) -> str | None:
    if isinstance(obj, dict):
        value = obj.get(key)
        if value:
            return str(value)
    return None


def _date(
    el: dict[str, Any], key: str, errors: list[str], default: date | None = None
) -> date | None:
    if el.get(key) in (None, ""):
        return default
    try:
        return parse_date(el[key])
    except ValueError:
        errors.append(Msg.INVALID_DATE.format(field=key))
        return default


def _num(el: dict[str, Any], key: str, errors: list[str]) -> Decimal | None:
    if el.get(key) is None:
        return None
    try:
        return to_decimal(el[key])
    except ValueError:
        errors.append(Msg.NOT_A_NUMBER.format(field=key))
        return None


def _check_lock(ctx: Ctx, when: date | None, errors: list[str]) -> None:
    lock, kind = ctx.st.lock_date()
    if lock is not None and when is not None and when <= lock:
        errors.append(Msg.LOCKED_PERIOD.format(lock=kind, date=lock_date_text(lock)))


def _check_currency(ctx: Ctx, el: dict[str, Any], errors: list[str]) -> str:
    base = ctx.st.organisation.base_currency
    code = _str(el, "CurrencyCode") or base
    if code != base:
        errors.append(Msg.CURRENCY_NOT_SUBSCRIBED.format(code=code))
    return base


def _line_amount_types(el: dict[str, Any], default: str = "Exclusive") -> str:
    value = el.get("LineAmountTypes")
    if isinstance(value, str) and value in ("Exclusive", "Inclusive", "NoTax"):
        return value
    return default


def resolve_account(st: TenantState, ref: Any, *, code_key: str = "Code") -> Account | None:
    """An account from ``{"AccountID": ...}`` or ``{"Code": ...}``."""
    if not isinstance(ref, dict):
        return None
    acc_id = _ref_id(ref, "AccountID")
    if acc_id:
        return st.accounts.get(acc_id)
    code = _ref_id(ref, code_key)
    if code:
        return st.account_by_code(code)
    return None


@dataclass
class _ContactPick:
    contact: Contact | None = None
    new: Contact | None = None

    @property
    def contact_id(self) -> str:
        picked = self.contact or self.new
        assert picked is not None
        return picked.contact_id


def _resolve_contact(ctx: Ctx, raw: Any, errors: list[str]) -> _ContactPick:
    """Find the document's contact; a new Name makes a new contact (on commit)."""
    st = ctx.st
    if not isinstance(raw, dict) or not raw:
        errors.append(Msg.CONTACT_REQUIRED)
        return _ContactPick()
    contact_id = _ref_id(raw, "ContactID")
    if contact_id:
        found = st.contacts.get(contact_id)
        if not found:
            errors.append(Msg.CONTACT_NOT_FOUND)
        return _ContactPick(contact=found)
    number = _ref_id(raw, "ContactNumber")
    if number:
        by_number = st.contact_by_number(number)
        if by_number:
            return _ContactPick(contact=by_number)
    name = (_ref_id(raw, "Name") or "").strip()
    if name:
        by_name = st.contact_by_name(name)
        if by_name:
            return _ContactPick(contact=by_name)
        return _ContactPick(
            new=Contact(contact_id=new_id(), name=name, contact_number=number, updated=ctx.now)
        )
    errors.append(Msg.CONTACT_IDENTIFY)
    return _ContactPick()


def _commit_contact(
    ctx: Ctx, pick: _ContactPick, *, customer: bool = False, supplier: bool = False
) -> str:
    if pick.new is not None:
        ctx.st.contacts[pick.new.contact_id] = pick.new
        pick.contact, pick.new = pick.new, None
    assert pick.contact is not None
    if customer and not pick.contact.is_customer:
        pick.contact.is_customer = True
        pick.contact.updated = ctx.now
    if supplier and not pick.contact.is_supplier:
        pick.contact.is_supplier = True
        pick.contact.updated = ctx.now
    return pick.contact.contact_id


def build_lines(
    ctx: Ctx,
    raw_lines: Any,
    line_amount_types: str,
    errors: list[str],
    *,
    require_accounts: bool,
    existing: list[LineItem] | None = None,
) -> tuple[list[LineItem], Totals]:
    """Line items with Xero's arithmetic: 2 dp money, tax by LineAmountTypes."""
    st = ctx.st
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(Msg.LINE_ITEMS_REQUIRED)
        return [], Totals()
    old_ids = {li.line_item_id for li in existing or []}
    lines: list[LineItem] = []
    for raw in raw_lines:
        if not isinstance(raw, dict):
            errors.append(Msg.LINE_ITEMS_REQUIRED)
            continue
        qty = _num(raw, "Quantity", errors)
        unit = _num(raw, "UnitAmount", errors)
        given_line = _num(raw, "LineAmount", errors)
        discount = _num(raw, "DiscountRate", errors)
        given_tax = _num(raw, "TaxAmount", errors)
        quantity = qty if qty is not None else Decimal("1")
        if quantity < 0:
            errors.append(Msg.QUANTITY_NEGATIVE.format(q=round_places(quantity, 4)))
        if unit is not None:
            unit_amount = round_places(unit, 4 if ctx.unitdp == 4 else 2)
            gross = quantity * unit_amount
            if discount:
                gross = gross * (Decimal("100") - discount) / Decimal("100")
            line_amount = money(gross)
        elif given_line is not None:
            line_amount = money(given_line)
            unit_amount = (
                round_places(line_amount / quantity, 4 if ctx.unitdp == 4 else 2)
                if quantity
                else line_amount
            )
        else:
            unit_amount, line_amount = ZERO, ZERO

        account: Account | None = None
        code = _str(raw, "AccountCode")
        acc_id = _str(raw, "AccountID")
        if code or acc_id:
            account = st.account_by_code(code) if code else st.accounts.get(acc_id or "")
            if account is None or account.status != "ACTIVE" or account.type == "BANK":
                errors.append(Msg.ACCOUNT_CODE_INVALID.format(code=code or acc_id))
                account = None
        elif require_accounts:
            errors.append(Msg.ACCOUNT_CODE_REQUIRED)

        tax_type = _str(raw, "TaxType")
        rate = ZERO
        if tax_type:
            tr = st.tax_rates.get(tax_type)
            if tr is None or tr.status != "ACTIVE":
                errors.append(Msg.TAX_TYPE_INVALID.format(tax=tax_type))
            else:
                rate = tr.rate
        elif account is not None:
            tax_type = account.tax_type
            tr = st.tax_rates.get(tax_type)
            rate = tr.rate if tr else ZERO
        if line_amount_types == "NoTax":
            tax = ZERO
        elif given_tax is not None:
            tax = money(given_tax)
        elif line_amount_types == "Inclusive":
            tax = money(line_amount * rate / (Decimal("100") + rate))
        else:
            tax = money(line_amount * rate / Decimal("100"))

        line_id = _str(raw, "LineItemID")
        if not line_id or line_id not in old_ids:
            line_id = new_id()
        tracking = raw.get("Tracking") if isinstance(raw.get("Tracking"), list) else []
        lines.append(
            LineItem(
                line_item_id=line_id,
                description=_str(raw, "Description"),
                quantity=quantity,
                unit_amount=unit_amount,
                line_amount=line_amount,
                tax_amount=tax,
                account_code=account.code if account else None,
                account_id=account.account_id if account else None,
                tax_type=tax_type,
                item_code=_str(raw, "ItemCode"),
                discount_rate=discount,
                tracking=list(tracking or []),
            )
        )
    return lines, compute_totals(lines, line_amount_types)


def compute_totals(lines: list[LineItem], line_amount_types: str) -> Totals:
    line_sum = sum((li.line_amount for li in lines), ZERO)
    tax_sum = sum((li.tax_amount for li in lines), ZERO)
    if line_amount_types == "Inclusive":
        return Totals(sub_total=line_sum - tax_sum, total_tax=tax_sum, total=line_sum)
    return Totals(sub_total=line_sum, total_tax=tax_sum, total=line_sum + tax_sum)


# --------------------------------------------------------------------------- contacts


def save_contact(ctx: Ctx, el: dict[str, Any], *, allow_update: bool) -> Outcome:
    """PUT /Contacts (create) and POST /Contacts (create or update)."""
    st = ctx.st
    errors: list[str] = []
    existing: Contact | None = None
    contact_id = _str(el, "ContactID")
    if contact_id:
        existing = st.contacts.get(contact_id)
        if existing is None:
            errors.append(Msg.CONTACT_NOT_FOUND)
            return Outcome(errors=errors)
    elif allow_update and _str(el, "ContactNumber"):
        existing = st.contact_by_number(str(el["ContactNumber"]))

    name = (_str(el, "Name") or (existing.name if existing else "")).strip()
    if not name:
        errors.append(Msg.CONTACT_NAME_REQUIRED)
    else:
        other = st.contact_by_name(name)
        status = _str(el, "ContactStatus") or (existing.status if existing else "ACTIVE")
        if (
            other is not None
            and (existing is None or other.contact_id != existing.contact_id)
            and status == "ACTIVE"
        ):
            errors.append(Msg.CONTACT_NAME_TAKEN.format(name=name))
    number = _str(el, "ContactNumber")
    if number:
        other_n = st.contact_by_number(number)
        if other_n is not None and (existing is None or other_n.contact_id != existing.contact_id):
            errors.append(Msg.CONTACT_NUMBER_TAKEN)
    if errors:
        return Outcome(errors=errors)

    c = existing or Contact(contact_id=new_id(), name=name)
    c.name = name
    for attr, key in (
        ("contact_number", "ContactNumber"),
        ("first_name", "FirstName"),
        ("last_name", "LastName"),
        ("email_address", "EmailAddress"),
        ("account_number", "AccountNumber"),
    ):
        if key in el:
            setattr(c, attr, _str(el, key))
    if _str(el, "ContactStatus") in ("ACTIVE", "ARCHIVED"):
        c.status = str(el["ContactStatus"])
    for key in (
        "Addresses",
        "Phones",
        "ContactPersons",
        "TaxNumber",
        "AccountsReceivableTaxType",
        "AccountsPayableTaxType",
        "DefaultCurrency",
        "Website",
        "BankAccountDetails",
    ):
        if key in el:
            c.extra[key] = el[key]
    c.updated = ctx.now
    st.contacts[c.contact_id] = c
    return Outcome(entity=c)


# --------------------------------------------------------------------------- invoices


_INVOICE_TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": set(),
    "DELETED": set(),
}


def find_invoice(st: TenantState, id_or_number: str) -> Invoice | None:
    """Xero accepts an InvoiceNumber wherever an InvoiceID goes in a URL."""
    return st.invoices.get(id_or_number) or st.invoice_by_number(id_or_number)


def save_invoice(
    ctx: Ctx, el: dict[str, Any], *, allow_update: bool, path_id: str | None = None
) -> Outcome:
    """PUT/POST /Invoices and POST /Invoices/{InvoiceID}."""
    st = ctx.st
    errors: list[str] = []
    existing: Invoice | None = None
    if path_id:
        existing = find_invoice(st, path_id)
        if existing is None:
            raise NotFound(path_id)
    elif _str(el, "InvoiceID"):
        existing = st.invoices.get(str(el["InvoiceID"]))
        if existing is None:
            errors.append("The invoice with the specified InvoiceID could not be found.")
            return Outcome(errors=errors)
    elif allow_update and _str(el, "InvoiceNumber"):
        candidate = st.invoice_by_number(str(el["InvoiceNumber"]))
        if (
            candidate is not None
            and candidate.status != "DELETED"
            and candidate.type == (_str(el, "Type") or candidate.type)
        ):
            existing = candidate
    if existing is not None:
        return _update_invoice(ctx, existing, el)

    inv_type = _str(el, "Type")
    if not inv_type:
        errors.append(Msg.TYPE_REQUIRED)
    elif inv_type not in ("ACCREC", "ACCPAY"):
        errors.append(Msg.TYPE_INVALID.format(type=inv_type))
    status = _str(el, "Status") or "DRAFT"
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        errors.append(Msg.INVALID_STATUS_FOR_CREATION)
    pick = _resolve_contact(ctx, el.get("Contact"), errors)
    inv_date = _date(el, "Date", errors, default=ctx.today) or ctx.today
    due_date = _date(el, "DueDate", errors)
    expected = _date(el, "ExpectedPaymentDate", errors)
    currency = _check_currency(ctx, el, errors)
    lat = _line_amount_types(el)
    lines, totals = build_lines(
        ctx, el.get("LineItems"), lat, errors, require_accounts=status != "DRAFT"
    )
    number = _str(el, "InvoiceNumber")
    if inv_type == "ACCREC":
        if number:
            if _invoice_number_taken(st, number, None):
                errors.append(Msg.INVOICE_NUMBER_TAKEN)
        else:
            number = _next_invoice_number(st)
    if status == "AUTHORISED":
        _check_lock(ctx, inv_date, errors)
    if errors:
        return Outcome(errors=errors)

    assert inv_type is not None
    contact_id = _commit_contact(
        ctx, pick, customer=inv_type == "ACCREC", supplier=inv_type == "ACCPAY"
    )
    inv = Invoice(
        invoice_id=new_id(),
        type=inv_type,
        contact_id=contact_id,
        invoice_number=number,
        date=inv_date,
        due_date=due_date,
        status=status,
        line_amount_types=lat,
        line_items=lines,
        totals=totals,
        reference=_str(el, "Reference"),
        currency_code=currency,
        sent_to_contact=bool(el.get("SentToContact")) if status == "AUTHORISED" else False,
        url=_str(el, "Url"),
        branding_theme_id=_str(el, "BrandingThemeID"),
        expected_payment_date=expected,
        updated=ctx.now,
        created_seq=st.next_seq(),
    )
    st.invoices[inv.invoice_id] = inv
    st.settle_invoice(inv, ctx.now)
    return Outcome(entity=inv)


def _invoice_number_taken(st: TenantState, number: str, exclude_id: str | None) -> bool:
    return any(
        i.invoice_number == number
        and i.type == "ACCREC"
        and i.status != "DELETED"
        and i.invoice_id != exclude_id
        for i in st.invoices.values()
    )


def _next_invoice_number(st: TenantState) -> str:
    while True:
        st.invoice_seq += 1
        candidate = f"INV-{st.invoice_seq:04d}"
        if not _invoice_number_taken(st, candidate, None):
            return candidate


def _update_invoice(ctx: Ctx, inv: Invoice, el: dict[str, Any]) -> Outcome:
    st = ctx.st
    errors: list[str] = []
    target = _str(el, "Status") or inv.status
    has_money = bool(
        st.live_payments("invoice", inv.invoice_id)
        or st.live_allocations_to_invoice(inv.invoice_id)
    )
    touches_content = any(
        k in el for k in ("LineItems", "Contact", "Date", "LineAmountTypes", "CurrencyCode")
    )

    if target not in _INVOICE_TRANSITIONS.get(inv.status, set()):
        if inv.status in ("AUTHORISED", "PAID") and target in ("VOIDED", "DELETED") and has_money:
            errors.append(Msg.HAS_PAYMENTS)
        else:
            errors.append(Msg.INVALID_STATUS_FOR_MODIFICATION)
        return Outcome(errors=errors)
    if inv.status == "AUTHORISED" and target == "VOIDED" and has_money:
        return Outcome(errors=[Msg.HAS_PAYMENTS])
    if inv.status in ("AUTHORISED", "PAID") and has_money and touches_content:
        return Outcome(errors=[Msg.HAS_PAYMENTS])
    if inv.status == "PAID" and touches_content:
        return Outcome(errors=[Msg.INVALID_STATUS_FOR_MODIFICATION])

    pick: _ContactPick | None = None
    if "Contact" in el:
        pick = _resolve_contact(ctx, el.get("Contact"), errors)
    new_date = _date(el, "Date", errors, default=inv.date) or inv.date
    due_date = _date(el, "DueDate", errors, default=inv.due_date)
    expected = _date(el, "ExpectedPaymentDate", errors, default=inv.expected_payment_date)
    lat = _line_amount_types(el, inv.line_amount_types)
    lines, totals = inv.line_items, inv.totals
    if "LineItems" in el:
        lines, totals = build_lines(
            ctx,
            el.get("LineItems"),
            lat,
            errors,
            require_accounts=target != "DRAFT",
            existing=inv.line_items,
        )
    elif target in ("SUBMITTED", "AUTHORISED"):
        if any(li.account_code is None for li in inv.line_items) and target == "AUTHORISED":
            errors.append(Msg.ACCOUNT_CODE_REQUIRED)
        if lat != inv.line_amount_types:
            totals = compute_totals(lines, lat)
    if "CurrencyCode" in el:
        _check_currency(ctx, el, errors)
    number = _str(el, "InvoiceNumber") or inv.invoice_number
    if (
        inv.type == "ACCREC"
        and number
        and number != inv.invoice_number
        and _invoice_number_taken(st, number, inv.invoice_id)
    ):
        errors.append(Msg.INVOICE_NUMBER_TAKEN)
    posting = target in ("AUTHORISED", "VOIDED") and (
        target != inv.status or new_date != inv.date or "LineItems" in el
    )
    if posting:
        _check_lock(ctx, new_date, errors)
        if new_date != inv.date and inv.status == "AUTHORISED":
            _check_lock(ctx, inv.date, errors)
    if errors:
        return Outcome(errors=list(dict.fromkeys(errors)))

    if pick is not None:
        inv.contact_id = _commit_contact(
            ctx, pick, customer=inv.type == "ACCREC", supplier=inv.type == "ACCPAY"
        )
    inv.date, inv.due_date, inv.expected_payment_date = new_date, due_date, expected
    inv.line_amount_types, inv.line_items, inv.totals = lat, lines, totals
    inv.invoice_number = number
    for attr, key in (
        ("reference", "Reference"),
        ("url", "Url"),
        ("branding_theme_id", "BrandingThemeID"),
    ):
        if key in el:
            setattr(inv, attr, _str(el, key))
    if "SentToContact" in el and target in ("AUTHORISED", "PAID"):
        inv.sent_to_contact = bool(el["SentToContact"])
    inv.status = target
    inv.updated = ctx.now
    st.settle_invoice(inv, ctx.now)
    return Outcome(entity=inv)


# --------------------------------------------------------------------------- payments

_PAYMENT_TYPES = {
    ("invoice", "ACCREC"): "ACCRECPAYMENT",
    ("invoice", "ACCPAY"): "ACCPAYPAYMENT",
    ("creditnote", "ACCRECCREDIT"): "ARCREDITPAYMENT",
    ("creditnote", "ACCPAYCREDIT"): "APCREDITPAYMENT",
    ("prepayment", "RECEIVE-PREPAYMENT"): "ARPREPAYMENTPAYMENT",
    ("prepayment", "SPEND-PREPAYMENT"): "APPREPAYMENTPAYMENT",
    ("overpayment", "RECEIVE-OVERPAYMENT"): "AROVERPAYMENTPAYMENT",
    ("overpayment", "SPEND-OVERPAYMENT"): "APOVERPAYMENTPAYMENT",
}


def create_payment(ctx: Ctx, el: dict[str, Any]) -> Outcome:
    """PUT /Payments element or POST /Payments body."""
    st = ctx.st
    errors: list[str] = []
    kind, target = _payment_target(st, el, errors)
    account = (
        resolve_account(st, el.get("Account")) if isinstance(el.get("Account"), dict) else None
    )
    if account is None and _str(el, "Code"):
        account = st.account_by_code(str(el["Code"]))
    if not isinstance(el.get("Account"), dict) and not _str(el, "Code"):
        errors.append(Msg.PAYMENT_ACCOUNT_REQUIRED)
    elif account is None or account.status != "ACTIVE":
        errors.append(Msg.PAYMENT_ACCOUNT_NOT_FOUND)
    elif account.type != "BANK" and not account.enable_payments_to_account:
        errors.append(Msg.PAYMENT_ACCOUNT_TYPE)
    raw_amount = _num(el, "Amount", errors)
    amount = money(raw_amount) if raw_amount is not None else None
    pay_date = _date(el, "Date", errors, default=ctx.today) or ctx.today
    if amount is None or amount <= ZERO:
        errors.append(Msg.PAYMENT_AMOUNT_POSITIVE)
    if target is not None:
        status = target.status
        outstanding = (
            st.amount_due(target) if isinstance(target, Invoice) else st.remaining_credit(target)
        )
        if status != "AUTHORISED":
            errors.append(Msg.PAYMENT_NOT_AUTHORISED)
        if amount is not None and amount > outstanding:
            errors.append(Msg.PAYMENT_EXCEEDS)
    _check_lock(ctx, pay_date, errors)
    if errors:
        return Outcome(errors=errors)

    assert target is not None and account is not None and amount is not None
    payment = Payment(
        payment_id=new_id(),
        target_kind=kind,
        target_id=target.invoice_id if isinstance(target, Invoice) else target.doc_id,
        account_id=account.account_id,
        date=pay_date,
        amount=amount,
        payment_type=_PAYMENT_TYPES.get((kind, target.type), "ACCRECPAYMENT"),
        reference=_str(el, "Reference"),
        is_reconciled=bool(el.get("IsReconciled")),
        updated=ctx.now,
    )
    st.payments[payment.payment_id] = payment
    _settle_target(ctx, payment)
    return Outcome(entity=payment)


def _payment_target(
    st: TenantState, el: dict[str, Any], errors: list[str]
) -> tuple[str, Invoice | CreditDoc | None]:
    inv_ref = el.get("Invoice")
    inv_id = _ref_id(inv_ref, "InvoiceID")
    inv_number = _ref_id(inv_ref, "InvoiceNumber") or _str(el, "InvoiceNumber")
    if inv_id or inv_number:
        inv = st.invoices.get(inv_id) if inv_id else st.invoice_by_number(inv_number or "")
        if inv is None:
            errors.append(Msg.PAYMENT_DOCUMENT_NOT_FOUND.format(doc="Invoice"))
        return "invoice", inv
    cn_ref = el.get("CreditNote")
    cn_id = _ref_id(cn_ref, "CreditNoteID")
    cn_number = _ref_id(cn_ref, "CreditNoteNumber") or _str(el, "CreditNoteNumber")
    if cn_id or cn_number:
        cn = st.credit_notes.get(cn_id) if cn_id else st.credit_note_by_number(cn_number or "")
        if cn is None:
            errors.append(Msg.PAYMENT_DOCUMENT_NOT_FOUND.format(doc="CreditNote"))
        return "creditnote", cn
    for ck in (CREDIT_KINDS["prepayment"], CREDIT_KINDS["overpayment"]):
        doc_id = _ref_id(el.get(ck.entity), ck.id_field)
        if doc_id:
            doc = st.credit_doc(ck.kind, doc_id)
            if doc is None:
                errors.append(Msg.PAYMENT_DOCUMENT_NOT_FOUND.format(doc=ck.entity))
            return ck.kind, doc
    errors.append(Msg.PAYMENT_DOCUMENT_REQUIRED)
    return "invoice", None


def _settle_target(ctx: Ctx, payment: Payment) -> None:
    st = ctx.st
    if payment.target_kind == "invoice":
        inv = st.invoices.get(payment.target_id)
        if inv is not None:
            inv.updated = ctx.now
            st.settle_invoice(inv, ctx.now)
    else:
        doc = st.credit_doc(payment.target_kind, payment.target_id)
        if doc is not None:
            doc.updated = ctx.now
            st.settle_credit_doc(doc, ctx.now)


def delete_payment(ctx: Ctx, payment_id: str, el: dict[str, Any]) -> Outcome:
    """POST /Payments/{PaymentID} with {"Status": "DELETED"}."""
    st = ctx.st
    payment = st.payments.get(payment_id)
    if payment is None:
        raise NotFound(payment_id)
    if _str(el, "Status") != "DELETED":
        return Outcome(errors=[Msg.PAYMENT_ONLY_DELETE])
    if payment.status != "AUTHORISED":
        return Outcome(errors=[Msg.PAYMENT_NOT_MODIFIABLE])
    if payment.is_reconciled:
        return Outcome(errors=[Msg.PAYMENT_RECONCILED])
    errors: list[str] = []
    _check_lock(ctx, payment.date, errors)
    if errors:
        return Outcome(errors=errors)
    payment.status = "DELETED"
    payment.updated = ctx.now
    _settle_target(ctx, payment)
    return Outcome(entity=payment)


# --------------------------------------------------------------------------- bank transactions


_CREDIT_KIND = {
    "RECEIVE-PREPAYMENT": "prepayment",
    "SPEND-PREPAYMENT": "prepayment",
    "RECEIVE-OVERPAYMENT": "overpayment",
    "SPEND-OVERPAYMENT": "overpayment",
}


def save_bank_transaction(ctx: Ctx, el: dict[str, Any], *, allow_update: bool) -> Outcome:
    """PUT/POST /BankTransactions. Prepayment/overpayment types create credit."""
    st = ctx.st
    errors: list[str] = []
    bt_id = _str(el, "BankTransactionID")
    if bt_id:
        existing = st.bank_transactions.get(bt_id)
        if existing is None:
            return Outcome(
                errors=[
                    "The bank transaction with the specified BankTransactionID could not be found."
                ]
            )
        return _update_bank_transaction(ctx, existing, el)

    bt_type = _str(el, "Type")
    if not bt_type:
        errors.append(Msg.TYPE_REQUIRED)
    elif bt_type not in ("RECEIVE", "SPEND", *_CREDIT_KIND):
        errors.append(Msg.TYPE_INVALID.format(type=bt_type))
    bank_ref = el.get("BankAccount")
    bank = resolve_account(st, bank_ref)
    if not isinstance(bank_ref, dict) or not bank_ref:
        errors.append(Msg.BANK_ACCOUNT_REQUIRED)
    elif bank is None or bank.type != "BANK" or bank.status != "ACTIVE":
        errors.append(Msg.BANK_ACCOUNT_INVALID)
    pick = _resolve_contact(ctx, el.get("Contact"), errors)
    bt_date = _date(el, "Date", errors, default=ctx.today) or ctx.today
    currency = _check_currency(ctx, el, errors)
    lat = _line_amount_types(el)
    lines, totals = build_lines(ctx, el.get("LineItems"), lat, errors, require_accounts=True)
    status = _str(el, "Status") or "AUTHORISED"
    if status != "AUTHORISED":
        errors.append("A bank transaction can only be created with a Status of AUTHORISED.")
    _check_lock(ctx, bt_date, errors)
    if errors:
        return Outcome(errors=errors)

    assert bt_type is not None and bank is not None
    receive = bt_type.startswith("RECEIVE")
    contact_id = _commit_contact(ctx, pick, customer=receive, supplier=not receive)
    bt = BankTransaction(
        bank_transaction_id=new_id(),
        type=bt_type,
        contact_id=contact_id,
        bank_account_id=bank.account_id,
        date=bt_date,
        status="AUTHORISED",
        line_amount_types=lat,
        line_items=lines,
        totals=totals,
        reference=_str(el, "Reference"),
        is_reconciled=bool(el.get("IsReconciled")),
        currency_code=currency,
        url=_str(el, "Url"),
        updated=ctx.now,
        created_seq=st.next_seq(),
    )
    kind = _CREDIT_KIND.get(bt_type)
    if kind is not None:
        doc = CreditDoc(
            kind=kind,
            doc_id=new_id(),
            type=bt_type,
            contact_id=contact_id,
            date=bt_date,
            status="AUTHORISED",
            line_amount_types=lat,
            line_items=lines,
            totals=totals,
            reference=bt.reference,
            currency_code=currency,
            bank_transaction_id=bt.bank_transaction_id,
            updated=ctx.now,
            created_seq=bt.created_seq,
        )
        st.credit_docs(kind)[doc.doc_id] = doc
        if kind == "prepayment":
            bt.prepayment_id = doc.doc_id
        else:
            bt.overpayment_id = doc.doc_id
    st.bank_transactions[bt.bank_transaction_id] = bt
    return Outcome(entity=bt)


def _update_bank_transaction(ctx: Ctx, bt: BankTransaction, el: dict[str, Any]) -> Outcome:
    """Only deletion (Status DELETED) and Reference/IsReconciled edits are modelled."""
    st = ctx.st
    target = _str(el, "Status") or bt.status
    if bt.status != "AUTHORISED" or target not in ("AUTHORISED", "DELETED"):
        return Outcome(errors=[Msg.BANK_TRANSACTION_NOT_MODIFIABLE])
    credit = None
    if bt.prepayment_id:
        credit = st.prepayments.get(bt.prepayment_id)
    elif bt.overpayment_id:
        credit = st.overpayments.get(bt.overpayment_id)
    if any(k in el for k in ("LineItems", "Contact", "Date", "BankAccount", "Type")):
        return Outcome(errors=[Msg.BANK_TRANSACTION_NOT_MODIFIABLE])
    if target == "DELETED":
        errors: list[str] = []
        if credit is not None and (
            st.live_allocations_from(credit.kind, credit.doc_id)
            or st.live_payments(credit.kind, credit.doc_id)
        ):
            errors.append(Msg.HAS_PAYMENTS)
        _check_lock(ctx, bt.date, errors)
        if errors:
            return Outcome(errors=errors)
        bt.status = "DELETED"
        if credit is not None:
            credit.status = "VOIDED"
            credit.updated = ctx.now
    if "Reference" in el:
        bt.reference = _str(el, "Reference")
    if "IsReconciled" in el:
        bt.is_reconciled = bool(el["IsReconciled"])
    bt.updated = ctx.now
    return Outcome(entity=bt)


# --------------------------------------------------------------------------- credit notes


def save_credit_note(
    ctx: Ctx, el: dict[str, Any], *, allow_update: bool, path_id: str | None = None
) -> Outcome:
    """PUT/POST /CreditNotes and POST /CreditNotes/{CreditNoteID}."""
    st = ctx.st
    errors: list[str] = []
    existing: CreditDoc | None = None
    if path_id:
        existing = st.credit_notes.get(path_id) or st.credit_note_by_number(path_id)
        if existing is None:
            raise NotFound(path_id)
    elif _str(el, "CreditNoteID"):
        existing = st.credit_notes.get(str(el["CreditNoteID"]))
        if existing is None:
            return Outcome(
                errors=[
                    "An existing Credit Note with the specified CreditNoteID could not be found"
                ]
            )  # seen
    if existing is not None:
        return _update_credit_note(ctx, existing, el)

    cn_type = _str(el, "Type")
    if not cn_type:
        errors.append(Msg.TYPE_REQUIRED)
    elif cn_type not in ("ACCRECCREDIT", "ACCPAYCREDIT"):
        errors.append(Msg.TYPE_INVALID.format(type=cn_type))
    status = _str(el, "Status") or "DRAFT"
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        errors.append("Credit note not of valid status for creation")
    pick = _resolve_contact(ctx, el.get("Contact"), errors)
    cn_date = _date(el, "Date", errors, default=ctx.today) or ctx.today
    currency = _check_currency(ctx, el, errors)
    lat = _line_amount_types(el)
    lines, totals = build_lines(
        ctx, el.get("LineItems"), lat, errors, require_accounts=status != "DRAFT"
    )
    number = _str(el, "CreditNoteNumber")
    if cn_type == "ACCRECCREDIT":
        if number:
            if any(c.number == number and c.status != "DELETED" for c in st.credit_notes.values()):
                errors.append(Msg.CREDIT_NOTE_NUMBER_TAKEN)
        else:
            number = _next_credit_note_number(st)
    if status == "AUTHORISED":
        _check_lock(ctx, cn_date, errors)
    if errors:
        return Outcome(errors=errors)

    assert cn_type is not None
    contact_id = _commit_contact(
        ctx, pick, customer=cn_type == "ACCRECCREDIT", supplier=cn_type == "ACCPAYCREDIT"
    )
    cn = CreditDoc(
        kind="creditnote",
        doc_id=new_id(),
        type=cn_type,
        contact_id=contact_id,
        date=cn_date,
        status=status,
        line_amount_types=lat,
        line_items=lines,
        totals=totals,
        reference=_str(el, "Reference"),
        number=number,
        due_date=_date(el, "DueDate", errors),
        currency_code=currency,
        updated=ctx.now,
        created_seq=st.next_seq(),
    )
    st.credit_notes[cn.doc_id] = cn
    st.settle_credit_doc(cn, ctx.now)
    return Outcome(entity=cn)


def _next_credit_note_number(st: TenantState) -> str:
    while True:
        st.credit_note_seq += 1
        candidate = f"CN-{st.credit_note_seq:04d}"
        if not any(c.number == candidate for c in st.credit_notes.values()):
            return candidate


def _update_credit_note(ctx: Ctx, cn: CreditDoc, el: dict[str, Any]) -> Outcome:
    st = ctx.st
    errors: list[str] = []
    target = _str(el, "Status") or cn.status
    if target not in _INVOICE_TRANSITIONS.get(cn.status, set()):
        has_money = bool(
            st.live_allocations_from("creditnote", cn.doc_id)
            or st.live_payments("creditnote", cn.doc_id)
        )
        return Outcome(
            errors=[
                Msg.HAS_PAYMENTS
                if has_money
                else "Credit note not of valid status for modification"
            ]
        )
    has_money = bool(
        st.live_allocations_from("creditnote", cn.doc_id)
        or st.live_payments("creditnote", cn.doc_id)
    )
    if (
        cn.status in ("AUTHORISED", "PAID")
        and has_money
        and (target == "VOIDED" or "LineItems" in el)
    ):
        return Outcome(errors=[Msg.HAS_PAYMENTS])
    new_date = _date(el, "Date", errors, default=cn.date) or cn.date
    lat = _line_amount_types(el, cn.line_amount_types)
    lines, totals = cn.line_items, cn.totals
    if "LineItems" in el:
        lines, totals = build_lines(
            ctx,
            el.get("LineItems"),
            lat,
            errors,
            require_accounts=target != "DRAFT",
            existing=cn.line_items,
        )
    if target in ("AUTHORISED", "VOIDED") and (target != cn.status or new_date != cn.date):
        _check_lock(ctx, new_date, errors)
    if errors:
        return Outcome(errors=errors)
    cn.date, cn.line_amount_types, cn.line_items, cn.totals = new_date, lat, lines, totals
    if "Reference" in el:
        cn.reference = _str(el, "Reference")
    cn.status = target
    cn.updated = ctx.now
    st.settle_credit_doc(cn, ctx.now)
    return Outcome(entity=cn)


# --------------------------------------------------------------------------- allocations

_ALLOWED_INVOICE_TYPE = {
    "RECEIVE-PREPAYMENT": "ACCREC",
    "RECEIVE-OVERPAYMENT": "ACCREC",
    "ACCRECCREDIT": "ACCREC",
    "SPEND-PREPAYMENT": "ACCPAY",
    "SPEND-OVERPAYMENT": "ACCPAY",
    "ACCPAYCREDIT": "ACCPAY",
}


def get_credit_doc(st: TenantState, kind: str, doc_id: str) -> CreditDoc:
    doc = st.credit_doc(kind, doc_id)
    if doc is None and kind == "creditnote":
        doc = st.credit_note_by_number(doc_id)
    if doc is None:
        raise NotFound(doc_id)
    return doc


def create_allocation(ctx: Ctx, kind: str, doc: CreditDoc, el: dict[str, Any]) -> Outcome:
    """One element of PUT /{Prepayments|Overpayments|CreditNotes}/{id}/Allocations."""
    st = ctx.st
    errors: list[str] = []
    label = CREDIT_KINDS[kind].label
    inv_id = _ref_id(el.get("Invoice"), "InvoiceID")
    inv_number = _ref_id(el.get("Invoice"), "InvoiceNumber")
    inv: Invoice | None = None
    if not inv_id and not inv_number:
        errors.append(Msg.ALLOC_INVOICE_REQUIRED)
    else:
        inv = st.invoices.get(inv_id) if inv_id else st.invoice_by_number(inv_number or "")
        if inv is None:
            errors.append(Msg.ALLOC_INVOICE_NOT_FOUND)
    raw_amount = _num(el, "Amount", errors)
    amount = money(raw_amount) if raw_amount is not None else None
    alloc_date = _date(el, "Date", errors, default=ctx.today) or ctx.today
    if amount is None or amount <= ZERO:
        errors.append(Msg.ALLOC_AMOUNT_POSITIVE)
    if doc.status not in ("AUTHORISED", "PAID"):
        errors.append(Msg.ALLOC_SOURCE_NOT_AUTHORISED)
    if amount is not None and amount > st.remaining_credit(doc):
        errors.append(Msg.ALLOC_EXCEEDS_CREDIT)
    if inv is not None:
        if inv.status != "AUTHORISED":
            errors.append(Msg.ALLOC_INVOICE_NOT_AUTHORISED)
        if amount is not None and amount > st.amount_due(inv):
            errors.append(Msg.ALLOC_EXCEEDS_DUE)
        if inv.contact_id != doc.contact_id:
            errors.append(Msg.ALLOC_CONTACT_MISMATCH.format(doc=label))
        if _ALLOWED_INVOICE_TYPE.get(doc.type) != inv.type:
            errors.append(
                Msg.ALLOC_TYPE_MISMATCH.format(doc=label, type=doc.type, inv_type=inv.type)
            )
    _check_lock(ctx, alloc_date, errors)
    if errors:
        return Outcome(errors=errors)

    assert inv is not None and amount is not None
    alloc = Allocation(
        allocation_id=new_id(),
        source_kind=kind,
        source_id=doc.doc_id,
        invoice_id=inv.invoice_id,
        amount=amount,
        date=alloc_date,
        updated=ctx.now,
    )
    st.allocations[alloc.allocation_id] = alloc
    inv.updated = ctx.now
    doc.updated = ctx.now
    st.settle_invoice(inv, ctx.now)
    st.settle_credit_doc(doc, ctx.now)
    return Outcome(entity=alloc)


def delete_allocation(ctx: Ctx, kind: str, doc: CreditDoc, allocation_id: str) -> Outcome:
    """DELETE /{Prepayments|Overpayments|CreditNotes}/{id}/Allocations/{AllocationID}."""
    st = ctx.st
    alloc = st.allocations.get(allocation_id)
    if (
        alloc is None
        or alloc.source_kind != kind
        or alloc.source_id != doc.doc_id
        or alloc.is_deleted
    ):
        raise NotFound(allocation_id)
    errors: list[str] = []
    _check_lock(ctx, alloc.date, errors)
    if errors:
        return Outcome(errors=errors)
    alloc.is_deleted = True
    alloc.updated = ctx.now
    inv = st.invoices.get(alloc.invoice_id)
    doc.updated = ctx.now
    st.settle_credit_doc(doc, ctx.now)
    if inv is not None:
        inv.updated = ctx.now
        st.settle_invoice(inv, ctx.now)
    return Outcome(entity=alloc)
