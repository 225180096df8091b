"""The SMS gateway, behind a small interface, and its HTTP client (httpx).

`SmsGateway` is all the rest of Frontdesk knows: send a text to a number with
our message id, get the gateway's id back; ask later whether it was delivered.
`HttpSmsGateway` speaks this JSON API (the clinic's provider, or a small relay
in front of it, implements it; tests run it against tests/fakes/sms_gateway.py):

    POST {base}/messages        Authorization: Bearer <key>
                                Idempotency-Key: <our message id>
         {"to": "+61412345678", "text": "...", "sender": "Harbourside"}
      -> 201 {"id": "gw-123", "status": "queued", "segments": 1}
         A repeat with the same Idempotency-Key sends nothing and answers the same id,
         so a retry after a crash or a timeout never texts the patient twice.
    GET  {base}/messages/{id}   -> 200 {"id": "gw-123", "status": "delivered", "error": ""}

Errors are sorted by what should happen next: `GatewayRejected` (4xx about the
message: park it, a person fixes it) or `GatewayUnavailable` (429 with
Retry-After, 5xx, timeouts, connection refused, a refused key: try again later;
`affects_all` says the other messages of the batch would fail the same way).
Every request has a timeout.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # httpx loads with the first gateway, not with every screen
    import httpx

from desktop.services.outbox_dispatch import Clock, system_clock

DEFAULT_TIMEOUT = 15.0
LONGEST_RETRY_AFTER = timedelta(hours=6)


class SmsGatewayError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayRejected(SmsGatewayError):
    """The gateway will never send this message as it is (bad number, text refused)."""


class RecipientUnsubscribed(GatewayRejected):
    """The patient opted out with the provider (replied STOP): it will not text them."""


class GatewayUnavailable(SmsGatewayError):
    """Not now: try again after `retry_after` (or a back-off when None)."""

    def __init__(
        self, reason: str, retry_after: timedelta | None = None, *, affects_all: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.affects_all = affects_all


class CredentialsRefused(GatewayUnavailable):
    """The provider refused the clinic's account or key: nothing goes until a person
    fixes them. `refusal` is what the provider said, without where to fix it: the
    message log points to the settings, the settings page to its own fields."""

    def __init__(
        self, refusal: str, fix: str = "Check them in Settings ▸ Reminders and SMS."
    ) -> None:
        super().__init__(f"{refusal} {fix}", affects_all=True)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    status: str  # "queued", "sent", "delivered" or "failed"
    detail: str = ""

    @property
    def final(self) -> bool:
        return self.status in ("delivered", "failed")


@dataclass(frozen=True, slots=True)
class InboundSms:
    """A text a patient sent to the clinic's number, as the provider reports it."""

    provider_id: str
    sender: str  # the patient's number, E.164
    text: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ProviderBalance:
    """The money left on the clinic's account with its SMS provider."""

    amount: Decimal
    currency: str

    def describe(self) -> str:
        return f"{self.amount:,.2f} {self.currency}".strip()


class SmsGateway(Protocol):
    def send(self, to: str, text: str, message_id: str, sender: str = "") -> str:
        """Hand one text to the gateway; returns the gateway's id for it."""
        ...

    def find_sent(self, to: str, text: str, since: datetime, message_id: str = "") -> str | None:
        """The provider's id of a message it already made to `to` since `since` (after a
        lost reply) — ours by `message_id` where the provider keeps it, else by its text —
        or None when it made none."""
        ...

    def delivery_report(self, gateway_id: str) -> DeliveryReport: ...

    def replies(self, to_number: str, since: datetime) -> list[InboundSms]:
        """Texts patients sent to `to_number` since `since` (polling without a webhook)."""
        ...

    def balance(self) -> ProviderBalance | None:
        """The account's balance as the provider reports it; None when it has none."""
        ...

    def close(self) -> None: ...


class HttpSmsGateway:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Clock = system_clock,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        import httpx

        self.clock = clock
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "Frontdesk"},
            timeout=timeout,
            transport=transport,
        )

    def send(self, to: str, text: str, message_id: str, sender: str = "") -> str:
        body: dict[str, Any] = {"to": to, "text": text}
        if sender:
            body["sender"] = sender
        response = self._request(
            "POST", "/messages", json=body, headers={"Idempotency-Key": message_id}
        )
        gateway_id = _json(response).get("id")
        if not gateway_id:
            raise GatewayUnavailable("The SMS gateway accepted the message but gave no id.")
        return str(gateway_id)

    def find_sent(
        self,
        to: str,  # noqa: ARG002
        text: str,  # noqa: ARG002
        since: datetime,  # noqa: ARG002
        message_id: str = "",  # noqa: ARG002
    ) -> str | None:
        return None  # a repeat with the same Idempotency-Key answers the first message

    def delivery_report(self, gateway_id: str) -> DeliveryReport:
        data = _json(self._request("GET", f"/messages/{gateway_id}"))
        return DeliveryReport(str(data.get("status", "")), str(data.get("error") or ""))

    def replies(self, to_number: str, since: datetime) -> list[InboundSms]:  # noqa: ARG002
        return []  # a relay has no inbox to read

    def balance(self) -> ProviderBalance | None:
        return None  # a relay reports no balance: whoever is behind it bills the clinic

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise GatewayUnavailable(
                f"The SMS gateway did not answer in time ({type(exc).__name__}).", affects_all=True
            ) from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailable(
                f"Could not reach the SMS gateway: {exc}", affects_all=True
            ) from exc
        if response.is_success:
            return response
        raise self._error(response)

    def _error(self, response: httpx.Response) -> SmsGatewayError:
        status, said = response.status_code, _said(response)
        if status == 429:
            return GatewayUnavailable(
                "The SMS gateway asked Frontdesk to slow down (429).",
                retry_after(response.headers.get("Retry-After"), self.clock()),
                affects_all=True,
            )
        if status in (401, 403):
            return CredentialsRefused(
                f"The SMS gateway refused the API key ({status}).",
                "Check the key in Settings ▸ Reminders and SMS.",
            )
        if status == 402:
            return GatewayUnavailable(
                f"The SMS gateway account cannot pay for messages (402){said}.", affects_all=True
            )
        if status >= 500:
            return GatewayUnavailable(
                f"The SMS gateway had a problem ({status}){said}.",
                retry_after(response.headers.get("Retry-After"), self.clock()),
            )
        return GatewayRejected(f"The SMS gateway refused the message ({status}){said}.")


def retry_after(header: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        wait = timedelta(seconds=int(header))
    else:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = when - now
    return max(timedelta(0), min(wait, LONGEST_RETRY_AFTER))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise GatewayUnavailable(
            "The SMS gateway answered with something that is not JSON."
        ) from exc
    if not isinstance(data, dict):
        raise GatewayUnavailable("The SMS gateway answered with an unexpected shape.")
    return data


def _said(response: httpx.Response) -> str:
    """The gateway's own words, if it gave any, for the message log."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return f": {text[:200]}" if text else ""
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if data.get(key):
                return f": {data[key]}"
    return ""
