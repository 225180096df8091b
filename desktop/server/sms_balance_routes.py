"""/v1/sms/balance: the SMS provider's balance, as the server's message sender sees it.

With a server, the provider's key is in the server machine's keyring (or its
FRONTDESK_SMS_API_KEY), not on the desks; a desk's low-balance badge and its
Settings ▸ Reminders and SMS balance ask here. The answer is kept per server
process and the provider is asked at most every 15 minutes (ASK_EVERY), however
many desks ask; several server instances each keep their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Depends, Request

from desktop.server.errors import ERROR_RESPONSES
from desktop.server.guards import ActingAs, Context, SignedInActor, rate_limited
from desktop.server.schemas import SmsBalanceOut
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.provider_balance import LowBalanceWatch
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.outbox_dispatch import system_clock

router = APIRouter(
    prefix="/sms", tags=["sms"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@router.get("/balance", summary="The SMS provider's balance and the clinic's low-balance warning")
def balance(request: Request, actor: SignedInActor, context: Context) -> SmsBalanceOut:
    ctx = ServiceContext(context.database, ActingAs(actor))
    checked = _watch(request).checked(ctx, calendar.main_clinic(ctx).id)
    report = checked.report
    return SmsBalanceOut(
        provider=checked.settings.sms_provider.value,
        balance=report.balance.amount if report is not None else None,
        currency=report.balance.currency if report is not None else "",
        low_threshold=checked.settings.low_credit_warning,
        low=report is not None and report.low,
        checked_at=checked.checked_at,
        problem=checked.problem,
    )


def balance_watch(
    secrets: MessagingSecrets | None, clock: Callable[[], datetime] | None
) -> LowBalanceWatch:
    """The server process's one watch (app.state.sms_balance_watch), on its clock."""
    return LowBalanceWatch(secrets, clock or system_clock)


def _watch(request: Request) -> LowBalanceWatch:
    watch: LowBalanceWatch = request.app.state.sms_balance_watch
    return watch
