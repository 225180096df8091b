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
class _Seen:
    settings: MessagingSettings
    at: datetime
    text: str


class LowBalanceWatch:
    """The desk's low-balance warning, asking the provider at most every `every`.

    The status bar reads it every few seconds (off the GUI thread); the provider is
    asked again only when that time has passed or the clinic's settings changed.
    A balance that cannot be read says nothing here: the settings page shows why.
    """

    def __init__(
        self,
        secrets: MessagingSecrets | None = None,
        clock: Clock = system_clock,
        every: timedelta = ASK_EVERY,
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.every = every
        self._seen: dict[uuid.UUID, _Seen] = {}
        self._lock = threading.Lock()

    def status_text(self, ctx: ServiceContext, clinic_id: uuid.UUID) -> str:
        settings = get_settings(ctx, clinic_id)
        now = self.clock()
        with self._lock:
            seen = self._seen.get(clinic_id)
        if seen is not None and seen.settings == settings and now - seen.at < self.every:
            return seen.text
        try:
            report = provider_balance(ctx, settings, self.secrets)
        except InvalidInput:
            report = None
        text = low_balance_text(report, settings.sms_provider)
        with self._lock:
            self._seen[clinic_id] = _Seen(settings, now, text)
        return text
