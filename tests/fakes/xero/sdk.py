"""Build a real xero-python (15.x) client pointed at a ``XeroFake``.

Applies the SDK traps from /work/shared/xero/NOTES.md:

* urllib3 retries are switched off on the SDK's pool, so a 429 (or 503 with
  Retry-After) surfaces at once instead of the SDK sleeping Retry-After;
  network failures then surface as raw urllib3 exceptions
  (``ProtocolError``, ``ReadTimeoutError``...);
* every call should pass ``_request_timeout=client.timeout``;
* the token getter returns exactly the keys ``OAuth2Token.update_token``
  accepts, with ``scope`` as a list and ``expires_at`` in *real* time (the SDK
  compares it with ``time.time()``; expiry on the fake's clock is the fake's
  business and shows up as HTTP 401).

The SDK's own refresh needs a client secret and a hard-coded token URL, so
refresh in tests goes through the fake's ``/connect/token`` with httpx.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.identity import IdentityApi

if TYPE_CHECKING:
    from .fake import XeroFake

DEFAULT_TIMEOUT: tuple[float, float] = (2.0, 10.0)
_TOKEN_KEYS = (
    "access_token",
    "refresh_token",
    "id_token",
    "scope",
    "expires_in",
    "token_type",
    "expires_at",
)


def token_for_sdk(token_response: dict[str, Any]) -> dict[str, Any]:
    """Turn a /connect/token JSON body into what the SDK's token getter must return."""
    token = {k: token_response[k] for k in _TOKEN_KEYS if k in token_response}
    scope = token.get("scope", [])
    token["scope"] = scope.split() if isinstance(scope, str) else list(scope)
    token.setdefault("token_type", "Bearer")
    if "expires_at" not in token and token.get("expires_in"):
        token["expires_at"] = time.time() + float(token["expires_in"])
    return token


def disable_retries(api_client: ApiClient) -> None:
    """Make the SDK's urllib3 pool never retry (and never sleep on Retry-After)."""
    pool_manager = api_client.rest_client.pool_manager
    pool_manager.connection_pool_kw["retries"] = False
    pool_manager.clear()


@dataclass
class SdkClient:
    """The SDK objects for one connection to the fake."""

    api_client: ApiClient
    accounting: AccountingApi
    identity: IdentityApi
    tenant_id: str
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    token: dict[str, Any] = field(default_factory=dict)

    def use_token(self, token_response: dict[str, Any]) -> None:
        """Switch to a new token (e.g. after a refresh through the fake)."""
        self.token.clear()
        self.token.update(token_for_sdk(token_response))


def make_sdk_client(
    fake: XeroFake,
    token_response: dict[str, Any] | None = None,
    *,
    tenant_id: str | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> SdkClient:
    """An SDK client for ``fake``; issues a token (all tenants) unless given one."""
    token_response = token_response if token_response is not None else fake.issue_token()
    token = token_for_sdk(token_response)
    config = Configuration(oauth2_token=OAuth2Token(client_id=fake.client_id))
    api_client = ApiClient(config, pool_threads=1)
    client = SdkClient(
        api_client=api_client,
        accounting=AccountingApi(api_client, base_url=fake.api_url),
        identity=IdentityApi(api_client, base_url=fake.base_url),
        tenant_id=tenant_id or fake.tenant_id,
        timeout=timeout,
        token=token,
    )

    def _get_token() -> dict[str, Any]:
        return dict(client.token)

    def _save_token(new_token: dict[str, Any]) -> None:
        client.use_token(new_token)

    api_client.oauth2_token_getter(_get_token)
    api_client.oauth2_token_saver(_save_token)

    disable_retries(api_client)
    return client
