"""The clinic's Xero connection as the screens see it: state, account mapping, the queue.

The connection itself (OAuth, tokens, the worker) lives in `desktop.xero`; this
module is what the UI, the CLI and the worker share through the database: which
organisation is connected, whether it needs reconnecting, which accounts
invoices and payments go to, and the Xero jobs waiting, retrying or refused.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.domain import xero_sync
from desktop.domain.billing import PaymentMethod
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.errors import InvalidInput, NotFound
from desktop.domain.outbox import Channel, JobState, OutboxJob
from desktop.domain.xero_sync import SyncStatus
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.billing_models import (
    InvoiceRow,
    PaymentRow,
    RefundRow,
    XeroContactRow,
    XeroSettingsRow,
)
from desktop.store.database import Database
from desktop.store.models import ClinicRow
from desktop.store.outbox import THEIR_WORDS, OutboxQueue, to_job
from desktop.store.outbox_models import OutboxJobRow


class ConnectionState(enum.StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"

    @property
    def label(self) -> str:
        return {
            "disconnected": "Not connected",
            "connected": "Connected",
            "needs_reconnect": "Needs reconnecting",
        }[self.value]


# Xero's standard chart names this "Income in Advance" (a current liability); a
# clinic whose chart has another account picks it in Settings ▸ Xero ▸ Accounts.
DEFAULT_ADVANCE_ACCOUNT = "835"


class InvoiceDateBasis(enum.StrEnum):
    """Which date an invoice carries in Xero, so its income lands in that period."""

    SERVICE = "service"  # the date of service (default)
    RAISED = "raised"  # the day the invoice was made

    @property
    def label(self) -> str:
        return {"service": "Date of service", "raised": "Date raised"}[self.value]


@dataclass(frozen=True, slots=True)
class ChartAccount:
    """One account of the organisation's chart, as the Accounts settings offer it."""

    code: str
    name: str
    kind: str  # Xero's account type: REVENUE, BANK, CURRLIAB ...

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_current_liability(self) -> bool:
        return self.kind == "CURRLIAB"


@dataclass(frozen=True, slots=True)
class XeroConnection:
    state: ConnectionState = ConnectionState.DISCONNECTED
    message: str = ""
    tenant_id: str = ""
    tenant_name: str = ""
    client_id: str = ""
    connection_key: str = ""
    income_account_code: str = "200"
    bank_account_code: str = "090"
    payment_accounts: dict[str, str] = field(default_factory=dict)
    tax_type: str = "EXEMPTOUTPUT"
    # Credit not used yet (prepayments, overpayments) is owed to the patient: a
    # current liability ("income in advance"), never income.
    advance_account_code: str = DEFAULT_ADVANCE_ACCOUNT
    invoice_date_basis: InvoiceDateBasis = InvoiceDateBasis.SERVICE
    daily_call_limit: int = 5000
    connected_at: datetime | None = None
    token_expires_at: datetime | None = None

    def account_for(self, method: str) -> str:
        """The Xero account (code) money taken by this method is paid into."""
        return self.payment_accounts.get(method) or self.bank_account_code


def _to_connection(row: XeroSettingsRow | None) -> XeroConnection:
    if row is None:
        return XeroConnection()
    return XeroConnection(
        state=ConnectionState(row.status),
        message=row.status_message,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        client_id=row.client_id,
        connection_key=row.connection_key,
        income_account_code=row.income_account_code,
        bank_account_code=row.bank_account_code,
        payment_accounts={str(k): str(v) for k, v in (row.payment_accounts or {}).items()},
        tax_type=row.tax_type,
        advance_account_code=row.advance_account_code or DEFAULT_ADVANCE_ACCOUNT,
        invoice_date_basis=InvoiceDateBasis(row.invoice_date_basis or "service"),
        daily_call_limit=row.daily_call_limit,
        connected_at=row.connected_at,
        token_expires_at=row.token_expires_at,
    )


def read_connection(database: Database) -> XeroConnection:
    """For the worker and the CLI, which act as the clinic itself (no sign-in)."""
    with database.reading() as session:
        row = session.execute(
            select(XeroSettingsRow).where(XeroSettingsRow.key == "main")
        ).scalar_one_or_none()
        return _to_connection(row)


def get_connection(ctx: ServiceContext) -> XeroConnection:
    ctx.actor()
    return read_connection(ctx.database)


@contextmanager
def _editing_settings(database: Database) -> Iterator[tuple[Session, XeroSettingsRow]]:
    """The settings row in a write transaction (created on first use); commit to keep."""
    with database.write_session() as session:
        row = session.execute(
            select(XeroSettingsRow).where(XeroSettingsRow.key == "main")
        ).scalar_one_or_none()
        if row is None:
            row = XeroSettingsRow(key="main", payment_accounts={})
            session.add(row)
        yield session, row


def save_connection(
    database: Database,
    *,
    client_id: str,
    connection_key: str,
    tenant_id: str,
    tenant_name: str,
    token_expires_at: datetime | None = None,
) -> XeroConnection:
    """Record a successful connection (after the OAuth dance) and let held jobs go."""
    with _editing_settings(database) as (session, row):
        if row.tenant_id and row.tenant_id != tenant_id:
            _forget_xero_ids(session)
        row.status = ConnectionState.CONNECTED.value
        row.status_message = ""
        row.client_id = client_id
        row.connection_key = connection_key
        row.tenant_id = tenant_id
        row.tenant_name = tenant_name
        row.connected_at = datetime.now(UTC)
        row.token_expires_at = token_expires_at
        session.commit()
        connection = _to_connection(row)
    # Jobs held while the connection was broken go again now.
    OutboxQueue(database).release_held(Channel.XERO, None, datetime.now(UTC))
    return connection


def _forget_xero_ids(session: Session) -> None:
    """Another organisation: the IDs we kept belong to the old one. (Records already
    sent there are not sent again; new changes go to the new organisation.)"""
    session.execute(update(InvoiceRow).values(xero_invoice_id=None))
    session.execute(update(PaymentRow).values(xero_payment_id=None))
    session.execute(update(RefundRow).values(xero_credit_note_id=None, xero_payment_id=None))
    session.execute(update(XeroContactRow).values(xero_contact_id=None))


def mark_needs_reconnect(database: Database, message: str) -> None:
    """Xero refused our refresh token (revoked, expired after 60 days unused): stop
    calling, keep every job, and ask a person to connect again."""
    with database.write_session() as session:
        session.execute(
            update(XeroSettingsRow)
            .where(XeroSettingsRow.key == "main")
            .values(status=ConnectionState.NEEDS_RECONNECT.value, status_message=message)
        )
        session.commit()


def disconnect(ctx: ServiceContext) -> Changes:
    """Stop syncing with Xero. Jobs already queued stay (held) for a later reconnect."""
    ctx.actor()
    with ctx.database.write_session() as session:
        session.execute(
            update(XeroSettingsRow)
            .where(XeroSettingsRow.key == "main")
            .values(
                status=ConnectionState.DISCONNECTED.value,
                status_message="Disconnected by the clinic.",
            )
        )
        session.commit()
    return Changes(billing=True, outbox=True)


def set_account_mapping(
    ctx: ServiceContext,
    *,
    income_account_code: str,
    bank_account_code: str,
    tax_type: str,
    payment_accounts: dict[PaymentMethod, str] | None = None,
    advance_account_code: str | None = None,
    invoice_date_basis: InvoiceDateBasis | None = None,
) -> Changes:
    """Which Xero accounts our invoices (income), payments (bank) and unused credit
    (income in advance) go to, the tax type on lines (health services are usually
    GST-free: EXEMPTOUTPUT), and the date invoices carry. Anything left None keeps
    what is saved: a save changes only what the person changed."""
    ctx.actor()
    codes = {
        "income account": income_account_code.strip(),
        "bank account": bank_account_code.strip(),
        "tax type": tax_type.strip(),
    }
    if advance_account_code is not None:
        codes["income-in-advance account"] = advance_account_code.strip()
    for what, value in codes.items():
        if not value:
            raise InvalidInput(f"Choose the {what} for Xero.")
    if codes.get("income-in-advance account") == codes["income account"]:
        raise InvalidInput(
            "Credit not used yet is owed to the patient: choose a current-liability account "
            "(income in advance) for it, not the income account."
        )
    with _editing_settings(ctx.database) as (session, row):
        row.income_account_code = codes["income account"]
        row.bank_account_code = codes["bank account"]
        row.tax_type = codes["tax type"]
        if advance_account_code is not None:
            row.advance_account_code = codes["income-in-advance account"]
        if invoice_date_basis is not None:
            row.invoice_date_basis = invoice_date_basis.value
        if payment_accounts is not None:
            row.payment_accounts = {
                method.value: code.strip()
                for method, code in payment_accounts.items()
                if code.strip()
            }
        session.commit()
    return Changes(billing=True)


def advance_account_problem(connection: XeroConnection, chart: list[ChartAccount]) -> str:
    """Why the income-in-advance account will not do in this chart ("" when it will)."""
    code = connection.advance_account_code
    found = next((account for account in chart if account.code == code), None)
    if found is None:
        return (
            f"{connection.tenant_name or 'The organisation'} has no account {code} for credit "
            "not used yet; choose a current-liability account (income in advance)."
        )
    if not found.is_current_liability:
        return (
            f"Account {found.label} is not a current liability; credit not used yet is owed "
            "to the patient, so choose an income-in-advance account."
        )
    return ""


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A Xero job as the "Xero sync" panel lists it."""

    id: uuid.UUID
    kind: str
    label: str
    state: JobState  # parked (refused), held, or pending: waiting on a refused or held job
    xero_said: str  # Xero's own answer (its validation message); "" when Xero said nothing
    note: str  # ours: why it is held, what it waits for, a mismatch we found
    attempts: int
    updated_at: datetime | None

    @property
    def reason(self) -> str:
        """One line for the command line: Xero's words, else our note."""
        return self.xero_said or self.note


@dataclass(frozen=True, slots=True)
class XeroQueueStatus:
    connection: XeroConnection
    counts: dict[JobState, int]
    attention: list[QueuedJob]  # parked and held: what a person should look at
    # e.g. "2 held by a sender that stopped; retrying at 10:42" (clinic time).
    stalled_note: str = ""

    @property
    def waiting(self) -> int:
        return self.counts.get(JobState.PENDING, 0) + self.counts.get(JobState.IN_FLIGHT, 0)

    @property
    def parked(self) -> int:
        return self.counts.get(JobState.PARKED, 0)

    @property
    def held(self) -> int:
        return self.counts.get(JobState.HELD, 0)


_KIND_NAMES = {
    xero_sync.CONTACT: "Contact",
    xero_sync.INVOICE: "Invoice",
    xero_sync.PAYMENT: "Payment",
    xero_sync.REFUND: "Refund",
}


def job_label(job: OutboxJob) -> str:
    """ "Invoice FD-000123", "Payment FD-000123-P1", "Contact Sam Lee (#12)"."""
    payload = job.payload
    if job.kind == xero_sync.PAYMENT:
        kind = "Payment" if payload.get("live", True) else "Removed payment"
        return f"{kind} {payload.get('reference', '')}".strip()
    name = (
        payload.get("number")
        or payload.get("credit_note_number")
        or payload.get("name")
        or payload.get("label")
        or payload.get("reference")
        or ""
    )
    kind = _KIND_NAMES.get(job.kind, job.kind.removeprefix("xero.").replace("_", " ").title())
    return f"{kind} {name}".strip()


def queue_status(ctx: ServiceContext) -> XeroQueueStatus:
    ctx.actor()
    queue = OutboxQueue(ctx.database)
    stuck = queue.jobs(Channel.XERO, [JobState.PARKED, JobState.HELD])
    attention = [_queued(job, *_words(job)) for job in stuck]
    by_id = {job.id: job for job in stuck}
    attention += [
        _queued(job, "", _waits_for(by_id[job.depends_on_id]))
        for job in queue.jobs(Channel.XERO, [JobState.PENDING])
        if job.depends_on_id in by_id
    ]
    return XeroQueueStatus(
        read_connection(ctx.database),
        queue.counts(Channel.XERO),
        attention,
        _stalled_note(ctx.database, queue, ctx.now()),
    )


def _queued(job: OutboxJob, xero_said: str, note: str) -> QueuedJob:
    return QueuedJob(
        id=job.id,
        kind=job.kind,
        label=job_label(job),
        state=job.state,
        xero_said=xero_said,
        note=note,
        attempts=job.attempts,
        updated_at=job.created_at,
    )


def _words(job: OutboxJob) -> tuple[str, str]:
    """(Xero said, our note) for a refused or held job: the sender records Xero's own
    words when a refusal is Xero's answer; anything else on the job is ours."""
    said = str(job.result.get(THEIR_WORDS) or "")
    if job.state is JobState.PARKED and said and said == job.last_error:
        return said, ""
    return "", job.last_error


def _waits_for(other: OutboxJob) -> str:
    """The note on a job that cannot go before a refused or held one."""
    verdict = "Xero refused it" if other.state is JobState.PARKED else "it is held"
    return f"Waits for {job_label(other)}: {verdict}."


def _stalled_note(database: Database, queue: OutboxQueue, now: datetime) -> str:
    """Jobs a sender claimed and then stopped renewing (it crashed or was killed)."""
    stalled = queue.stalled(Channel.XERO, now)
    if not stalled:
        return ""
    with database.reading() as session:
        zone = session.execute(select(ClinicRow.timezone).limit(1)).scalar_one_or_none()
    retry_at = to_local(min(until for _job, until in stalled), clinic_zone(zone or "UTC"))
    return f"{len(stalled)} held by a sender that stopped; retrying at {retry_at:%H:%M}"


def retry_job(ctx: ServiceContext, job_id: uuid.UUID) -> Changes:
    """A person pressed Retry on a refused (parked) or held job."""
    ctx.actor()
    if not OutboxQueue(ctx.database).retry_now(job_id, ctx.now()):
        raise NotFound("That Xero job has already been sent or replaced.")
    return Changes(outbox=True, ids=frozenset({job_id}))


def badge_text(status: XeroQueueStatus) -> str:
    """The status bar's short Xero summary, e.g. "Xero: 3 waiting, 1 refused"."""
    connection = status.connection
    if connection.state is ConnectionState.DISCONNECTED:
        return "Xero: not connected"
    if connection.state is ConnectionState.NEEDS_RECONNECT:
        return f"Xero: reconnect needed ({status.waiting + status.held} waiting)"
    parts = []
    if status.waiting:
        parts.append(f"{status.waiting} waiting")
    if status.parked:
        parts.append(f"{status.parked} refused")
    if status.held:
        parts.append(f"{status.held} held")
    if status.stalled_note:
        parts.append(status.stalled_note)
    return "Xero: " + (", ".join(parts) if parts else "up to date")


def invoice_sync_status(ctx: ServiceContext, invoice_id: uuid.UUID) -> SyncStatus:
    """One state for an invoice and the money on it, for the invoice dialog."""
    ctx.actor()
    with ctx.database.reading() as session:
        subjects: set[uuid.UUID] = {invoice_id}
        subjects.update(
            session.execute(select(PaymentRow.id).where(PaymentRow.invoice_id == invoice_id))
            .scalars()
            .all()
        )
        subjects.update(
            session.execute(select(RefundRow.id).where(RefundRow.invoice_id == invoice_id))
            .scalars()
            .all()
        )
        rows = session.execute(
            select(OutboxJobRow).where(
                OutboxJobRow.channel == Channel.XERO.value,
                OutboxJobRow.subject_id.in_(list(subjects)),
            )
        ).scalars()
        return xero_sync.sync_status([to_job(row) for row in rows])
