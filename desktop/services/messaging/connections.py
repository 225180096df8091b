"""One open connection per clinic for a batch of sends (SMTP server or SMS gateway).

When a failure affects every message of a clinic (server down, key rejected), the
clinic is blocked for the rest of the batch: its remaining messages wait whole
instead of each timing out again, and the broken connection is closed at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Generic, Protocol, TypeVar

from desktop.domain.outbox import TryAgain
from desktop.services.messaging.settings import MessagingSettings
from desktop.services.messaging.sms_gateway import GatewayUnavailable
from desktop.services.messaging.smtp_sender import MailUnavailable


class Closable(Protocol):
    def close(self) -> None: ...


# The "not now" errors of the mail server and of the SMS gateway.
Unavailable = MailUnavailable | GatewayUnavailable
ConnectionT = TypeVar("ConnectionT", bound=Closable)


class ConnectionPerClinic(Generic[ConnectionT]):
    def __init__(self, make: Callable[[MessagingSettings], ConnectionT]) -> None:
        self._make = make
        self._open: dict[uuid.UUID, ConnectionT] = {}
        self._blocked: dict[uuid.UUID, Unavailable] = {}

    def get(self, settings: MessagingSettings) -> ConnectionT:
        """The clinic's connection, opened on first use; raises the blocking error again
        for a clinic already known to be unreachable in this batch."""
        blocked = self._blocked.get(settings.clinic_id)
        if blocked is not None:
            raise blocked
        if settings.clinic_id not in self._open:
            self._open[settings.clinic_id] = self._make(settings)
        return self._open[settings.clinic_id]

    def failed(
        self, clinic_id: uuid.UUID, exc: Unavailable, retry_after: timedelta | None = None
    ) -> TryAgain:
        if exc.affects_all:
            self._blocked[clinic_id] = exc
            connection = self._open.pop(clinic_id, None)
            if connection is not None:
                connection.close()
        return TryAgain(exc.reason, retry_after)

    def close(self) -> None:
        for connection in self._open.values():
            connection.close()
        self._open.clear()
