"""The SMS provider's own balance, with the clinic's low-balance warning, and its billing page.

With Twilio or ClickSend the money is the provider's: Frontdesk shows the
balance it reports (Twilio's Balance API, ClickSend's account details) and
warns when it falls below the amount the clinic set (in whole units of the
account's currency); *Top up* opens the provider's billing page, where the
clinic pays and gets its receipts.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from desktop.domain.errors import InvalidInput
from desktop.services.context import ServiceContext
from desktop.services.messaging.clicksend_sms import BILLING_PAGE as CLICKSEND_BILLING
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.settings import MessagingSettings, SmsProvider, get_settings
from desktop.services.messaging.sms_channel import provider_for
from desktop.services.messaging.sms_gateway import ProviderBalance, SmsGatewayError
from desktop.services.messaging.twilio_sms import BILLING_PAGE as TWILIO_BILLING
from desktop.services.outbox_dispatch import Clock, system_clock

# The status bar's warning asks the provider this often, not on every refresh.
ASK_EVERY = timedelta(minutes=15)
# Reads the balance for the clinic's settings (the provider, or the server that asks it).
AskBalance = Callable[[ServiceContext, MessagingSettings], "BalanceReport | None"]
BILLING_PAGES = {SmsProvider.TWILIO: TWILIO_BILLING, SmsProvider.CLICKSEND: CLICKSEND_BILLING}


@dataclass(frozen=True, slots=True)
class BalanceReport:
    balance: ProviderBalance
    warn_below: Decimal

    @property
    def low(self) -> bool:
        return self.balance.amount < self.warn_below

    @property
    def text(self) -> str:
        shown = f"Balance: {self.balance.describe()}"
        return f"{shown} — low, top it up soon." if self.low else shown


def provider_balance(
    ctx: ServiceContext, settings: MessagingSettings, secrets: MessagingSecrets | None = None
) -> BalanceReport | None:
    """The provider's balance (a network call: run it off the GUI thread); None for a relay."""
    ctx.actor()
    if settings.sms_provider is SmsProvider.RELAY or not settings.sms_configured:
        return None
    secret = (secrets or MessagingSecrets()).sms_api_key(settings.clinic_id)
    if not secret:
        return None
    client = provider_for(settings, secret)
    try:
        found = client.balance()
    except SmsGatewayError as exc:
        raise InvalidInput(f"The balance could not be read. {exc.reason}") from exc
    finally:
        client.close()
    if found is None:
        return None
    return BalanceReport(found, Decimal(settings.low_credit_warning))


def low_balance_text(report: BalanceReport | None, provider: SmsProvider) -> str:
    """The status bar's SMS line: "" unless the provider's balance is below the warning."""
    if report is None or not report.low:
        return ""
    return (
        f"SMS balance low: {report.balance.describe()} left with {provider.label}. "
        "Top it up: Settings ▸ Reminders and SMS."
    )


@dataclass(frozen=True, slots=True)
class CheckedBalance:
    """What the provider last said, and when it was asked."""

    settings: MessagingSettings
    checked_at: datetime
    report: BalanceReport | None  # None: a relay, not set up, or no key here
    problem: str = ""  # why the balance could not be read, e.g. a refused key

    @property
    def status_text(self) -> str:
        return low_balance_text(self.report, self.settings.sms_provider)


class LowBalanceWatch:
    """The provider's balance, asked of it at most every `every`.

    The desk's status bar reads it every few seconds (off the GUI thread), and the
    server's /v1/sms/balance for every desk that asks: the provider is asked again
    only when that time has passed or the clinic's settings changed. A balance that
    cannot be read says nothing in the status bar: the settings page shows why.
    A desk following a server passes `ask` to read the server's answer instead.
    """

    def __init__(
        self,
        secrets: MessagingSecrets | None = None,
        clock: Clock = system_clock,
        every: timedelta = ASK_EVERY,
        ask: AskBalance | None = None,
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.every = every
        self.ask: AskBalance = ask or (lambda ctx, s: provider_balance(ctx, s, self.secrets))
        self._seen: dict[uuid.UUID, CheckedBalance] = {}
        self._lock = threading.Lock()

    def checked(self, ctx: ServiceContext, clinic_id: uuid.UUID) -> CheckedBalance:
        settings = get_settings(ctx, clinic_id)
        now = self.clock()
        with self._lock:
            seen = self._seen.get(clinic_id)
        if seen is not None and seen.settings == settings and now - seen.checked_at < self.every:
            return seen
        try:
            found = CheckedBalance(settings, now, self.ask(ctx, settings))
        except InvalidInput as exc:
            found = CheckedBalance(settings, now, None, str(exc))
        with self._lock:
            self._seen[clinic_id] = found
        return found

    def status_text(self, ctx: ServiceContext, clinic_id: uuid.UUID) -> str:
        return self.checked(ctx, clinic_id).status_text
