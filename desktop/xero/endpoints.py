"""Where Xero is: the accounting API, the identity (token) service and the login page.

`FRONTDESK_XERO_API_URL` and `FRONTDESK_XERO_IDENTITY_URL` point the connector at
another Xero (the test double, or a developer's own proxy). Xero's login page
(`login.xero.com`) follows the identity URL when that is overridden, since a
stand-in serves both; `FRONTDESK_XERO_LOGIN_URL` can set it on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

API_URL_ENV = "FRONTDESK_XERO_API_URL"
IDENTITY_URL_ENV = "FRONTDESK_XERO_IDENTITY_URL"
LOGIN_URL_ENV = "FRONTDESK_XERO_LOGIN_URL"
CLIENT_ID_ENV = "FRONTDESK_XERO_CLIENT_ID"
REDIRECT_PORT_ENV = "FRONTDESK_XERO_REDIRECT_PORT"

DEFAULT_API_URL = "https://api.xero.com"
DEFAULT_IDENTITY_URL = "https://identity.xero.com"
DEFAULT_LOGIN_URL = "https://login.xero.com"
# The loopback redirect registered with Xero for the Frontdesk app (exact match).
DEFAULT_REDIRECT_PORT = 53682

# offline_access for a refresh token; the granular scopes Xero moved to in 2026.
SCOPES = (
    "offline_access",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.contacts",
    "accounting.settings.read",
)


@dataclass(frozen=True, slots=True)
class XeroEndpoints:
    api_root: str = DEFAULT_API_URL
    identity_root: str = DEFAULT_IDENTITY_URL
    login_root: str = DEFAULT_LOGIN_URL

    @classmethod
    def from_environment(cls) -> XeroEndpoints:
        api = os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL
        identity = os.environ.get(IDENTITY_URL_ENV, "").strip()
        login = os.environ.get(LOGIN_URL_ENV, "").strip() or identity or DEFAULT_LOGIN_URL
        return cls(
            api_root=_root(api).removesuffix("/api.xro/2.0"),
            identity_root=_root(identity or DEFAULT_IDENTITY_URL),
            login_root=_root(login),
        )

    @property
    def accounting_url(self) -> str:
        return f"{self.api_root}/api.xro/2.0"

    @property
    def connections_url(self) -> str:
        return f"{self.api_root}/connections"

    @property
    def token_url(self) -> str:
        return f"{self.identity_root}/connect/token"

    @property
    def revocation_url(self) -> str:
        return f"{self.identity_root}/connect/revocation"

    @property
    def authorize_url(self) -> str:
        return f"{self.login_root}/identity/connect/authorize"


def _root(url: str) -> str:
    return url.rstrip("/")


def client_id_from_environment() -> str:
    return os.environ.get(CLIENT_ID_ENV, "").strip()


def redirect_port_from_environment() -> int:
    raw = os.environ.get(REDIRECT_PORT_ENV, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_REDIRECT_PORT
