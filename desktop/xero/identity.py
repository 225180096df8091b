"""Xero's identity service over httpx: PKCE, code exchange, refresh, connections.

We refresh tokens ourselves (not through xero-python): its refresh needs a client
secret, which a desktop app using PKCE does not have.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import httpx

from desktop.xero.endpoints import SCOPES, XeroEndpoints
from desktop.xero.errors import XeroNeedsReconnect, XeroRefused, XeroUnavailable
from desktop.xero.tokens import TokenSet

TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def new_verifier() -> str:
    """A PKCE code verifier: 43 to 128 URL-safe characters."""
    return secrets.token_urlsafe(64)[:96]


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    endpoints: XeroEndpoints,
    client_id: str,
    redirect_uri: str,
    state: str,
    verifier: str,
    scopes: Sequence[str] = SCOPES,
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    return f"{endpoints.authorize_url}?{urlencode(query)}"


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant_id: str
    name: str
    kind: str = "ORGANISATION"


class IdentityClient:
    def __init__(self, endpoints: XeroEndpoints, http: httpx.Client | None = None) -> None:
        self.endpoints = endpoints
        self.http = http or httpx.Client(timeout=TIMEOUT)

    def _token_call(self, form: dict[str, str], now: datetime) -> TokenSet:
        try:
            response = self.http.post(self.endpoints.token_url, data=form)
        except httpx.HTTPError as exc:
            raise XeroUnavailable(f"Xero's sign-in service did not answer ({exc})") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise XeroUnavailable(f"Xero's sign-in service answered {response.status_code}")
        body = _json(response)
        if response.status_code != 200:
            error = str(body.get("error") or response.status_code)
            if error == "invalid_grant":
                raise XeroNeedsReconnect(
                    "Xero no longer accepts Frontdesk's connection (it was revoked or unused "
                    "for 60 days). Reconnect to Xero; nothing waiting to go has been lost."
                )
            raise XeroRefused(f"Xero's sign-in service refused the request ({error})")
        return TokenSet.from_response(body, now)

    def exchange_code(
        self, client_id: str, code: str, redirect_uri: str, verifier: str, now: datetime
    ) -> TokenSet:
        return self._token_call(
            {
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            now,
        )

    def refresh(self, client_id: str, refresh_token: str, now: datetime) -> TokenSet:
        return self._token_call(
            {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token},
            now,
        )

    def connections(self, access_token: str) -> list[Tenant]:
        """The organisations this connection may use (GET /connections)."""
        try:
            response = self.http.get(
                self.endpoints.connections_url,
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except httpx.HTTPError as exc:
            raise XeroUnavailable(f"Xero did not answer ({exc})") from exc
        if response.status_code != 200:
            raise XeroUnavailable(f"Xero answered {response.status_code} listing organisations")
        items = response.json()
        return [
            Tenant(
                str(item["tenantId"]),
                str(item.get("tenantName") or ""),
                str(item.get("tenantType") or ""),
            )
            for item in items
            if str(item.get("tenantType") or "ORGANISATION") == "ORGANISATION"
        ]

    def revoke(self, client_id: str, refresh_token: str) -> None:
        try:
            self.http.post(
                self.endpoints.revocation_url,
                data={"token": refresh_token, "client_id": client_id},
            )
        except httpx.HTTPError as exc:
            raise XeroUnavailable(f"Xero did not answer ({exc})") from exc


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
