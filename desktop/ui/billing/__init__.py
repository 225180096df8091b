"""Billing screens: the invoice of a service, taking and correcting payments, refunds."""
