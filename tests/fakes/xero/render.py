"""Turn fake entities into Xero's JSON shapes (as the SDK deserialises them).

Field names and date formats follow xero_accounting.yaml and Xero's real
responses: entity dates are ``/Date(ms+0000)/``, timestamps add an
``...UTCString`` twin where Xero does, money has 2 decimals, quantities 4.
``None`` values are never emitted (the SDK turns ``null`` models into junk).
"""

from __future__ import annotations

from datetime import datetime
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
    TaxRate,
    TenantState,
    new_id,
)
from .wire import Fixed, date_string, iso_seconds, ms_date, ms_datetime

ID_FIELD = {ck.kind: ck.id_field for ck in CREDIT_KINDS.values()}
ENTITY_NAME = {ck.kind: ck.entity for ck in CREDIT_KINDS.values()}


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _ts(dt: datetime | None) -> str | None:
    return ms_datetime(dt) if dt else None


def envelope(
    key: str,
    items: list[dict[str, Any]],
    now: datetime,
    *,
    pagination: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The standard accounting response wrapper."""
    body: dict[str, Any] = {
        "Id": _response_id(),
        "Status": "OK",
        "ProviderName": "Frontdesk (XeroFake)",
        "DateTimeUTC": ms_datetime(now, offset=False),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[key] = items
    return body


def _response_id() -> str:
    return new_id()


# --------------------------------------------------------------------------- settings


def account(acc: Account) -> dict[str, Any]:
    return _clean(
        {
            "AccountID": acc.account_id,
            "Code": acc.code,
            "Name": acc.name,
            "Status": acc.status,
            "Type": acc.type,
            "TaxType": acc.tax_type,
            "Description": acc.description,
            "Class": acc.account_class,
            "SystemAccount": acc.system_account,
            "EnablePaymentsToAccount": acc.enable_payments_to_account,
            "ShowInExpenseClaims": False,
            "BankAccountNumber": acc.bank_account_number,
            "BankAccountType": "BANK" if acc.type == "BANK" else "",
            "CurrencyCode": "AUD" if acc.type == "BANK" else None,
            "ReportingCode": _reporting_code(acc),
            "HasAttachments": False,
            "UpdatedDateUTC": _ts(acc.updated),
            "AddToWatchlist": False,
        }
    )


def _reporting_code(acc: Account) -> str:
    return {"ASSET": "ASS", "LIABILITY": "LIA", "EQUITY": "EQU", "REVENUE": "REV"}.get(
        acc.account_class, "EXP"
    )


def tax_rate(tr: TaxRate) -> dict[str, Any]:
    return {
        "Name": tr.name,
        "TaxType": tr.tax_type,
        "ReportTaxType": tr.report_tax_type,
        "CanApplyToAssets": True,
        "CanApplyToEquity": True,
        "CanApplyToExpenses": True,
        "CanApplyToLiabilities": True,
        "CanApplyToRevenue": True,
        "DisplayTaxRate": Fixed(tr.rate, 4),
        "EffectiveRate": Fixed(tr.rate, 4),
        "Status": tr.status,
        "TaxComponents": [
            {
                "Name": "GST" if tr.rate else tr.name,
                "Rate": Fixed(tr.rate, 4),
                "IsCompound": False,
                "IsNonRecoverable": False,
            }
        ],
    }


def organisation(st: TenantState) -> dict[str, Any]:
    org = st.organisation
    return _clean(
        {
            "OrganisationID": org.organisation_id,
            "Name": org.name,
            "LegalName": org.name,
            "PaysTax": True,
            "Version": org.version,
            "OrganisationType": "COMPANY",
            "BaseCurrency": org.base_currency,
            "CountryCode": org.country_code,
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 30,
            "FinancialYearEndMonth": 6,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "QUARTERLY1",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Inclusive",
            "PeriodLockDate": ms_date(org.period_lock_date) if org.period_lock_date else None,
            "EndOfYearLockDate": ms_date(org.end_of_year_lock_date)
            if org.end_of_year_lock_date
            else None,
            "CreatedDateUTC": _ts(org.created),
            "OrganisationEntityType": "COMPANY",
            "Timezone": org.timezone,
            "ShortCode": org.short_code,
            "Edition": "BUSINESS",
            "Class": "STANDARD",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
        }
    )


# --------------------------------------------------------------------------- contacts


def contact(c: Contact, *, brief: bool = False) -> dict[str, Any]:
    """Full contact, or the short form Xero nests inside documents."""
    base: dict[str, Any] = {
        "ContactID": c.contact_id,
        "ContactNumber": c.contact_number,
        "AccountNumber": c.account_number,
        "ContactStatus": c.status,
        "Name": c.name,
        "FirstName": c.first_name,
        "LastName": c.last_name,
        "EmailAddress": c.email_address,
    }
    if brief:
        base["HasValidationErrors"] = False
        return _clean(base)
    base.update(
        {
            "Addresses": c.extra.get("Addresses", []),
            "Phones": c.extra.get("Phones", []),
            "UpdatedDateUTC": _ts(c.updated),
            "ContactGroups": [],
            "IsSupplier": c.is_supplier,
            "IsCustomer": c.is_customer,
            "ContactPersons": c.extra.get("ContactPersons", []),
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
    )
    for key in (
        "TaxNumber",
        "AccountsReceivableTaxType",
        "AccountsPayableTaxType",
        "DefaultCurrency",
        "Website",
        "BankAccountDetails",
    ):
        if key in c.extra:
            base[key] = c.extra[key]
    return _clean(base)


def _contact_of(st: TenantState, contact_id: str) -> dict[str, Any]:
    c = st.contacts.get(contact_id)
    return contact(c, brief=True) if c else {"ContactID": contact_id}


# --------------------------------------------------------------------------- documents


def line_item(li: LineItem, *, unitdp: int = 2) -> dict[str, Any]:
    return _clean(
        {
            "LineItemID": li.line_item_id,
            "Description": li.description,
            "Quantity": Fixed(li.quantity, 4),
            "UnitAmount": Fixed(li.unit_amount, 4 if unitdp == 4 else 2),
            "ItemCode": li.item_code,
            "AccountCode": li.account_code,
            "AccountID": li.account_id,
            "TaxType": li.tax_type,
            "TaxAmount": Fixed(li.tax_amount, 2),
            "LineAmount": Fixed(li.line_amount, 2),
            "DiscountRate": Fixed(li.discount_rate, 2) if li.discount_rate is not None else None,
            "Tracking": li.tracking,
        }
    )


def _m(value: Decimal) -> Fixed:
    return Fixed(value, 2)


def invoice(
    st: TenantState, inv: Invoice, *, with_lines: bool = True, unitdp: int = 2
) -> dict[str, Any]:
    paid = st.amount_paid(inv)
    credited = st.amount_credited(inv)
    payments = [invoice_payment_ref(p) for p in st.live_payments("invoice", inv.invoice_id)]
    allocs = st.live_allocations_to_invoice(inv.invoice_id)
    body: dict[str, Any] = {
        "Type": inv.type,
        "InvoiceID": inv.invoice_id,
        "InvoiceNumber": inv.invoice_number,
        "Reference": inv.reference if inv.reference is not None else "",
        "Payments": payments,
        "CreditNotes": [_applied_ref(st, a) for a in allocs if a.source_kind == "creditnote"],
        "Prepayments": [_applied_ref(st, a) for a in allocs if a.source_kind == "prepayment"],
        "Overpayments": [_applied_ref(st, a) for a in allocs if a.source_kind == "overpayment"],
        "AmountDue": _m(st.amount_due(inv)),
        "AmountPaid": _m(paid),
        "AmountCredited": _m(credited),
        "SentToContact": inv.sent_to_contact,
        "CurrencyRate": Fixed(inv.currency_rate, 6),
        "IsDiscounted": any(li.discount_rate for li in inv.line_items),
        "HasAttachments": False,
        "HasErrors": False,
        "Contact": _contact_of(st, inv.contact_id),
        "DateString": date_string(inv.date),
        "Date": ms_date(inv.date),
        "DueDateString": date_string(inv.due_date) if inv.due_date else None,
        "DueDate": ms_date(inv.due_date) if inv.due_date else None,
        "ExpectedPaymentDate": ms_date(inv.expected_payment_date)
        if inv.expected_payment_date
        else None,
        "BrandingThemeID": inv.branding_theme_id,
        "Url": inv.url,
        "Status": inv.status,
        "LineAmountTypes": inv.line_amount_types,
        "SubTotal": _m(inv.totals.sub_total),
        "TotalTax": _m(inv.totals.total_tax),
        "Total": _m(inv.totals.total),
        "UpdatedDateUTC": _ts(inv.updated),
        "UpdatedDateUTCString": iso_seconds(inv.updated) if inv.updated else None,
        "CurrencyCode": inv.currency_code,
        "FullyPaidOnDate": ms_date(inv.fully_paid_on_date)
        if inv.fully_paid_on_date and inv.status == "PAID"
        else None,
    }
    if with_lines:
        body["LineItems"] = [line_item(li, unitdp=unitdp) for li in inv.line_items]
    return _clean(body)


def invoice_brief(st: TenantState, inv: Invoice) -> dict[str, Any]:
    """The invoice as nested in payments and allocations."""
    return _clean(
        {
            "Type": inv.type,
            "InvoiceID": inv.invoice_id,
            "InvoiceNumber": inv.invoice_number,
            "Reference": inv.reference if inv.reference is not None else "",
            "Payments": [],
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "AmountDue": _m(st.amount_due(inv)),
            "AmountPaid": _m(st.amount_paid(inv)),
            "AmountCredited": _m(st.amount_credited(inv)),
            "HasErrors": False,
            "IsDiscounted": False,
            "Contact": _contact_of(st, inv.contact_id),
            "Date": ms_date(inv.date),
            "Status": inv.status,
            "LineItems": [],
            "Total": _m(inv.totals.total),
            "CurrencyCode": inv.currency_code,
        }
    )


def invoice_payment_ref(p: Payment) -> dict[str, Any]:
    return _clean(
        {
            "PaymentID": p.payment_id,
            "Date": ms_date(p.date),
            "Amount": _m(p.amount),
            "Reference": p.reference,
            "CurrencyRate": Fixed(p.currency_rate, 6),
            "HasAccount": False,
            "HasValidationErrors": False,
        }
    )


def _applied_ref(st: TenantState, a: Allocation) -> dict[str, Any]:
    doc = st.credit_doc(a.source_kind, a.source_id)
    ref: dict[str, Any] = {
        ID_FIELD[a.source_kind]: a.source_id,
        "ID": a.source_id,
        "AppliedAmount": _m(a.amount),
        "Date": ms_date(a.date),
    }
    if doc is not None:
        ref["Total"] = _m(doc.totals.total)
        ref["Type"] = doc.type
        if doc.kind == "creditnote" and doc.number:
            ref["CreditNoteNumber"] = doc.number
    ref["LineItems"] = []
    return ref


def payment(st: TenantState, p: Payment) -> dict[str, Any]:
    acc = st.accounts.get(p.account_id)
    body: dict[str, Any] = {
        "PaymentID": p.payment_id,
        "Date": ms_date(p.date),
        "BankAmount": _m(p.amount),
        "Amount": _m(p.amount),
        "Reference": p.reference if p.reference is not None else "",
        "CurrencyRate": Fixed(p.currency_rate, 6),
        "PaymentType": p.payment_type,
        "Status": p.status,
        "UpdatedDateUTC": _ts(p.updated),
        "UpdatedDateUTCString": iso_seconds(p.updated) if p.updated else None,
        "HasAccount": True,
        "IsReconciled": p.is_reconciled,
        "Account": _clean(
            {
                "AccountID": p.account_id,
                "Code": acc.code if acc else None,
                "Name": acc.name if acc else None,
            }
        ),
        "HasValidationErrors": False,
    }
    if p.target_kind == "invoice":
        inv = st.invoices.get(p.target_id)
        body["Invoice"] = invoice_brief(st, inv) if inv else {"InvoiceID": p.target_id}
    else:
        doc = st.credit_doc(p.target_kind, p.target_id)
        body[ENTITY_NAME[p.target_kind]] = (
            credit_doc_brief(st, doc) if doc else {ID_FIELD[p.target_kind]: p.target_id}
        )
    return _clean(body)


def allocation(st: TenantState, a: Allocation, *, include_source: bool = True) -> dict[str, Any]:
    inv = st.invoices.get(a.invoice_id)
    body: dict[str, Any] = {
        "AllocationID": a.allocation_id,
        "Amount": _m(a.amount),
        "Date": ms_date(a.date),
        "Invoice": invoice_brief(st, inv) if inv else {"InvoiceID": a.invoice_id},
        "IsDeleted": a.is_deleted if a.is_deleted else None,
    }
    if include_source:
        body[ENTITY_NAME[a.source_kind]] = {
            ID_FIELD[a.source_kind]: a.source_id,
            "ID": a.source_id,
            "LineItems": [],
        }
    return _clean(body)


def credit_doc(
    st: TenantState, doc: CreditDoc, *, with_lines: bool = True, unitdp: int = 2
) -> dict[str, Any]:
    """A Prepayment, Overpayment or CreditNote."""
    allocs = st.live_allocations_from(doc.kind, doc.doc_id)
    body: dict[str, Any] = {
        ID_FIELD[doc.kind]: doc.doc_id,
        "ID": doc.doc_id if doc.kind != "creditnote" else None,
        "Type": doc.type,
        "Contact": _contact_of(st, doc.contact_id),
        "DateString": date_string(doc.date),
        "Date": ms_date(doc.date),
        "DueDate": ms_date(doc.due_date) if doc.due_date else None,
        "Status": doc.status,
        "LineAmountTypes": doc.line_amount_types,
        "SubTotal": _m(doc.totals.sub_total),
        "TotalTax": _m(doc.totals.total_tax),
        "Total": _m(doc.totals.total),
        "UpdatedDateUTC": _ts(doc.updated),
        "UpdatedDateUTCString": iso_seconds(doc.updated) if doc.updated else None,
        "CurrencyCode": doc.currency_code,
        "CurrencyRate": Fixed(doc.currency_rate, 6),
        "RemainingCredit": _m(st.remaining_credit(doc)),
        "Allocations": [allocation(st, a, include_source=False) for a in allocs],
        "Payments": [invoice_payment_ref(p) for p in st.live_payments(doc.kind, doc.doc_id)],
        "HasAttachments": False,
        "Reference": doc.reference,
        "FullyPaidOnDate": ms_date(doc.fully_paid_on_date)
        if doc.fully_paid_on_date and doc.status == "PAID"
        else None,
    }
    if doc.kind == "creditnote":
        body["CreditNoteNumber"] = doc.number
        body["AppliedAmount"] = _m(st.applied_amount(doc))
        body["SentToContact"] = False
        body["HasErrors"] = False
    if with_lines:
        body["LineItems"] = [line_item(li, unitdp=unitdp) for li in doc.line_items]
    return _clean(body)


def credit_doc_brief(st: TenantState, doc: CreditDoc) -> dict[str, Any]:
    return _clean(
        {
            ID_FIELD[doc.kind]: doc.doc_id,
            "Type": doc.type,
            "Contact": _contact_of(st, doc.contact_id),
            "Date": ms_date(doc.date),
            "Status": doc.status,
            "Total": _m(doc.totals.total),
            "RemainingCredit": _m(st.remaining_credit(doc)),
            "CreditNoteNumber": doc.number if doc.kind == "creditnote" else None,
            "LineItems": [],
        }
    )


def bank_transaction(st: TenantState, bt: BankTransaction, *, unitdp: int = 2) -> dict[str, Any]:
    acc = st.accounts.get(bt.bank_account_id)
    return _clean(
        {
            "BankTransactionID": bt.bank_transaction_id,
            "Type": bt.type,
            "Contact": _contact_of(st, bt.contact_id),
            "BankAccount": _clean(
                {
                    "AccountID": bt.bank_account_id,
                    "Code": acc.code if acc else None,
                    "Name": acc.name if acc else None,
                }
            ),
            "IsReconciled": bt.is_reconciled,
            "DateString": date_string(bt.date),
            "Date": ms_date(bt.date),
            "Reference": bt.reference,
            "CurrencyCode": bt.currency_code,
            "CurrencyRate": Fixed(bt.currency_rate, 6),
            "Url": bt.url,
            "Status": bt.status,
            "LineAmountTypes": bt.line_amount_types,
            "LineItems": [line_item(li, unitdp=unitdp) for li in bt.line_items],
            "SubTotal": _m(bt.totals.sub_total),
            "TotalTax": _m(bt.totals.total_tax),
            "Total": _m(bt.totals.total),
            "PrepaymentID": bt.prepayment_id,
            "OverpaymentID": bt.overpayment_id,
            "UpdatedDateUTC": _ts(bt.updated),
            "HasAttachments": False,
        }
    )


# --------------------------------------------------------------------------- errors


def validation_exception(elements: list[dict[str, Any]]) -> dict[str, Any]:
    """Xero's 400 body for business-rule failures."""
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }


def failed_element(submitted: Any, errors: list[str], *, summarize: bool = True) -> dict[str, Any]:
    """The submitted element echoed back with its ValidationErrors."""
    body: dict[str, Any] = dict(submitted) if isinstance(submitted, dict) else {}
    if not summarize:
        body["StatusAttributeString"] = "ERROR"
    body["ValidationErrors"] = [{"Message": m} for m in errors]
    return body


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """Xero's RFC 7807-style body used by its API gateway (401/403/...)."""
    return {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": _response_id(),
        "Extensions": {},
    }
