"""One messaging pass, and the loop that repeats it (desktop worker or server daemon).

A pass: give coming appointments that have no reminder one (`reminders.sweep`),
send every email and SMS that is due through the shared outbox, and read the
provider's delivery reports and the replies patients texted. `frontdesk messages send-due --once` is one pass for cron.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from desktop.domain.outbox import Channel, JobState
from desktop.services import wait_list_offers
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders, replies
from desktop.services.messaging.email_channel import EmailChannel, SenderFactory, smtp_senders
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.sms_channel import (
    GatewayFactory,
    SmsChannel,
    read_delivery_reports,
    sms_providers,
)
from desktop.services.outbox_dispatch import Clock, DrainReport, drain, system_clock
from desktop.store import queries
from desktop.store.database import Database
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.outbox import OutboxQueue
from desktop.store.outbox_models import OutboxJobRow

LONGEST_IDLE = timedelta(minutes=1)
SHORTEST_IDLE = timedelta(seconds=2)
# The loop asks the gateway about delivery this often, not on every pass.
REPORTS_EVERY = timedelta(minutes=10)


@dataclass
class SendDueReport:
    reminders_queued: int = 0
    wait_list_offers: int = 0  # freed times offered by SMS to the wait list
    email: DrainReport = field(default_factory=DrainReport)
    sms: DrainReport = field(default_factory=DrainReport)
    emails_sent: int = 0
    sms_sent: int = 0
    not_needed: int = 0  # withdrawn at the last moment (cancelled, moved, opted out …)
    delivery_reports: int = 0
    replies: int = 0  # texts patients sent back, new this pass
    parked: list[str] = field(default_factory=list)  # every message waiting for a person
    retry_reasons: list[str] = field(default_factory=list)  # why messages wait (distinct)
    # A desk following a server sends nothing: the server does (set to its address).
    server_sends: str | None = None

    @property
    def ok(self) -> bool:
        return not self.parked

    @property
    def anything(self) -> bool:
        """Worth a line in a daemon's log: something was sent, failed or is stuck."""
        return bool(self.emails_sent or self.sms_sent or self.parked or self.retry_reasons)

    def summary(self) -> str:
        if self.server_sends:
            return f"Nothing sent here: the server at {self.server_sends} sends the messages."

        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        parts = [
            f"Sent {n(self.emails_sent, 'email', 'emails')} and {self.sms_sent} SMS",
            f"{n(self.email.retrying + self.sms.retrying, 'message', 'messages')} to retry later",
            f"{n(self.reminders_queued, 'reminder', 'reminders')} newly scheduled",
        ]
        if self.parked:
            parts.append(f"{n(len(self.parked), 'message', 'messages')} failed")
        return "; ".join(parts) + "."


def send_due(
    ctx: ServiceContext,
    *,
    senders: SenderFactory | None = None,
    gateways: GatewayFactory | None = None,
    clock: Clock = system_clock,
    rng: random.Random | None = None,
    read_reports: bool = True,
) -> SendDueReport:
    ctx.actor()
    database = ctx.database
    server = server_sending(database)
    if server is not None:
        return SendDueReport(server_sends=server)
    secrets = MessagingSecrets()
    senders = senders or smtp_senders(secrets)
    gateways = gateways or sms_providers(secrets, clock)
    report = SendDueReport()
    with ctx.unit_of_work() as uow:
        report.reminders_queued = reminders.sweep(uow.session, clock())
        report.wait_list_offers = wait_list_offers.offer_freed_slots(uow.session, clock())
        uow.commit()
    queue = OutboxQueue(database)
    emails = EmailChannel(database, queue, senders, clock)
    texts = SmsChannel(database, queue, gateways, clock)
    report.email = drain(queue, emails, clock, rng=rng)
    report.sms = drain(queue, texts, clock, rng=rng)
    report.emails_sent, report.sms_sent = emails.sent, texts.sent
    report.not_needed = emails.skipped + texts.skipped
    if read_reports:
        report.delivery_reports = read_delivery_reports(database, gateways, clock())
        report.replies = replies.poll_replies(database, gateways, clock())
    report.parked = _waiting_for_people(database)
    report.retry_reasons = _retry_reasons(database, clock())
    return report


def server_sending(database: Database) -> str | None:
    """The server that sends this clinic's messages when this database is a desk replica.

    One message sender per clinic: a desk following a server queues its messages
    (they sync up) and never sends, or two desks would both send each reminder.
    Asked on every pass, so a desk connected to a server while running stops at once.
    """
    with database.reading() as session:
        return queries.server_followed(session)


def _waiting_for_people(database: Database) -> list[str]:
    with database.reading() as session:
        rows = session.execute(
            select(
                OutboxJobRow.kind,
                OutboxJobRow.last_error,
                OutgoingMessageRow.recipient,
            )
            .outerjoin(OutgoingMessageRow, OutgoingMessageRow.job_id == OutboxJobRow.id)
            .where(
                OutboxJobRow.channel.in_([Channel.SMS.value, Channel.EMAIL.value]),
                OutboxJobRow.state == JobState.PARKED.value,
            )
            .order_by(OutboxJobRow.created_at)
        ).all()
    return [
        f"{kind.replace('.', ' ')}{f' to {to}' if to else ''}: {error}" for kind, error, to in rows
    ]


def _retry_reasons(database: Database, now: datetime) -> list[str]:
    """The distinct reasons messages failed for and wait to be tried again."""
    with database.reading() as session:
        reasons = session.execute(
            select(OutboxJobRow.last_error)
            .where(
                OutboxJobRow.channel.in_([Channel.SMS.value, Channel.EMAIL.value]),
                OutboxJobRow.state == JobState.PENDING.value,
                OutboxJobRow.attempts > 0,
                OutboxJobRow.next_attempt_at > now,
            )
            .distinct()
        ).scalars()
        return sorted(reason for reason in reasons if reason)


def next_due_at(database: Database) -> datetime | None:
    queue = OutboxQueue(database)
    times = [t for t in (queue.next_due_at(Channel.EMAIL), queue.next_due_at(Channel.SMS)) if t]
    return min(times, default=None)


class SendDueLoop:
    """Repeats `send_due` until stopped: when the next message is due, at least every
    minute (new bookings, the sweep), or at once after `wake()` (a booking was made)."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        on_report: Callable[[SendDueReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        senders: SenderFactory | None = None,
        gateways: GatewayFactory | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.ctx = ctx
        self.on_report = on_report
        self.on_error = on_error
        self.senders = senders
        self.gateways = gateways
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reports_read_at: datetime | None = None

    def run(self) -> None:
        """Run in the calling thread until `stop()` (the server daemon's main loop)."""
        while not self._stop.is_set():
            try:
                now = self.clock()
                read = self._reports_read_at is None or now - self._reports_read_at >= REPORTS_EVERY
                report = send_due(
                    self.ctx,
                    senders=self.senders,
                    gateways=self.gateways,
                    clock=self.clock,
                    read_reports=read,
                )
                if read:
                    self._reports_read_at = now
                if self.on_report is not None:
                    self.on_report(report)
                if report.server_sends:
                    self._wake.wait(LONGEST_IDLE.total_seconds())  # only to notice a change
                    self._wake.clear()
                    continue
            except Exception as exc:  # keep the loop alive; the caller shows the error
                if self.on_error is None:
                    raise
                self.on_error(exc)
            self._wake.wait(self._seconds_to_wait())
            self._wake.clear()

    def start(self) -> None:
        """Run in a background thread (the desktop app)."""
        self._thread = threading.Thread(target=self.run, name="messages-send-due", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _seconds_to_wait(self) -> float:
        wait = LONGEST_IDLE
        due = next_due_at(self.ctx.database)
        if due is not None:
            wait = max(SHORTEST_IDLE, min(wait, due - self.clock()))
        return wait.total_seconds()
