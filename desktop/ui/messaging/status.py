"""The status bar's SMS line: silent while the provider's balance is enough, a warning when low."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.services import calendar
from desktop.services.context import ServiceContext

if TYPE_CHECKING:
    from desktop.services.messaging.provider_balance import LowBalanceWatch
    from desktop.sync.client import ServerApi

# The server this desk follows, or None for a desk on its own.
FollowedServer = Callable[[], "ServerApi | None"]


class SmsBalanceLine:
    """Reads the warning for the clinic (called off the GUI thread by the status bar).

    The provider SDKs load with the first read, after the window is up, not with it.
    A desk that follows a server asks the server, which holds the provider's key.
    """

    def __init__(self, ctx: ServiceContext, server: FollowedServer = lambda: None) -> None:
        self.ctx = ctx
        self.server = server
        self._watch: LowBalanceWatch | None = None

    def text(self) -> str:
        """ "" when all is well; else e.g. "SMS balance low: 4.50 AUD left with ClickSend. …"."""
        api = self.server()
        if api is not None:
            from desktop.sync import remote_sms

            return remote_sms.badge(api)
        if self._watch is None:
            from desktop.services.messaging.provider_balance import LowBalanceWatch

            self._watch = LowBalanceWatch()
        return self._watch.status_text(self.ctx, calendar.main_clinic(self.ctx).id)
