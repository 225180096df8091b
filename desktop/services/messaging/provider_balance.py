"""The SMS provider's own balance, with the clinic's low-balance warning, and its billing page.

With Twilio or ClickSend the money is the provider's: Frontdesk shows the
balance it reports (Twilio's Balance API, ClickSend's account details) and
warns when it falls below the amount the clinic set (in whole units of the
account's currency); *Top up* opens the provider's billing page, where the
clinic pays and gets its receipts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop.domain.errors import InvalidInput
from desktop.services.context import ServiceContext
from desktop.services.messaging.clicksend_sms import BILLING_PAGE as CLICKSEND_BILLING
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.settings import MessagingSettings, SmsProvider
from desktop.services.messaging.sms_channel import provider_for
from desktop.services.messaging.sms_gateway import ProviderBalance, SmsGatewayError
from desktop.services.messaging.twilio_sms import BILLING_PAGE as TWILIO_BILLING

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
