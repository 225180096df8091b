"""SMS credit: buying bundles (with their receipt), the balance, charging each send.

A purchase, the higher balance and the receipt email to the clinic's billing
address are one transaction, so there is never a purchase without its receipt
queued. Then messages held for want of credit are released.

A send is charged once per outbox job (`sms_credit_charges.job_id` is unique),
before the gateway is called, by a single conditional UPDATE that cannot take
the balance below zero even with two workers racing; a retry after a crash
finds the charge and does not pay again, and a message the gateway refuses for
good gets its credit back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from desktop.domain.messages import is_email_address
from desktop.domain.money import Money
from desktop.domain.outbox import Channel, JobState
from desktop.domain.roles import Role
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging.records import Purpose, add_message
from desktop.services.messaging.settings import SmsProvider, settings_in
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.store.database import Database
from desktop.store.messaging_models import (
    SmsCreditAccountRow,
    SmsCreditChargeRow,
    SmsCreditPurchaseRow,
)
from desktop.store.models import ClinicRow
from desktop.store.outbox import OutboxQueue
from desktop.store.outbox_models import OutboxJobRow


@dataclass(frozen=True, slots=True)
class SmsBundle:
    credits: int
    price: Money  # GST inclusive

    @property
    def label(self) -> str:
        return f"{self.credits:,} SMS credits — {self.price}"


BUNDLES = (
    SmsBundle(200, Money(2000)),
    SmsBundle(1000, Money(9000)),
    SmsBundle(5000, Money(40000)),
)


@dataclass(frozen=True, slots=True)
class CreditPurchase:
    id: uuid.UUID
    credits: int
    amount: Money
    purchased_by: str
    purchased_at: datetime


@dataclass(frozen=True, slots=True)
class CreditsBought:
    purchase: CreditPurchase
    balance: int
    released: int  # held messages put back in the queue
    changes: Changes


def buy_sms_credits(
    ctx: ServiceContext, clinic_id: uuid.UUID, bundle: SmsBundle, clock: Clock = system_clock
) -> CreditsBought:
    actor = ctx.actor()
    if actor.role is Role.PRACTITIONER:
        raise PermissionDenied("Ask reception or an administrator to buy SMS credit.")
    if bundle.credits <= 0 or bundle.price.cents < 0:
        raise InvalidInput("A bundle needs a positive number of credits and a price.")
    now = clock()
    with ctx.unit_of_work() as uow:
        session = uow.session
        if session.get(ClinicRow, clinic_id) is None:
            raise NotFound("That clinic no longer exists.")
        if not is_email_address(settings_in(session, clinic_id).billing_email):
            raise InvalidInput(
                "Enter the clinic's billing email address in the messaging settings first: "
                "the receipt for every purchase is emailed there."
            )
        _account(session, clinic_id)
        session.execute(
            update(SmsCreditAccountRow)
            .where(SmsCreditAccountRow.clinic_id == clinic_id)
            .values(
                balance=SmsCreditAccountRow.balance + bundle.credits,
                version=SmsCreditAccountRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        purchase = SmsCreditPurchaseRow(
            id=uuid.uuid4(),
            clinic_id=clinic_id,
            credits=bundle.credits,
            amount_cents=bundle.price.cents,
            currency=bundle.price.currency,
            purchased_by=actor.name,
            purchased_at=now,
        )
        session.add(purchase)
        add_message(
            session,
            clinic_id=clinic_id,
            channel=Channel.EMAIL,
            purpose=Purpose.RECEIPT,
            subject_id=purchase.id,
            purchase=purchase,
        )
        uow.commit()
    with ctx.database.reading() as session:
        balance = balance_in(session, clinic_id)
    released = OutboxQueue(ctx.database).release_held(Channel.SMS, None, now)
    return CreditsBought(
        CreditPurchase(purchase.id, bundle.credits, bundle.price, actor.name, now),
        balance,
        released,
        Changes(billing=True, outbox=True, clinic=True),
    )


def _account(session: Session, clinic_id: uuid.UUID) -> SmsCreditAccountRow:
    row = session.execute(
        select(SmsCreditAccountRow).where(SmsCreditAccountRow.clinic_id == clinic_id)
    ).scalar_one_or_none()
    if row is None:
        row = SmsCreditAccountRow(clinic_id=clinic_id, balance=0)
        session.add(row)
        session.flush()
    return row


def balance_in(session: Session, clinic_id: uuid.UUID) -> int:
    value = session.execute(
        select(SmsCreditAccountRow.balance).where(SmsCreditAccountRow.clinic_id == clinic_id)
    ).scalar_one_or_none()
    return int(value or 0)


def sms_balance(ctx: ServiceContext, clinic_id: uuid.UUID) -> int:
    ctx.actor()
    with ctx.database.reading() as session:
        return balance_in(session, clinic_id)


def purchases(ctx: ServiceContext, clinic_id: uuid.UUID, limit: int = 20) -> list[CreditPurchase]:
    """The clinic's latest purchases, newest first."""
    ctx.actor()
    with ctx.database.reading() as session:
        rows = session.execute(
            select(SmsCreditPurchaseRow)
            .where(SmsCreditPurchaseRow.clinic_id == clinic_id)
            .order_by(SmsCreditPurchaseRow.purchased_at.desc())
            .limit(limit)
        ).scalars()
        return [
            CreditPurchase(
                r.id, r.credits, Money(r.amount_cents, r.currency), r.purchased_by, r.purchased_at
            )
            for r in rows
        ]


# --------------------------------------------------------------------------- warnings


@dataclass(frozen=True, slots=True)
class CreditStatus:
    balance: int
    warning_level: int
    held: int  # SMS waiting for credit
    # Only a custom relay uses local credit; Twilio bills the clinic itself.
    applies: bool = True

    @property
    def text(self) -> str:
        if not self.applies:
            return ""
        return low_credit_text(self.balance, self.warning_level, self.held)


def low_credit_text(balance: int, warning_level: int, held: int) -> str:
    """One line for the status bar; "" when there is nothing to say."""
    if held:
        waiting = "1 SMS is" if held == 1 else f"{held} SMS are"
        return f"SMS credit used up: {waiting} waiting. Buy SMS credit in Messaging settings."
    if balance <= 0:
        return "No SMS credit left: SMS reminders will wait until credit is bought."
    if balance <= warning_level:
        return f"SMS credit low: {balance:,} left."
    return ""


def credit_status(ctx: ServiceContext, clinic_id: uuid.UUID) -> CreditStatus:
    ctx.actor()
    with ctx.database.reading() as session:
        held = session.execute(
            select(func.count())
            .select_from(OutboxJobRow)
            .where(
                OutboxJobRow.channel == Channel.SMS.value,
                OutboxJobRow.state == JobState.HELD.value,
            )
        ).scalar_one()
        settings = settings_in(session, clinic_id)
        return CreditStatus(
            balance_in(session, clinic_id),
            settings.low_credit_warning,
            int(held),
            applies=settings.sms_provider is SmsProvider.RELAY,
        )


# --------------------------------------------------------------------------- charging


def charge(
    database: Database, clinic_id: uuid.UUID, job_id: uuid.UUID, credits: int, now: datetime
) -> bool:
    """Take `credits` for a job, once; False (and nothing taken) when the balance is short."""
    with database.write_session() as session:
        existing = session.execute(
            select(SmsCreditChargeRow).where(SmsCreditChargeRow.job_id == job_id)
        ).scalar_one_or_none()
        if existing is not None and existing.refunded_at is None:
            return True  # paid on an earlier attempt
        taken = session.execute(
            update(SmsCreditAccountRow)
            .where(
                SmsCreditAccountRow.clinic_id == clinic_id,
                SmsCreditAccountRow.balance >= credits,
            )
            .values(
                balance=SmsCreditAccountRow.balance - credits,
                version=SmsCreditAccountRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(taken, "rowcount", 0):
            session.rollback()
            return False
        if existing is None:
            session.add(
                SmsCreditChargeRow(
                    clinic_id=clinic_id, job_id=job_id, credits=credits, charged_at=now
                )
            )
        else:
            existing.credits, existing.charged_at, existing.refunded_at = credits, now, None
        session.commit()
        return True


def refund(database: Database, job_id: uuid.UUID, now: datetime) -> None:
    """Give back a job's credit (the gateway refused the message for good)."""
    with database.write_session() as session:
        paid = session.execute(
            select(SmsCreditChargeRow).where(
                SmsCreditChargeRow.job_id == job_id, SmsCreditChargeRow.refunded_at.is_(None)
            )
        ).scalar_one_or_none()
        if paid is None:
            return
        paid.refunded_at = now
        session.execute(
            update(SmsCreditAccountRow)
            .where(SmsCreditAccountRow.clinic_id == paid.clinic_id)
            .values(
                balance=SmsCreditAccountRow.balance + paid.credits,
                version=SmsCreditAccountRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
