"""A valid access token on demand: refreshed before it expires, one refresher at a time.

Xero rotates the refresh token on every refresh. Two refreshers racing would each
spend the same refresh token and one would lose the connection, so refreshing is
serialised twice over: a lock per process (threads) and a lease row in the
database (other processes, other PCs on the same store). The new tokens are
saved to the vault *before* anything uses them, so a crash right after a refresh
never strands the only copy of the rotated refresh token.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from desktop.services import xero_settings
from desktop.services.xero_settings import ConnectionState, XeroConnection
from desktop.store.billing_models import XeroSettingsRow
from desktop.store.database import Database
from desktop.xero.errors import XeroNeedsReconnect, XeroNotConnected, XeroUnavailable
from desktop.xero.identity import IdentityClient
from desktop.xero.tokens import TokenSet, TokenVault

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]

REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before the token expires
LEASE = timedelta(seconds=60)
LEASE_POLL = 0.5

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(key: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


class RefreshLease:
    """A row lease in `xero_settings`: whoever holds it may refresh the token."""

    def __init__(self, database: Database, owner: str | None = None) -> None:
        self.database = database
        self.owner = owner or uuid.uuid4().hex

    def acquire(self, now: datetime) -> bool:
        with self.database.write_session() as session:
            result = session.execute(
                update(XeroSettingsRow)
                .where(
                    XeroSettingsRow.key == "main",
                    or_(
                        XeroSettingsRow.refresh_lock_until.is_(None),
                        XeroSettingsRow.refresh_lock_until < now,
                        XeroSettingsRow.refresh_lock_owner == self.owner,
                    ),
                )
                .values(refresh_lock_owner=self.owner, refresh_lock_until=now + LEASE)
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def release(self, expires_at: datetime | None = None) -> None:
        values: dict[str, object] = {"refresh_lock_owner": "", "refresh_lock_until": None}
        if expires_at is not None:
            values["token_expires_at"] = expires_at
        with self.database.write_session() as session:
            session.execute(
                update(XeroSettingsRow)
                .where(XeroSettingsRow.refresh_lock_owner == self.owner)
                .values(**values)
            )
            session.commit()


class TokenKeeper:
    def __init__(
        self,
        database: Database,
        vault: TokenVault,
        identity: IdentityClient,
        clock: Clock,
        sleep: Sleep,
    ) -> None:
        self.database = database
        self.vault = vault
        self.identity = identity
        self.clock = clock
        self.sleep = sleep
        self.lease = RefreshLease(database)

    def connection(self) -> XeroConnection:
        connection = xero_settings.read_connection(self.database)
        if connection.state is ConnectionState.DISCONNECTED or not connection.tenant_id:
            raise XeroNotConnected("Xero is not connected.")
        if connection.state is ConnectionState.NEEDS_RECONNECT:
            raise XeroNeedsReconnect(connection.message or "Xero needs to be reconnected.")
        return connection

    def tokens(self, rejected: str | None = None) -> TokenSet:
        """Valid tokens; `rejected` is an access token Xero just refused (401)."""
        connection = self.connection()
        key = connection.connection_key
        with _process_lock(key):
            current = self._stored(key)
            if not self._stale(current, rejected):
                return current
            return self._refresh(connection, rejected)

    def _stored(self, key: str) -> TokenSet:
        tokens = self.vault.load(key)
        if tokens is None:
            raise XeroNeedsReconnect(
                "This computer holds no Xero connection. Connect to Xero here, or run the "
                "Xero worker on the computer that connected."
            )
        return tokens

    def _stale(self, tokens: TokenSet, rejected: str | None) -> bool:
        if rejected is not None and tokens.access_token == rejected:
            return True
        return tokens.expires_within(self.clock(), REFRESH_MARGIN)

    def _refresh(self, connection: XeroConnection, rejected: str | None) -> TokenSet:
        key = connection.connection_key
        deadline = self.clock() + LEASE * 2
        while not self.lease.acquire(self.clock()):
            # Someone else is refreshing: wait for them, then use what they saved.
            self.sleep(LEASE_POLL)
            tokens = self._stored(key)
            if not self._stale(tokens, rejected):
                return tokens
            if self.clock() > deadline:
                raise XeroUnavailable("Another Frontdesk is renewing the Xero connection.")
        expires_at: datetime | None = None
        try:
            tokens = self._stored(key)  # they may have finished just before we got the lease
            if not self._stale(tokens, rejected):
                return tokens
            try:
                fresh = self.identity.refresh(
                    connection.client_id, tokens.refresh_token, self.clock()
                )
            except XeroNeedsReconnect as exc:
                xero_settings.mark_needs_reconnect(self.database, str(exc))
                raise
            self.vault.save(key, fresh)  # before use: the old refresh token is now spent
            expires_at = fresh.expires_at
            return fresh
        finally:
            self.lease.release(expires_at)
