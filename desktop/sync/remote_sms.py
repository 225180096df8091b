"""A desk's view of the SMS provider's balance, which the server's sender reads.

With a server, the provider's key stays on the server machine and the server
sends the texts (desktop/server/senders.py), so the desk's low-balance badge and
its settings page ask the server (GET /v1/sms/balance) rather than the provider.
Every call here goes over the network: call it off the GUI thread.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from desktop.domain.errors import InvalidInput
from desktop.services.messaging.provider_balance import BalanceReport
from desktop.services.messaging.sms_gateway import ProviderBalance

if TYPE_CHECKING:  # the sync client (httpx) is loaded by whoever holds a ServerApi
    from desktop.sync.client import ServerApi


def balance_report(api: ServerApi) -> BalanceReport | None:
    """The balance as the server last read it; None when there is none to show (a relay,
    SMS not set up). A balance the server could not read, or a server out of reach,
    is an InvalidInput saying why."""
    from desktop.sync.client import Offline, ServerProtocolError

    try:
        body = api.sms_balance()
    except Offline as exc:
        raise InvalidInput(
            "The balance could not be read: the server is not reachable now."
        ) from exc
    except ServerProtocolError as exc:
        raise InvalidInput(f"The balance could not be read from the server: {exc}") from exc
    return report_from(body)


def which_secrets(api: ServerApi) -> dict[str, Any]:
    """Which messaging secrets the server's sender has (booleans, never the values;
    administrators only). A refusal or an unreachable server is an InvalidInput."""
    from desktop.sync.client import Offline, ServerProtocolError

    try:
        return api.messaging_secrets()
    except Offline as exc:
        raise InvalidInput("The server is not reachable now.") from exc
    except ServerProtocolError as exc:
        raise InvalidInput(f"The server did not say: {exc}") from exc


def keep_secrets(api: ServerApi, secrets: dict[str, str]) -> dict[str, Any]:
    """Hand the mail password / SMS secret typed at an administrator's desk to the server,
    where its sender reads them. A refusal or an unreachable server is an InvalidInput."""
    from desktop.sync.client import Offline, ServerProtocolError

    try:
        return api.keep_messaging_secrets(secrets)
    except Offline as exc:
        raise InvalidInput(
            "The password and key were not handed over: the server is not reachable now. "
            "They are still typed in; save again later."
        ) from exc
    except ServerProtocolError as exc:
        raise InvalidInput(f"The server did not keep the password and key: {exc}") from exc


def report_from(body: dict[str, Any]) -> BalanceReport | None:
    if body.get("problem"):
        raise InvalidInput(f"{body['problem']} (as the server's SMS sender sees it)")
    if body.get("balance") is None:
        return None
    found = ProviderBalance(Decimal(str(body["balance"])), str(body.get("currency") or ""))
    return BalanceReport(found, Decimal(int(body["low_threshold"])))
