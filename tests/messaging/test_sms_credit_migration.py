"""Migrations 0011_sms and 0012_smsdesk on a clinic that used the local SMS credit, on
SQLite and PostgreSQL: texts held for credit go back in the queue, receipts never
written are withdrawn, and the unused local balance leaves the store and the sync."""

from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import JSON, Connection, Uuid, column, insert, inspect, select, table, text

from desktop.domain.outbox import Channel, JobState
from desktop.services.messaging.compose import NO_MORE_RECEIPTS
from desktop.services.messaging.records import Purpose, add_message
from desktop.store import migrate
from desktop.store.messaging_models import SmsCreditPurchaseRow
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.types import UTCDateTime
from desktop.store.unit_of_work import UnitOfWork
from tests.messaging.conftest import Messaging

BEFORE = "0011_repeats"  # the revision 0011_sms follows


# Types of the columns written below, so that each dialect stores them as the store does.
_TYPES = {"id": Uuid(), "clinic_id": Uuid(), "entity_id": Uuid(), "data": JSON()}
_TYPES |= {"created_at": UTCDateTime(), "updated_at": UTCDateTime(), "purchased_at": UTCDateTime()}


def insert_row(connection: Connection, name: str, values: dict[str, object]) -> None:
    """Write a row into a table the models no longer describe (or not as it was then)."""
    connection.execute(insert(table(name, *(column(k, _TYPES.get(k)) for k in values))), values)


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


def test_the_unused_local_balance_leaves_the_store_and_the_sync(messaging: Messaging) -> None:
    m = messaging
    config = migrate.alembic_config()
    with m.ctx.database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011_waitlist")  # the revision 0012_smsdesk follows
        balance_id, purchase_id = uuid.uuid4(), uuid.uuid4()
        row = {"version": 1, "created_at": m.clock.now, "updated_at": m.clock.now}
        insert_row(
            connection,
            "sms_credit_accounts",
            {**row, "id": balance_id, "clinic_id": m.clinic_id, "balance": 120},
        )
        insert_row(
            connection,
            "sms_credit_purchases",
            {**row, "id": purchase_id, "clinic_id": m.clinic_id, "credits": 500}
            | {"amount_cents": 4500, "currency": "AUD", "purchased_by": "Olive Owner"}
            | {"purchased_at": m.clock.now},
        )
        insert_row(  # a desk had pulled the old balance but not yet applied it
            connection,
            "sync_inbox",
            {"entity": "sms_credit_accounts", "entity_id": balance_id, "seq": 7}
            | {"version": 1, "deleted": False, "data": None},
        )
    migrate.upgrade(m.ctx.database)
    with m.ctx.database.engine.connect() as connection:
        assert "sms_credit_accounts" not in inspect(connection).get_table_names()
        inbox = connection.execute(text("SELECT count(*) FROM sync_inbox")).scalar_one()
        assert inbox == 0
        if connection.dialect.name == "postgresql":  # no desk is sent the old balance again
            logged = connection.execute(
                text("SELECT count(*) FROM sync_changes WHERE entity = 'sms_credit_accounts'")
            ).scalar_one()
            assert logged == 0
    with m.ctx.database.reading() as session:  # old purchases stay readable
        purchase = session.get(SmsCreditPurchaseRow, purchase_id)
        assert purchase is not None and purchase.amount_cents == 4500
