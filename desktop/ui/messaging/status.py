"""The status bar's SMS line: silent while the provider's balance is enough, a warning when low."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from desktop.services import calendar
from desktop.services.context import ServiceContext

if TYPE_CHECKING:
    from desktop.services.messaging.provider_balance import BalanceReport, LowBalanceWatch
    from desktop.services.messaging.settings import MessagingSettings
    from desktop.sync.client import ServerApi

# The server this desk follows, or None for a desk on its own.
FollowedServer = Callable[[], "ServerApi | None"]
ASK_SERVER_EVERY = timedelta(minutes=1)


class SmsBalanceLine:
    """Reads the warning for the clinic (called off the GUI thread by the status bar).

    The provider SDKs load with the first read, after the window is up, not with it.
    A desk that follows a server asks the server, which holds the provider's key.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        server: FollowedServer = lambda: None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.ctx = ctx
        self.server = server
        self.clock = clock
        self._watch: LowBalanceWatch | None = None  # asks the provider: a desk on its own
        self._server_watch: LowBalanceWatch | None = None  # asks the server it follows

    def text(self) -> str:
        """ "" when all is well; else e.g. "SMS balance low: 4.50 AUD left with ClickSend. …"."""
        from desktop.services.messaging.provider_balance import LowBalanceWatch
        from desktop.services.outbox_dispatch import system_clock

        clinic_id = calendar.main_clinic(self.ctx).id
        if self.server() is not None:
            if self._server_watch is None:
                # The server asks the provider every 15 minutes; a desk asks the server
                # every minute (or when the settings change), not on every refresh.
                self._server_watch = LowBalanceWatch(
                    clock=self.clock or system_clock, every=ASK_SERVER_EVERY, ask=self._ask_server
                )
            return self._server_watch.status_text(self.ctx, clinic_id)
        if self._watch is None:
            self._watch = LowBalanceWatch(clock=self.clock or system_clock)
        return self._watch.status_text(self.ctx, clinic_id)

    def _ask_server(
        self, _ctx: ServiceContext, _settings: MessagingSettings
    ) -> BalanceReport | None:
        from desktop.sync import remote_sms

        api = self.server()
        return remote_sms.balance_report(api) if api is not None else None
