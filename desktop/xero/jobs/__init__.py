"""Senders, one module per kind of Xero job; importing this package registers them all."""

from desktop.xero.jobs import contacts, invoices, payments, refunds

from desktop.xero import credit_jobs  # noqa: E402, I001  (credit and allocations, issue 7)

__all__ = ["contacts", "credit_jobs", "invoices", "payments", "refunds"]
