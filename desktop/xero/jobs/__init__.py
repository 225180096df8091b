"""Senders, one module per kind of Xero job; importing this package registers them all."""

from desktop.xero.jobs import contacts, invoices, payments, refunds

__all__ = ["contacts", "invoices", "payments", "refunds"]
