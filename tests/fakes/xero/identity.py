"""Xero's identity service: OAuth2 auth-code + PKCE, refresh rotation, connections.

Models https://login.xero.com/identity/connect/authorize,
https://identity.xero.com/connect/token, /connect/revocation and
https://api.xero.com/connections:

* ``authorize`` validates the client and redirect URI, then immediately
  "consents" and returns the redirect to ``redirect_uri?code=..&state=..``
  (no browser; GET the authorize URL with httpx and read ``Location``).
* ``token`` exchanges a code (single use, 5-minute life, PKCE S256/plain
  verified) or rotates a refresh token: every refresh issues a new refresh
  token; the one it replaced keeps working for ``refresh_grace`` seconds
  (Xero: 30 minutes), then ``invalid_grant``. Refresh tokens also die after
  ``refresh_lifetime`` (60 days) and on revocation.
* Access tokens are HS256 JWTs with Xero's claims, valid for
  ``access_lifetime`` seconds of *fake* time.

Everything is keyed to the fake clock; no real time is read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .clock import FakeClock

KNOWN_SCOPES = frozenset(
    {
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.transactions",
        "accounting.transactions.read",
        "accounting.invoices",
        "accounting.invoices.read",
        "accounting.payments",
        "accounting.payments.read",
        "accounting.banktransactions",
        "accounting.banktransactions.read",
        "accounting.manualjournals",
        "accounting.manualjournals.read",
        "accounting.contacts",
        "accounting.contacts.read",
        "accounting.settings",
        "accounting.settings.read",
        "accounting.reports.read",
        "accounting.journals.read",
        "accounting.attachments",
        "accounting.attachments.read",
        "accounting.budgets.read",
    }
)

DEFAULT_CLIENT_ID = "FAKEXEROCLIENTID0000000000000000"
DEFAULT_USER_ID = "0d1f4c8e-5a7b-4c21-9a3e-7f0b2c6d9e11"


class OAuthError(Exception):
    """An OAuth error response: ``{"error": error}`` with an HTTP status."""

    def __init__(self, error: str, status: int = 400, description: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.description = description

    def body(self) -> dict[str, str]:
        out = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out


class AuthorizePageError(Exception):
    """Errors Xero shows on its login page instead of redirecting."""


class Unauthorized(Exception):
    """An API call with a missing, unknown or expired access token."""

    def __init__(self, detail: str, expired_at: datetime | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.expired_at = expired_at


@dataclass
class Client:
    client_id: str
    client_secret: str | None = None
    redirect_uris: list[str] | None = None  # None: any http loopback URI


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    issued_at: datetime
    auth_event_id: str
    user_id: str
    nonce: str | None = None
    used: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    user_id: str
    scopes: list[str]
    issued_at: datetime
    expires_at: datetime
    auth_event_id: str
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    user_id: str
    scopes: list[str]
    auth_event_id: str
    issued_at: datetime
    superseded_at: datetime | None = None
    revoked: bool = False
    replaced_by: list[str] = field(default_factory=list)


@dataclass
class Connection:
    id: str
    tenant_id: str
    tenant_name: str
    client_id: str
    user_id: str
    auth_event_id: str
    created: datetime
    updated: datetime
    tenant_type: str = "ORGANISATION"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "authEventId": self.auth_event_id,
            "tenantId": self.tenant_id,
            "tenantType": self.tenant_type,
            "tenantName": self.tenant_name,
            "createdDateUtc": _xero_utc(self.created),
            "updatedDateUtc": _xero_utc(self.updated),
        }


def _xero_utc(dt: datetime) -> str:
    """``2019-12-07T18:46:19.5165400`` - Xero's 7-digit, zone-less UTC."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """S256 code challenge for a verifier (helper for tests)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")


class Identity:
    """OAuth2 server state. Thread-safe; all times from the fake clock."""

    def __init__(
        self,
        clock: FakeClock,
        tenants: Callable[[], list[tuple[str, str]]],
        *,
        access_lifetime: int = 1800,
        refresh_grace: int = 1800,
        refresh_lifetime: int = 60 * 24 * 3600,
        code_lifetime: int = 300,
    ) -> None:
        self.clock = clock
        self._tenants = tenants
        self.access_lifetime = access_lifetime
        self.refresh_grace = refresh_grace
        self.refresh_lifetime = refresh_lifetime
        self.code_lifetime = code_lifetime
        self.jwt_secret = secrets.token_bytes(32)
        self.clients: dict[str, Client] = {DEFAULT_CLIENT_ID: Client(DEFAULT_CLIENT_ID)}
        self.codes: dict[str, AuthCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.connections: dict[str, Connection] = {}
        self.consent_tenant_ids: list[str] | None = None  # None: every tenant
        self.user_id = DEFAULT_USER_ID
        self._deny_next: list[str] = []
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ setup

    def register_client(
        self,
        client_id: str,
        *,
        client_secret: str | None = None,
        redirect_uris: list[str] | None = None,
    ) -> Client:
        with self._lock:
            client = Client(client_id, client_secret, redirect_uris)
            self.clients[client_id] = client
            return client

    def deny_next_authorization(self, error: str = "access_denied") -> None:
        with self._lock:
            self._deny_next.append(error)

    # ------------------------------------------------------------------ authorize

    def authorize(self, params: dict[str, str]) -> str:
        """Return the redirect Location for an authorize request."""
        with self._lock:
            client = self.clients.get(params.get("client_id", ""))
            if client is None:
                raise AuthorizePageError("unauthorized_client: unknown client_id")
            redirect_uri = params.get("redirect_uri", "")
            if client.redirect_uris is None:
                if not _is_loopback(redirect_uri):
                    raise AuthorizePageError("invalid redirect_uri (not a registered loopback URI)")
            elif redirect_uri not in client.redirect_uris:
                raise AuthorizePageError("invalid redirect_uri (not registered for this client)")
            state = params.get("state")

            def redirect(**query: str) -> str:
                if state is not None:
                    query["state"] = state
                return _with_query(redirect_uri, query)

            if self._deny_next:
                return redirect(error=self._deny_next.pop(0))
            if params.get("response_type") != "code":
                return redirect(error="unsupported_response_type")
            scopes = params.get("scope", "").split()
            if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
                return redirect(error="invalid_scope")
            challenge = params.get("code_challenge")
            method = params.get("code_challenge_method") or ("plain" if challenge else None)
            if client.client_secret is None and not challenge:
                return redirect(
                    error="invalid_request", error_description="code_challenge is required"
                )
            if method not in (None, "S256", "plain"):
                return redirect(
                    error="invalid_request", error_description="unsupported code_challenge_method"
                )
            auth_event_id = str(uuid.uuid4())
            code = AuthCode(
                code=secrets.token_urlsafe(32),
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                code_challenge=challenge,
                code_challenge_method=method,
                issued_at=self.clock.now(),
                auth_event_id=auth_event_id,
                user_id=self.user_id,
                nonce=params.get("nonce"),
            )
            self.codes[code.code] = code
            self._connect(client.client_id, self.user_id, auth_event_id)
            return redirect(
                code=code.code, scope=" ".join(scopes), session_state=secrets.token_hex(16)
            )

    def _connect(
        self, client_id: str, user_id: str, auth_event_id: str, tenant_ids: list[str] | None = None
    ) -> None:
        now = self.clock.now()
        wanted = tenant_ids if tenant_ids is not None else self.consent_tenant_ids
        for tenant_id, tenant_name in self._tenants():
            if wanted is not None and tenant_id not in wanted:
                continue
            existing = self._find_connection(client_id, user_id, tenant_id)
            if existing is not None:
                existing.auth_event_id = auth_event_id
                existing.updated = now
                existing.tenant_name = tenant_name
            else:
                conn = Connection(
                    str(uuid.uuid4()),
                    tenant_id,
                    tenant_name,
                    client_id,
                    user_id,
                    auth_event_id,
                    now,
                    now,
                )
                self.connections[conn.id] = conn

    def _find_connection(self, client_id: str, user_id: str, tenant_id: str) -> Connection | None:
        for conn in self.connections.values():
            if (
                conn.client_id == client_id
                and conn.user_id == user_id
                and conn.tenant_id == tenant_id
            ):
                return conn
        return None

    # ------------------------------------------------------------------ token endpoint

    def token(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        with self._lock:
            client = self._client_auth(form, authorization)
            grant = form.get("grant_type")
            if grant == "authorization_code":
                return self._grant_code(client, form)
            if grant == "refresh_token":
                return self._grant_refresh(client, form)
            if not grant:
                raise OAuthError("invalid_request")
            raise OAuthError("unsupported_grant_type")

    def _client_auth(self, form: dict[str, str], authorization: str | None) -> Client:
        client_id = form.get("client_id")
        secret = form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                raw = base64.b64decode(authorization[6:].strip()).decode("utf-8")
                client_id, _, secret = raw.partition(":")
            except (ValueError, UnicodeDecodeError) as exc:
                raise OAuthError("invalid_client") from exc
        client = self.clients.get(client_id or "")
        if client is None:
            raise OAuthError("invalid_client")
        if client.client_secret is not None and not hmac.compare_digest(
            client.client_secret, secret or ""
        ):
            raise OAuthError("invalid_client")
        return client

    def _grant_code(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        code = self.codes.get(form.get("code", ""))
        now = self.clock.now()
        if code is None or code.used or code.client_id != client.client_id:
            raise OAuthError("invalid_grant")
        if now > code.issued_at + timedelta(seconds=self.code_lifetime):
            raise OAuthError("invalid_grant")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant")
        if code.code_challenge:
            verifier = form.get("code_verifier", "")
            expected = (
                pkce_challenge(verifier) if code.code_challenge_method == "S256" else verifier
            )
            if not verifier or not hmac.compare_digest(expected, code.code_challenge):
                raise OAuthError("invalid_grant")
        code.used = True
        return self._issue(
            client.client_id, code.user_id, code.scopes, code.auth_event_id, nonce=code.nonce
        )

    def _grant_refresh(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        old = self.refresh_tokens.get(form.get("refresh_token", ""))
        now = self.clock.now()
        if old is None or old.revoked or old.client_id != client.client_id:
            raise OAuthError("invalid_grant")
        if now > old.issued_at + timedelta(seconds=self.refresh_lifetime):
            raise OAuthError("invalid_grant")
        if old.superseded_at is not None and now > old.superseded_at + timedelta(
            seconds=self.refresh_grace
        ):
            raise OAuthError("invalid_grant")
        if not any(
            c.client_id == old.client_id and c.user_id == old.user_id
            for c in self.connections.values()
        ):
            # every connection was removed: Xero treats the grant as gone
            raise OAuthError("invalid_grant")
        tokens = self._issue(client.client_id, old.user_id, old.scopes, old.auth_event_id)
        if old.superseded_at is None:
            old.superseded_at = now
        if "refresh_token" in tokens:
            old.replaced_by.append(tokens["refresh_token"])
        return tokens

    def _issue(
        self,
        client_id: str,
        user_id: str,
        scopes: list[str],
        auth_event_id: str,
        *,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        exp = now + timedelta(seconds=self.access_lifetime)
        claims = {
            "nbf": int(now.timestamp()),
            "exp": int(exp.timestamp()),
            "iss": "https://identity.xero.com",
            "aud": "https://identity.xero.com/resources",
            "client_id": client_id,
            "sub": user_id.replace("-", ""),
            "auth_time": int(now.timestamp()),
            "xero_userid": user_id,
            "global_session_id": uuid.uuid4().hex,
            "sid": uuid.uuid4().hex,
            "jti": uuid.uuid4().hex,
            "authentication_event_id": auth_event_id,
            "scope": scopes,
            "amr": ["pwd"],
        }
        access = self._jwt(claims)
        self.access_tokens[access] = AccessToken(
            access, client_id, user_id, list(scopes), now, exp, auth_event_id
        )
        out: dict[str, Any] = {
            "access_token": access,
            "expires_in": self.access_lifetime,
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        }
        if "openid" in scopes:
            out["id_token"] = self._jwt(
                {
                    "nbf": int(now.timestamp()),
                    "exp": int(now.timestamp()) + 300,
                    "iss": "https://identity.xero.com",
                    "aud": client_id,
                    "iat": int(now.timestamp()),
                    "nonce": nonce,
                    "auth_time": int(now.timestamp()),
                    "sub": user_id.replace("-", ""),
                    "xero_userid": user_id,
                    "email": "frontdesk.fake@example.com",
                    "given_name": "Fake",
                    "family_name": "User",
                    "preferred_username": "frontdesk.fake@example.com",
                    "global_session_id": claims["global_session_id"],
                    "sid": claims["sid"],
                }
            )
        if "offline_access" in scopes:
            refresh = secrets.token_hex(32)
            self.refresh_tokens[refresh] = RefreshToken(
                refresh, client_id, user_id, list(scopes), auth_event_id, now
            )
            out["refresh_token"] = refresh
        return out

    def _jwt(self, claims: dict[str, Any]) -> str:
        header = {"alg": "HS256", "kid": "xerofake", "typ": "JWT"}
        signing = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        sig = hmac.new(self.jwt_secret, signing.encode("ascii"), hashlib.sha256).digest()
        return signing + "." + _b64url(sig)

    def issue_token(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        scopes: list[str] | None = None,
        tenant_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """Skip the browser: connect tenants and return a token response."""
        with self._lock:
            if client_id not in self.clients:
                self.register_client(client_id)
            scopes = scopes or [
                "openid",
                "profile",
                "email",
                "offline_access",
                "accounting.transactions",
                "accounting.contacts",
                "accounting.settings",
            ]
            auth_event_id = str(uuid.uuid4())
            self._connect(client_id, self.user_id, auth_event_id, tenant_ids)
            return self._issue(client_id, self.user_id, scopes, auth_event_id)

    # ------------------------------------------------------------------ revocation

    def revoke(self, form: dict[str, str], authorization: str | None) -> None:
        """POST /connect/revocation: kill the refresh-token lineage and its connections."""
        with self._lock:
            client = self._client_auth(form, authorization)
            rt = self.refresh_tokens.get(form.get("token", ""))
            if rt is None or rt.client_id != client.client_id:
                return  # RFC 7009: unknown tokens are not an error
            self._revoke_lineage(rt)
            for conn_id in [
                c.id
                for c in self.connections.values()
                if c.client_id == rt.client_id and c.user_id == rt.user_id
            ]:
                del self.connections[conn_id]

    def _revoke_lineage(self, rt: RefreshToken) -> None:
        for other in self.refresh_tokens.values():
            if (
                other.client_id == rt.client_id
                and other.user_id == rt.user_id
                and other.auth_event_id == rt.auth_event_id
            ):
                other.revoked = True

    def revoke_refresh_token(self, token: str) -> None:
        """Test hook: this refresh token (only) now gets ``invalid_grant``."""
        with self._lock:
            if token in self.refresh_tokens:
                self.refresh_tokens[token].revoked = True

    def revoke_all_refresh_tokens(self) -> None:
        with self._lock:
            for rt in self.refresh_tokens.values():
                rt.revoked = True

    def invalidate_access_token(self, token: str) -> None:
        with self._lock:
            if token in self.access_tokens:
                self.access_tokens[token].revoked = True

    # ------------------------------------------------------------------ API access

    def check_access(self, authorization: str | None) -> AccessToken:
        with self._lock:
            if not authorization or not authorization.lower().startswith("bearer "):
                raise Unauthorized("AuthenticationUnsuccessful")
            at = self.access_tokens.get(authorization[7:].strip())
            if at is None or at.revoked:
                raise Unauthorized("AuthenticationUnsuccessful")
            if self.clock.now() >= at.expires_at:
                raise Unauthorized(
                    "TokenExpired: token expired at " + at.expires_at.strftime("%m/%d/%Y %H:%M:%S"),
                    at.expires_at,
                )
            return at

    def tenant_allowed(self, at: AccessToken, tenant_id: str) -> bool:
        with self._lock:
            return self._find_connection(at.client_id, at.user_id, tenant_id) is not None

    def connections_for(
        self, at: AccessToken, auth_event_id: str | None = None
    ) -> list[Connection]:
        with self._lock:
            return [
                c
                for c in self.connections.values()
                if c.client_id == at.client_id
                and c.user_id == at.user_id
                and (auth_event_id is None or c.auth_event_id == auth_event_id)
            ]

    def delete_connection(self, at: AccessToken, connection_id: str) -> bool:
        with self._lock:
            conn = self.connections.get(connection_id)
            if conn is None or conn.client_id != at.client_id or conn.user_id != at.user_id:
                return False
            del self.connections[connection_id]
            return True

    def disconnect_tenant(self, tenant_id: str) -> None:
        """Test hook: the user removed the app from this organisation in Xero."""
        with self._lock:
            for conn_id in [c.id for c in self.connections.values() if c.tenant_id == tenant_id]:
                del self.connections[conn_id]


def _with_query(uri: str, query: dict[str, str]) -> str:
    parts = urlsplit(uri)
    existing = parse_qs(parts.query, keep_blank_values=True)
    merged = [(k, v) for k, vs in existing.items() for v in vs] + list(query.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(merged), parts.fragment))
