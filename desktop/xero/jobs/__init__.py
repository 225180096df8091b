"""Senders, one module per kind of Xero job; importing this package registers them all."""

from desktop.xero import credit_jobs  # credit and allocations (issue 7)
from desktop.xero.jobs import contacts, invoices, payments, refunds

__all__ = ["contacts", "credit_jobs", "invoices", "payments", "refunds"]
