"""The organisation's chart of accounts, as the Accounts settings choose from it."""

from __future__ import annotations

from desktop.services.xero_settings import ChartAccount
from desktop.xero.client import XeroApi


def read_chart(api: XeroApi) -> list[ChartAccount]:
    """Active accounts with a code, in code order (`GET /Accounts`)."""
    accounts = api.call("get_accounts").accounts or []
    chart = [
        ChartAccount(str(a.code), str(a.name or ""), _kind(a.type))
        for a in accounts
        if a.code and str(a.status).removeprefix("AccountStatusEnum.") != "ARCHIVED"
    ]
    return sorted(chart, key=lambda account: account.code)


def _kind(value: object) -> str:
    return str(getattr(value, "value", value) or "").removeprefix("AccountType.")
