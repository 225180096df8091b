"""The status bar's SMS line: silent while the provider's balance is enough, a warning when low."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.services import calendar
from desktop.services.context import ServiceContext

if TYPE_CHECKING:
    from desktop.services.messaging.provider_balance import LowBalanceWatch


class SmsBalanceLine:
    """Reads the warning for the clinic (called off the GUI thread by the status bar).

    The provider SDKs load with the first read, after the window is up, not with it.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._watch: LowBalanceWatch | None = None

    def text(self) -> str:
        """ "" when all is well; else e.g. "SMS balance low: 4.50 AUD left with ClickSend. …"."""
        if self._watch is None:
            from desktop.services.messaging.provider_balance import LowBalanceWatch

            self._watch = LowBalanceWatch()
        return self._watch.status_text(self.ctx, calendar.main_clinic(self.ctx).id)
