"""xero-python's AccountingApi, made safe for a worker that must never hang or freeze.

* The SDK's urllib3 pool retries 429s itself and sleeps for Retry-After (hours,
  for a daily limit): its retries are switched off and 429 handled here.
* The SDK has no default timeout: every call passes `_request_timeout`.
* Tokens come from `TokenKeeper`, refreshed by us before they expire; a 401 gets
  one fresh token and one more try.
* Every call waits for the limiter first (one per organisation in the process)
  and for one of the organisation's five places (`SharedCallSlots`, across
  processes), and feeds it Xero's remaining-calls
  headers afterwards. Errors come out as the connector's own (errors.py).
* A 5xx or a dropped connection (`XeroHiccup`) is usually gone a second later:
  the same call goes again after `HICCUP_PAUSES`, with the same Idempotency-Key,
  so a write that did land is answered from Xero's memory, not made twice. Only
  then does the round end and the queue's backoff (15 s and up) take over; on a
  bad day that keeps one job's unlucky calls from growing into minutes of waiting.
* A 2xx answer the SDK cannot read (it raises while building its model, e.g.
  xero-python issue 159 after deleting an allocation) is `XeroReplyUnreadable`:
  Xero may well have acted, so the caller looks before it tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import ApiException

from desktop.services import xero_settings
from desktop.xero.call_slots import SharedCallSlots
from desktop.xero.errors import (
    XeroHiccup,
    XeroNeedsReconnect,
    XeroNotFound,
    XeroRateLimited,
    XeroRefused,
    XeroReplyUnreadable,
    XeroUnavailable,
    validation_messages,
)
from desktop.xero.limiter import XeroLimiter
from desktop.xero.token_keeper import TokenKeeper
from desktop.xero.tokens import TokenSet

Sleep = Callable[[float], None]

# (connect, read) seconds. A batch of 50 payments is well under a second for Xero;
# a long read timeout only guards against a connection that never answers.
DEFAULT_TIMEOUT = (10.0, 60.0)
# Waiting longer than this for a rate limit ends the round; the jobs come back later.
MAX_INLINE_WAIT = timedelta(seconds=65)
# The pauses before a call that hit a hiccup goes again (see the module docstring).
HICCUP_PAUSES = (timedelta(seconds=1), timedelta(seconds=2))


class XeroApi:
    def __init__(
        self,
        keeper: TokenKeeper,
        limiter: XeroLimiter,
        accounting_url: str,
        sleep: Sleep,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_inline_wait: timedelta = MAX_INLINE_WAIT,
        slots: SharedCallSlots | None = None,
        hiccup_pauses: tuple[timedelta, ...] = HICCUP_PAUSES,
    ) -> None:
        self.keeper = keeper
        self.hiccup_pauses = hiccup_pauses
        self.slots = slots
        self.limiter = limiter
        self.sleep = sleep
        self.timeout = timeout
        self.max_inline_wait = max_inline_wait
        self._local = threading.local()
        self.api_client = ApiClient(
            Configuration(oauth2_token=OAuth2Token()),
            pool_threads=1,
            oauth2_token_getter=self._token_for_sdk,
            oauth2_token_saver=lambda _token: None,  # we refresh, never the SDK
        )
        _disable_retries(self.api_client)
        _guard_replies(self.api_client)
        self.accounting = AccountingApi(self.api_client, base_url=accounting_url)
        self.calls = 0

    def _token_for_sdk(self) -> dict[str, Any]:
        tokens: TokenSet = self._local.tokens
        return tokens.for_sdk(self.keeper.clock())

    def tenant_id(self) -> str:
        return self.keeper.connection().tenant_id

    def call(self, operation: str, /, **arguments: Any) -> Any:
        """`AccountingApi.<operation>(tenant, **arguments)` with our guards around it.

        A read refused with a short 429 is asked again once the wait is over, as
        the worker does with its jobs, so `reconcile` and lookups do not give up on a
        Retry-After of 2 s. Writes end the round instead (the queue retries them).
        A hiccup (5xx, dropped connection) is tried again after a short pause.
        """
        reading = operation.startswith("get_")
        waited = timedelta(0)
        pauses = list(self.hiccup_pauses)
        while True:
            try:
                return self._call_once(operation, arguments)
            except XeroRateLimited as exc:
                if not reading or exc.after is None or waited + exc.after > self.max_inline_wait:
                    raise
                waited += exc.after
                # The limiter now knows the wait; the next try sleeps it out.
            except XeroHiccup:
                if not pauses:
                    raise
                self.sleep(pauses.pop(0).total_seconds())

    def _call_once(self, operation: str, arguments: dict[str, Any]) -> Any:
        tenant = self.tenant_id()
        rejected: str | None = None
        for _ in range(2):
            self._wait_for_limits()
            tokens = self.keeper.tokens(rejected)
            self._local.tokens = tokens
            try:
                return self._send(operation, tenant, arguments)
            except _Unauthorised:
                rejected = tokens.access_token
        raise XeroNeedsReconnect("Xero keeps refusing Frontdesk's sign-in; reconnect to Xero.")

    def _wait_for_limits(self) -> None:
        waited = timedelta(0)
        while True:
            wait, problem = self.limiter.wait_needed()
            if wait <= timedelta(0):
                return
            if waited + wait > self.max_inline_wait:
                raise XeroRateLimited(problem or "minute", wait)
            self.sleep(wait.total_seconds())
            waited += wait

    def _send(self, operation: str, tenant: str, arguments: dict[str, Any]) -> Any:
        method = getattr(self.accounting, operation)
        with self.limiter.slot(), self._shared_slot(tenant):
            self.limiter.record_call()
            self.calls += 1
            try:
                data, _status, headers = method(
                    tenant,
                    **arguments,
                    _request_timeout=self.timeout,
                    _return_http_data_only=False,
                )
            except ApiException as exc:
                raise self._translate(exc) from exc
            except urllib3.exceptions.ProtocolError as exc:
                # The connection dropped mid-call: Xero may have acted (a retry with
                # the same Idempotency-Key is answered from its memory).
                raise XeroHiccup(f"Xero dropped the connection ({type(exc).__name__})") from exc
            except urllib3.exceptions.HTTPError as exc:
                # Timeouts, refused or dropped connections: Xero may or may not have
                # acted on the request, so the job must look before it leaps again.
                raise XeroUnavailable(f"Xero did not answer ({type(exc).__name__})") from exc
        self.limiter.note_headers(_headers(headers))
        return data

    def _shared_slot(self, tenant: str) -> AbstractContextManager[object]:
        """One of the organisation's five places, shared with other processes."""
        return self.slots.slot(tenant) if self.slots is not None else nullcontext()

    def _translate(self, exc: ApiException) -> Exception:
        status = int(exc.status or 0)
        headers = _headers(exc.headers)
        self.limiter.note_headers(headers)
        if status == 429:
            problem = headers.get("X-Rate-Limit-Problem", "minute") if headers else "minute"
            retry = _seconds(headers.get("Retry-After") if headers else None)
            wait = self.limiter.note_refusal(problem, retry)
            return XeroRateLimited(problem, wait)
        if status == 401:
            return _Unauthorised()
        if status == 403:
            message = (
                "Xero refused access to the organisation (it was disconnected from Frontdesk, "
                "or permissions changed). Reconnect to Xero; nothing waiting has been lost."
            )
            xero_settings.mark_needs_reconnect(self.keeper.database, message)
            return XeroNeedsReconnect(message)
        if status == 404:
            return XeroNotFound("Xero has no such record.")
        if status == 400:
            messages = validation_messages(exc.body)
            return XeroRefused("; ".join(messages) or "Xero refused the request.")
        if status == 0:
            return XeroUnavailable(f"Xero could not be reached ({exc.reason})")
        message = f"Xero answered {status} {exc.reason or ''}".strip()
        return XeroHiccup(message) if status >= 500 else XeroUnavailable(message)


class _Unauthorised(Exception):
    """401: the access token was refused; get a fresh one and try once more."""


def _disable_retries(api_client: ApiClient) -> None:
    pool_manager = api_client.rest_client.pool_manager
    pool_manager.connection_pool_kw["retries"] = False
    pool_manager.clear()


def _guard_replies(api_client: ApiClient) -> None:
    """Turn the SDK's failures to read a reply into `XeroReplyUnreadable`.

    Only the reading of an answer is wrapped, so a mistake in building a request
    (which never reached Xero) still shows as the programming error it is.
    """
    read = api_client.deserialize

    def deserialize(response: Any, response_type: Any, model_finder: Any) -> Any:
        try:
            return read(response, response_type, model_finder)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise XeroReplyUnreadable(
                f"Xero's answer could not be read ({exc}); it may have acted, so it is checked"
                " before anything is sent again"
            ) from exc

    api_client.deserialize = deserialize


def _headers(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    items = raw.items() if isinstance(raw, Mapping) else raw
    return _Caseless({str(k): str(v) for k, v in items})


class _Caseless(dict[str, str]):
    def get(self, key: str, default: Any = None) -> Any:
        lowered = key.lower()
        for name, value in self.items():
            if name.lower() == lowered:
                return value
        return default


def _seconds(value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return timedelta(seconds=max(1, int(float(value))))
    except ValueError:
        return None
