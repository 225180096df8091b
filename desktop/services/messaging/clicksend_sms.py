"""ClickSend, through its official SDK (`clicksend-client`, module `clicksend`), behind `SmsGateway`.

The SDK talks to https://rest.clicksend.com; `FRONTDESK_CLICKSEND_API_URL` (or
`api_url`) points it elsewhere — the local ClickSend double in the tests, a
proxy — through the SDK's own `Configuration.host`. It signs in with HTTP basic
auth: the account's username and an API key (the key in the keyring). Every
request has a timeout. The SDK is large (two seconds to import), so it loads
with the first ClickSend client, off the GUI thread, not with the app.

What reminders use, and how:

* send — POST /v3/sms/send, one message with `custom_string` = our message id.
  ClickSend answers 200 for the request and a status per message: SUCCESS, or
  INVALID_RECIPIENT, BLOCKED (the recipient is on the account's opt-out list:
  `RecipientUnsubscribed`), INSUFFICIENT_CREDIT …, told apart here.
* never twice — ClickSend takes no idempotency key, so after a lost reply
  `find_sent` reads GET /v3/sms/history for the number since the first attempt
  and looks for our `custom_string`.
* delivery — GET /v3/sms/receipts/{message_id}: status code 201 is delivered,
  301 failed (with ClickSend's error text), 200 and 300 (retrying) not yet final;
  404 means no receipt yet.
* replies — GET /v3/sms/inbound (the account needs an inbound rule with the
  action POLL, which ClickSend sets up for API accounts).
* balance — GET /v3/account: `balance` in the account's `_currency`.

Errors are sorted like every provider's: HTTP 401/403 (wrong username or key),
429 and 5xx, network failures and INSUFFICIENT_CREDIT are `GatewayUnavailable`;
a message ClickSend refuses is `GatewayRejected` with ClickSend's words.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.services.messaging.sms_gateway import (
    DEFAULT_TIMEOUT,
    CredentialsRefused,
    DeliveryReport,
    GatewayRejected,
    GatewayUnavailable,
    InboundSms,
    ProviderBalance,
    RecipientUnsubscribed,
    SmsGatewayError,
    retry_after,
)
from desktop.services.outbox_dispatch import Clock, system_clock

if TYPE_CHECKING:
    from collections.abc import Callable

    from clicksend.exceptions import ApiException

API_URL_ENV = "FRONTDESK_CLICKSEND_API_URL"
CLICKSEND_API = "https://rest.clicksend.com"
BILLING_PAGE = "https://dashboard.clicksend.com/account/billing-recharge/top-up-account"
SOURCE = "frontdesk"
# How far back a lost send is looked for, and the most pages of history or inbound read.
LOOKUP_SLACK = timedelta(minutes=5)
PAGE_SIZE = 100
MOST_PAGES = 10
# ClickSend's own descriptions of its per-message statuses ("Post application status codes").
_REFUSALS = {
    "INVALID_RECIPIENT": "The destination address is invalid",
    "MISSING_REQUIRED_FIELDS": "Some required fields are missing",
    "INVALID_SENDER_ID": "The sender ID is not registered or not allowed",
    "EMPTY_MESSAGE": "The message is empty",
    "BLOCKED": "The recipient is on the account's opt-out list",
}
_NOT_NOW = {
    "INSUFFICIENT_CREDIT": "The ClickSend account has run out of credit: top it up",
    "THROTTLED": "ClickSend asked Frontdesk to slow down",
    "INTERNAL_ERROR": "ClickSend had a problem",
}
DELIVERED, FAILED = 201, 301

T = TypeVar("T")


class ClickSendSms:
    """One clinic's ClickSend account: send, find a lost send, delivery, replies, balance."""

    def __init__(
        self,
        username: str,
        api_key: str,
        *,
        api_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Clock = system_clock,
    ) -> None:
        import clicksend  # two seconds: only when a clinic sends through ClickSend

        configuration = clicksend.Configuration(
            host=(api_url or os.environ.get(API_URL_ENV) or CLICKSEND_API).rstrip("/"),
            username=username,
            password=api_key,
        )
        self._client = clicksend.ApiClient(configuration)
        self._sms = clicksend.SmsApi(self._client)
        self._account = clicksend.ManagementApi(self._client)
        self._timeout = timeout
        self._clock = clock

    def send(self, to: str, text: str, message_id: str, sender: str = "") -> str:
        import clicksend

        message = clicksend.SendSmsRequestMessagesInner(
            body=text, to=to, source=SOURCE, custom_string=message_id
        )
        if sender:
            message.var_from = sender
        request = clicksend.SendSmsRequest(messages=[message])
        answer = self._call(
            lambda: self._sms.send_sms(send_sms_request=request, _request_timeout=self._timeout)
        )
        sent = answer.data.messages if answer.data is not None else None
        if not sent:
            raise GatewayUnavailable(
                f"ClickSend answered without the message: {answer.response_msg or 'no reason'}."
            )
        status = sent[0].status or ""
        if status == "SUCCESS" and sent[0].message_id:
            return str(sent[0].message_id)
        raise _refused(status)

    def find_sent(self, to: str, text: str, since: datetime, message_id: str = "") -> str | None:
        """ClickSend's id of the message it already made to `to` since `since`: ours by the
        `custom_string` it keeps (by its text when there is no id to match)."""
        earliest = int((since - LOOKUP_SLACK).timestamp())
        for page in range(1, MOST_PAGES + 1):
            found = self._call(
                functools.partial(
                    self._sms.view_sms_history,
                    q=f"to:{to}",
                    date_from=earliest,
                    order_by="date:desc",
                    page=page,
                    limit=PAGE_SIZE,
                    _request_timeout=self._timeout,
                )
            ).data
            for sms in (found.data if found is not None else None) or []:
                ours = sms.custom_string == message_id if message_id else sms.body == text
                if ours and sms.message_id and sms.direction != "in":
                    return str(sms.message_id)
            if found is None or (found.current_page or 1) >= (found.last_page or 1):
                return None
        return None

    def delivery_report(self, gateway_id: str) -> DeliveryReport:
        from clicksend.exceptions import NotFoundException

        try:
            answer = self._call(
                lambda: self._sms.view_specific_sms_receipt(
                    gateway_id, _request_timeout=self._timeout
                ),
                not_found=NotFoundException,
            )
        except _NoReceiptYet:
            return DeliveryReport("sent")
        receipt = answer.data
        code = receipt.status_code if receipt is not None else None
        if code == DELIVERED:
            return DeliveryReport("delivered")
        if code == FAILED and receipt is not None:
            said = receipt.error_text or receipt.status_text or "no reason given"
            number = f"ClickSend error {receipt.error_code}" if receipt.error_code else "ClickSend"
            return DeliveryReport("failed", f"{said} ({number})")
        return DeliveryReport("sent")

    def replies(self, to_number: str, since: datetime) -> list[InboundSms]:
        """Texts patients sent to the clinic's number since `since` (polling, no webhook)."""
        after = since.timestamp()
        replies: list[InboundSms] = []
        for page in range(1, MOST_PAGES + 1):
            found = self._call(
                functools.partial(
                    self._sms.view_inbound_sms,
                    page=page,
                    limit=PAGE_SIZE,
                    _request_timeout=self._timeout,
                )
            ).data
            for sms in (found.data if found is not None else None) or []:
                when = sms.timestamp or 0
                if sms.message_id and when >= after and (not sms.to or sms.to == to_number):
                    replies.append(
                        InboundSms(
                            str(sms.message_id),
                            str(sms.var_from or ""),
                            str(sms.body or ""),
                            datetime.fromtimestamp(when, UTC),
                        )
                    )
            if found is None or (found.current_page or 1) >= (found.last_page or 1):
                break
        return replies

    def balance(self) -> ProviderBalance:
        account = self._call(
            lambda: self._account.view_account_details(_request_timeout=self._timeout)
        ).data
        if account is None:
            raise GatewayUnavailable("ClickSend answered without the account.")
        currency = account.currency.currency_name_short if account.currency is not None else ""
        try:
            return ProviderBalance(Decimal(str(account.balance)), str(currency or ""))
        except InvalidOperation as exc:
            raise GatewayUnavailable("ClickSend answered with an unreadable balance.") from exc

    def close(self) -> None:
        self._client.rest_client.pool_manager.clear()

    def _call(self, do: Callable[[], T], *, not_found: type[Exception] | None = None) -> T:
        import urllib3
        from clicksend.exceptions import ApiException

        try:
            return do()
        except ApiException as exc:
            if not_found is not None and isinstance(exc, not_found):
                raise _NoReceiptYet from exc
            raise self._sorted(exc) from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise GatewayUnavailable("ClickSend did not answer in time.", affects_all=True) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise GatewayUnavailable(f"Could not reach ClickSend: {exc}", affects_all=True) from exc

    def _sorted(self, exc: ApiException) -> SmsGatewayError:
        status = int(exc.status or 0)
        said = _said(exc)
        if status in (401, 403):
            return CredentialsRefused(f"ClickSend refused the username or API key: {said}.")
        if status == 429:
            headers = exc.headers or {}
            return GatewayUnavailable(
                f"ClickSend asked Frontdesk to slow down: {said}",
                retry_after(headers.get("Retry-After"), self._clock()),
                affects_all=True,
            )
        if status == 0 or status >= 500:
            return GatewayUnavailable(f"ClickSend had a problem: {said}")
        return GatewayRejected(f"ClickSend refused the message: {said}")


class _NoReceiptYet(Exception):
    """ClickSend has no delivery receipt for the message (yet)."""


def _refused(status: str) -> SmsGatewayError:
    """The error for a message ClickSend did not queue, from its per-message status."""
    if status in _NOT_NOW:
        return GatewayUnavailable(f"{_NOT_NOW[status]} ({status}).", affects_all=True)
    said = f"{_REFUSALS.get(status, 'The message was not queued')} ({status or 'no status'})"
    if status == "BLOCKED":
        return RecipientUnsubscribed(f"The patient has unsubscribed (opted out): {said}")
    return GatewayRejected(f"ClickSend refused the message: {said}")


def _said(exc: Any) -> str:
    """ClickSend's own words from an error body ({"response_code", "response_msg"})."""
    status = f"HTTP {exc.status}" if exc.status else "no answer"
    try:
        body = json.loads(exc.body or "")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"{exc.reason or 'no reason given'} ({status})"
    code = body.get("response_code") or status
    said = str(body.get("response_msg") or exc.reason or "no reason given").rstrip(". ")
    return f"{said} ({code})"
