"""Connecting Frontdesk to a Xero organisation: OAuth2 authorization code with PKCE.

The browser opens Xero's login page; Xero sends it back to our loopback server
with a code; we exchange the code (with the PKCE verifier, no client secret),
ask which organisations the login may use, pick one, keep the tokens in the
keyring and record the organisation in the database. Jobs held while Xero was
disconnected go again from there.
"""

from __future__ import annotations

import secrets
import uuid
import webbrowser
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from desktop.services import xero_settings
from desktop.services.xero_settings import XeroConnection
from desktop.store.database import Database
from desktop.xero.endpoints import XeroEndpoints, redirect_port_from_environment
from desktop.xero.errors import XeroError
from desktop.xero.identity import IdentityClient, Tenant, authorize_url, new_verifier
from desktop.xero.loopback import LoopbackReceiver
from desktop.xero.tokens import TokenSet, TokenVault, default_vault

ChooseTenant = Callable[[Sequence[Tenant]], Tenant]
OpenBrowser = Callable[[str], object]


def first_tenant(tenants: Sequence[Tenant]) -> Tenant:
    return tenants[0]


def connect(
    database: Database,
    client_id: str,
    *,
    endpoints: XeroEndpoints | None = None,
    vault: TokenVault | None = None,
    identity: IdentityClient | None = None,
    open_browser: OpenBrowser = webbrowser.open,
    choose_tenant: ChooseTenant = first_tenant,
    port: int | None = None,
    timeout: float = 300.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> XeroConnection:
    tokens, tenant = authorize(
        client_id,
        endpoints=endpoints,
        identity=identity,
        open_browser=open_browser,
        choose_tenant=choose_tenant,
        port=port,
        timeout=timeout,
        clock=clock,
    )
    return keep_connection(database, vault or default_vault(), client_id, tokens, tenant)


def authorize(
    client_id: str,
    *,
    endpoints: XeroEndpoints | None = None,
    identity: IdentityClient | None = None,
    open_browser: OpenBrowser = webbrowser.open,
    choose_tenant: ChooseTenant = first_tenant,
    port: int | None = None,
    timeout: float = 300.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[TokenSet, Tenant]:
    """Xero's sign-in in the browser: the tokens and the organisation chosen. A desk
    following a server hands them to the server (desktop.sync.remote_xero)."""
    if not client_id:
        raise XeroError(
            "No Xero app is configured: set FRONTDESK_XERO_CLIENT_ID to the client id of the "
            "clinic's Xero app (or pass --client-id)."
        )
    endpoints = endpoints or XeroEndpoints.from_environment()
    identity = identity or IdentityClient(endpoints)
    verifier, state = new_verifier(), secrets.token_urlsafe(24)
    with LoopbackReceiver(redirect_port_from_environment() if port is None else port) as receiver:
        url = authorize_url(endpoints, client_id, receiver.redirect_uri, state, verifier)
        open_browser(url)
        code = receiver.wait_for_code(state, timeout)
        redirect_uri = receiver.redirect_uri
    tokens = identity.exchange_code(client_id, code, redirect_uri, verifier, clock())
    tenants = identity.connections(tokens.access_token)
    if not tenants:
        raise XeroError("That Xero login has no organisation Frontdesk may use.")
    return tokens, choose_tenant(tenants)


def keep_connection(
    database: Database, vault: TokenVault, client_id: str, tokens: TokenSet, tenant: Tenant
) -> XeroConnection:
    """Keep the tokens in `vault` and record the organisation; held jobs go again."""
    # A fresh keyring entry per connection: reconnecting never mixes old and new tokens.
    key = uuid.uuid4().hex
    vault.save(key, tokens)
    previous = xero_settings.read_connection(database).connection_key
    connection = xero_settings.save_connection(
        database,
        client_id=client_id,
        connection_key=key,
        tenant_id=tenant.tenant_id,
        tenant_name=tenant.name,
        token_expires_at=tokens.expires_at,
    )
    if previous and previous != key:
        vault.delete(previous)
    return connection
