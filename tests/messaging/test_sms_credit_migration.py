"""Migration 0011_sms on a clinic that used the local SMS credit, on SQLite and PostgreSQL:
texts held for credit go back in the queue, receipts never written are withdrawn."""

from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import select, text

from desktop.domain.outbox import Channel, JobState
from desktop.services.messaging.compose import NO_MORE_RECEIPTS
from desktop.services.messaging.records import Purpose, add_message
from desktop.store import migrate
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.unit_of_work import UnitOfWork
from tests.messaging.conftest import Messaging

BEFORE = "0011_repeats"  # the revision 0011_sms follows


def states(m: Messaging) -> dict[str, tuple[str, str]]:
    with m.ctx.database.reading() as session:
        rows = session.execute(
            select(OutboxJobRow.kind, OutboxJobRow.state, OutboxJobRow.last_error)
        )
        return {kind: (state, error) for kind, state, error in rows}


def test_held_texts_are_released_and_unwritten_receipts_withdrawn(messaging: Messaging) -> None:
    m = messaging
    m.reminder_time(m.book(9, 30))  # Sam's SMS and email reminders, queued
    with UnitOfWork(m.ctx.database) as uow:  # a credit receipt queued, not yet written
        add_message(
            uow.session,
            clinic_id=m.clinic_id,
            channel=Channel.EMAIL,
            purpose=Purpose.RECEIPT,
            subject_id=uuid.uuid4(),
        )
        uow.commit()
    config = migrate.alembic_config()
    with m.ctx.database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
        connection.execute(text("UPDATE outbox_jobs SET state = 'held' WHERE channel = 'sms'"))
    migrate.upgrade(m.ctx.database)
    found = states(m)
    assert found["sms.reminder"][0] == JobState.PENDING.value  # no credit to wait for any more
    assert found["email.reminder"][0] == JobState.PENDING.value  # untouched
    assert found["email.receipt"] == (JobState.SUPERSEDED.value, NO_MORE_RECEIPTS)
    report = m.send_due()
    assert report.sms_sent == 1 and report.emails_sent == 1 and report.ok
