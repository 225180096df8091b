"""Xero's "5 calls at once per organisation", held across every process on one database.

The desktop app, `frontdesk xero sync` from cron and a server-side worker may all
call the same organisation. Each call leases one of five rows of `xero_call_slots`
for that organisation (a conditional UPDATE, so two processes never take the same
row), and gives it back when Xero has answered. A lease outlasts the longest call
(connect + read timeout), so a process killed mid-call frees its place by itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from desktop.store.billing_models import XeroCallSlotRow
from desktop.store.database import Database

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]

CONCURRENT_CALLS = 5
# Longer than any one call may take (client.DEFAULT_TIMEOUT is 10 s + 60 s).
SLOT_LEASE = timedelta(seconds=90)
# How long to wait before looking again when all five places are taken.
SLOT_POLL = 0.25


class SharedCallSlots:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        sleep: Sleep,
        *,
        slots: int = CONCURRENT_CALLS,
        lease: timedelta = SLOT_LEASE,
    ) -> None:
        self.database = database
        self.clock = clock
        self.sleep = sleep
        self.slots = slots
        self.lease = lease
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:16]}"

    @contextmanager
    def slot(self, tenant_id: str) -> Iterator[int]:
        """Wait for a free place for this organisation, hold it during the block."""
        self._create_rows(tenant_id)
        while (taken := self._take(tenant_id)) is None:
            self.sleep(SLOT_POLL)
        try:
            yield taken
        finally:
            self._give_back(tenant_id, taken)

    def held(self, tenant_id: str) -> int:
        """Places taken now by any process (for tests and diagnostics)."""
        now = self.clock()
        with self.database.reading() as session:
            rows = session.execute(
                select(XeroCallSlotRow.slot).where(
                    XeroCallSlotRow.tenant_id == tenant_id, XeroCallSlotRow.held_until > now
                )
            ).all()
            return len(rows)

    def _create_rows(self, tenant_id: str) -> None:
        with self.database.write_session() as session:
            existing = set(
                session.execute(
                    select(XeroCallSlotRow.slot).where(XeroCallSlotRow.tenant_id == tenant_id)
                ).scalars()
            )
            missing = [n for n in range(self.slots) if n not in existing]
            if not missing:
                return
            for number in missing:
                session.add(XeroCallSlotRow(tenant_id=tenant_id, slot=number, holder=""))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another process made them first

    def _take(self, tenant_id: str) -> int | None:
        now = self.clock()
        free = or_(XeroCallSlotRow.held_until.is_(None), XeroCallSlotRow.held_until <= now)
        with self.database.write_session() as session:
            candidates = session.execute(
                select(XeroCallSlotRow.slot)
                .where(XeroCallSlotRow.tenant_id == tenant_id, free)
                .order_by(XeroCallSlotRow.slot)
            ).scalars()
            for number in list(candidates):
                result = session.execute(
                    update(XeroCallSlotRow)
                    .where(
                        XeroCallSlotRow.tenant_id == tenant_id,
                        XeroCallSlotRow.slot == number,
                        free,
                    )
                    .values(holder=self.holder, held_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                )
                if getattr(result, "rowcount", 0) == 1:
                    session.commit()
                    return int(number)
            session.rollback()
            return None

    def _give_back(self, tenant_id: str, number: int) -> None:
        with self.database.write_session() as session:
            session.execute(
                update(XeroCallSlotRow)
                .where(
                    XeroCallSlotRow.tenant_id == tenant_id,
                    XeroCallSlotRow.slot == number,
                    XeroCallSlotRow.holder == self.holder,
                )
                .values(holder="", held_until=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()
