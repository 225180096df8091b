"""Twilio, through its official `twilio` SDK, behind the `SmsGateway` interface.

The SDK talks to https://api.twilio.com; `FRONTDESK_TWILIO_API_URL` (or `api_url`)
points it elsewhere — the local Twilio double in the tests, a proxy — through a
custom HTTP client, the SDK's own way to change how requests go out. Every
request has a timeout.

Twilio has no idempotency key, so a send that may have happened (the reply was
lost, the sender crashed) is first looked for with `find_sent`: the messages
Twilio made to that number since the first attempt, with the same text.

When the sender runs beside `frontdesk server` and FRONTDESK_PUBLIC_URL gives the
server's public address, every text carries a `StatusCallback` to the server's
signed webhook, so delivery arrives as it happens; a desk alone polls instead.

Twilio's errors are sorted like every provider's: 21211 (not a number) and other
message errors are `GatewayRejected` with Twilio's own words; 21610 (the patient
texted STOP) is `RecipientUnsubscribed`; 20003 (bad SID or token), 429 and 5xx
are `GatewayUnavailable` for the whole clinic.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

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
)

API_URL_ENV = "FRONTDESK_TWILIO_API_URL"
# The address of the clinic's `frontdesk server` as Twilio reaches it (set on the server).
PUBLIC_URL_ENV = "FRONTDESK_PUBLIC_URL"
TWILIO_API = "https://api.twilio.com"
BILLING_PAGE = "https://console.twilio.com/us1/billing/manage-billing/billing-overview"
# How far back a lost send is looked for, and how many of the number's messages are read.
LOOKUP_SLACK = timedelta(minutes=5)
LOOKUP_LIMIT = 50
_FINAL = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}


class _RedirectedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """The SDK's HTTP client, sending to `base_url` instead of api.twilio.com."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def status_callback_url(clinic_id: uuid.UUID) -> str:
    """Where Twilio reports a text's delivery: the server's signed webhook, when this
    process knows the server's public address; "" on a desk alone (it polls instead)."""
    public = public_url()
    return f"{public}/v1/sms/twilio/{clinic_id}/status" if public else ""


def public_url() -> str:
    """The server's address as the world reaches it (FRONTDESK_PUBLIC_URL), or ""."""
    public = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    return public if public.startswith(("https://", "http://")) else ""


def is_messaging_service(sender: str) -> bool:
    return sender.startswith("MG") and len(sender) == 34


class TwilioSms:
    """One clinic's Twilio account: send, find a lost send, delivery, replies, balance."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        status_callback: str = "",
    ) -> None:
        self._status_callback = status_callback
        base = api_url or os.environ.get(API_URL_ENV) or TWILIO_API
        http = _RedirectedHttpClient(base, timeout) if base != TWILIO_API else None
        if http is None:
            http = TwilioHttpClient(timeout=timeout)
        self._account = account_sid
        self._client = Client(account_sid, auth_token, http_client=http)

    def send(self, to: str, text: str, message_id: str, sender: str = "") -> str:  # noqa: ARG002
        # Twilio takes no idempotency key: `find_sent` is how a retry avoids a second text.
        kwargs: dict[str, Any] = {"to": to, "body": text}
        if is_messaging_service(sender):
            kwargs["messaging_service_sid"] = sender
        else:
            kwargs["from_"] = sender
        if self._status_callback:
            kwargs["status_callback"] = self._status_callback
        message = self._call(lambda: self._client.messages.create(**kwargs))
        return str(message.sid)

    def find_sent(
        self,
        to: str,
        text: str,
        since: datetime,
        message_id: str = "",  # noqa: ARG002
    ) -> str | None:
        """The message Twilio already made to `to` with this text since `since`, if any
        (Twilio keeps no reference of ours, so `message_id` cannot be matched)."""
        earliest = since - LOOKUP_SLACK
        messages = self._call(lambda: self._client.messages.list(to=to, limit=LOOKUP_LIMIT))
        for message in messages:
            created = message.date_created
            if message.body == text and (created is None or created >= earliest):
                return str(message.sid)
        return None

    def delivery_report(self, gateway_id: str) -> DeliveryReport:
        message = self._call(lambda: self._client.messages(gateway_id).fetch())
        status = str(message.status or "")
        if status not in _FINAL:
            return DeliveryReport(status)
        detail = ""
        if message.error_code:
            said = message.error_message or "no reason given"
            detail = f"{said} (Twilio error {message.error_code})"
        return DeliveryReport(_FINAL[status], detail if status != "delivered" else "")

    def replies(self, to_number: str, since: datetime) -> list[InboundSms]:
        """Texts patients sent to the clinic's number since `since` (polling, no webhook)."""
        messages = self._call(
            lambda: self._client.messages.list(
                to=to_number, date_sent_after=since, limit=LOOKUP_LIMIT
            )
        )
        return [
            InboundSms(str(m.sid), str(m.from_), str(m.body or ""), m.date_sent or since)
            for m in messages
            if m.direction == "inbound"
        ]

    def balance(self) -> ProviderBalance:
        found = self._call(lambda: self._client.api.v2010.account.balance.fetch())
        try:
            return ProviderBalance(Decimal(str(found.balance)), str(found.currency or ""))
        except InvalidOperation as exc:
            raise GatewayUnavailable("Twilio answered with an unreadable balance.") from exc

    def close(self) -> None:
        """Nothing to close: the SDK's session is dropped with the client."""

    def _call(self, do: Any) -> Any:
        try:
            return do()
        except TwilioRestException as exc:
            raise _sorted(exc) from exc
        except requests.Timeout as exc:
            raise GatewayUnavailable("Twilio did not answer in time.", affects_all=True) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise GatewayUnavailable(f"Could not reach Twilio: {exc}", affects_all=True) from exc


def _sorted(exc: TwilioRestException) -> SmsGatewayError:
    said = f"{exc.msg} (Twilio error {exc.code})" if exc.code else f"{exc.msg} ({exc.status})"
    if exc.code == 21610:
        return RecipientUnsubscribed(f"The patient has unsubscribed (replied STOP): {said}")
    if exc.status in (401, 403) or exc.code == 20003:
        return CredentialsRefused(f"Twilio refused the account SID or auth token: {said}.")
    if exc.status == 429:
        return GatewayUnavailable(f"Twilio asked Frontdesk to slow down: {said}", affects_all=True)
    if exc.status >= 500:
        return GatewayUnavailable(f"Twilio had a problem: {said}")
    return GatewayRejected(f"Twilio refused the message: {said}")
