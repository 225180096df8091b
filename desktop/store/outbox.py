"""The outbox queue: add jobs inside a unit of work; claim, finish and retry them.

Delivery is at-least-once with guards against duplicates:

* a job is claimed with a short lease (`claimed_until`, 30 s) that its worker
  renews every few seconds while it lives (`renew`, see outbox_dispatch); a worker
  that dies mid-call leaves the job to be claimed again within seconds — never
  lost. A lease not renewed for two heartbeats marks a sender that stopped
  (`stalled`), which the status line says in so many words;
* every job carries a stable idempotency key, and its channel's handler checks
  `attempts > 0` jobs against the other side before creating anything again —
  never sent twice;
* a newer job for the same record supersedes an older open one (a parked payment
  that is edited is retried as the edited payment, not as the refused one).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from desktop.domain.outbox import (
    Channel,
    Delivered,
    Held,
    JobState,
    OutboxJob,
    Outcome,
    Refused,
    TryAgain,
)
from desktop.domain.retry import backoff_delay
from desktop.store.database import Database
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.types import utc_now

DEFAULT_LEASE = timedelta(seconds=30)
# How often a living worker renews its leases; a lease older than two of these
# belongs to a sender that stopped.
HEARTBEAT = timedelta(seconds=8)
_OPEN = (JobState.PENDING.value, JobState.PARKED.value, JobState.HELD.value)
# The result key holding a refusal's words when they are the other side's own (see settle).
THEIR_WORDS = "their_words"


def enqueue(
    session: Session,
    *,
    channel: Channel,
    kind: str,
    subject_id: uuid.UUID,
    subject_version: int = 1,
    payload: dict[str, Any] | None = None,
    stage: int = 0,
    depends_on: uuid.UUID | None = None,
    not_before: datetime | None = None,
    supersede: bool = True,
    job_id: uuid.UUID | None = None,
) -> OutboxJobRow:
    """Add a job in the caller's transaction; older open jobs for the same record are
    superseded (unless `supersede` is False, e.g. one reminder per appointment per day).
    `job_id`: the id a desk already gave the job (a message it queued offline)."""
    row = OutboxJobRow(
        id=job_id or uuid.uuid4(),
        channel=channel.value,
        kind=kind,
        subject_id=subject_id,
        subject_version=subject_version,
        stage=stage,
        payload=payload or {},
        depends_on_id=depends_on,
        state=JobState.PENDING.value,
        next_attempt_at=not_before or utc_now(),
    )
    row.idempotency_key = f"frontdesk-{row.id}"
    replaced: list[uuid.UUID] = []
    if supersede:
        replaced = list(
            session.execute(
                select(OutboxJobRow.id).where(
                    OutboxJobRow.kind == kind,
                    OutboxJobRow.subject_id == subject_id,
                    OutboxJobRow.state.in_(_OPEN),
                )
            ).scalars()
        )
    if replaced:
        session.execute(
            update(OutboxJobRow)
            .where(OutboxJobRow.id.in_(replaced))
            .values(
                state=JobState.SUPERSEDED.value,
                superseded_by_id=row.id,
                finished_at=utc_now(),
                version=OutboxJobRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    session.add(row)
    if replaced:
        session.flush()  # the replacement must exist before others can point at it
        # Jobs that waited on a superseded job wait on its replacement instead;
        # otherwise they would wait for ever on a job that never finishes.
        session.execute(
            update(OutboxJobRow)
            .where(OutboxJobRow.depends_on_id.in_(replaced), OutboxJobRow.state.in_(_OPEN))
            .values(depends_on_id=row.id, version=OutboxJobRow.version + 1)
            .execution_options(synchronize_session=False)
        )
    return row


def _waiting_on_another_job() -> Exists:
    """True for a job whose dependency has not been delivered yet."""
    dependency = aliased(OutboxJobRow)
    return (
        select(dependency.id)
        .where(
            dependency.id == OutboxJobRow.depends_on_id,
            dependency.state != JobState.DONE.value,
        )
        .exists()
    )


def to_job(row: OutboxJobRow) -> OutboxJob:
    return OutboxJob(
        id=row.id,
        channel=Channel(row.channel),
        kind=row.kind,
        subject_id=row.subject_id,
        subject_version=row.subject_version,
        stage=row.stage,
        payload=dict(row.payload or {}),
        state=JobState(row.state),
        idempotency_key=row.idempotency_key,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        result=dict(row.result or {}),
        depends_on_id=row.depends_on_id,
        created_at=row.created_at,
    )


class OutboxQueue:
    """Claiming and settling jobs, each step its own short transaction."""

    def __init__(self, database: Database, lease: timedelta = DEFAULT_LEASE) -> None:
        self.database = database
        self.lease = lease

    def claim_due(
        self,
        channel: Channel,
        now: datetime,
        limit: int = 50,
        kinds: Sequence[str] | None = None,
    ) -> list[OutboxJob]:
        """Due jobs whose dependencies are done, lowest stage first, marked in flight.

        A job in flight whose lease ran out (its worker crashed) is due again.
        """
        with self.database.write_session() as session:
            query = (
                select(OutboxJobRow)
                .where(
                    OutboxJobRow.channel == channel.value,
                    or_(
                        (OutboxJobRow.state == JobState.PENDING.value)
                        & (OutboxJobRow.next_attempt_at <= now),
                        (OutboxJobRow.state == JobState.IN_FLIGHT.value)
                        & (OutboxJobRow.claimed_until <= now),
                    ),
                    ~_waiting_on_another_job(),
                )
                .order_by(OutboxJobRow.stage, OutboxJobRow.created_at, OutboxJobRow.id)
                .limit(limit)
            )
            if kinds is not None:
                query = query.where(OutboxJobRow.kind.in_(list(kinds)))
            if self.database.dialect == "postgresql":
                # Two workers (or two server-side processes) never take the same job.
                query = query.with_for_update(skip_locked=True)
            rows = list(session.execute(query).scalars())
            for row in rows:
                row.state = JobState.IN_FLIGHT.value
                row.claimed_until = now + self.lease
            session.commit()
            return [to_job(row) for row in rows]

    def renew(self, job_ids: Sequence[uuid.UUID], now: datetime) -> None:
        """The worker holding these jobs is alive: push their leases forward."""
        if not job_ids:
            return
        with self.database.write_session() as session:
            session.execute(
                update(OutboxJobRow)
                .where(
                    OutboxJobRow.id.in_(list(job_ids)),
                    OutboxJobRow.state == JobState.IN_FLIGHT.value,
                )
                .values(claimed_until=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def stalled(self, channel: Channel, now: datetime) -> list[tuple[OutboxJob, datetime]]:
        """Jobs in flight whose worker stopped renewing them, with when they go again."""
        renewed_by = now + self.lease - 2 * HEARTBEAT
        with self.database.reading() as session:
            rows = session.execute(
                select(OutboxJobRow).where(
                    OutboxJobRow.channel == channel.value,
                    OutboxJobRow.state == JobState.IN_FLIGHT.value,
                    OutboxJobRow.claimed_until < renewed_by,
                )
            ).scalars()
            return [(to_job(row), row.claimed_until or now) for row in rows]

    def settle(self, job: OutboxJob, outcome: Outcome, now: datetime, rng: Any = None) -> JobState:
        """Record what a delivery attempt ended in; returns the job's new state."""
        with self.database.write_session() as session:
            row = session.get(OutboxJobRow, job.id)
            if row is None or row.state != JobState.IN_FLIGHT.value:
                # Superseded or settled meanwhile (e.g. edited during the call).
                return JobState(row.state) if row is not None else JobState.SUPERSEDED
            row.claimed_until = None
            if isinstance(outcome, Delivered):
                row.state = JobState.DONE.value
                row.result = {**(row.result or {}), **outcome.result}
                row.last_error = ""
                row.finished_at = now
                row.attempts += 1
            elif isinstance(outcome, TryAgain):
                row.attempts += 1
                row.state = JobState.PENDING.value
                row.last_error = outcome.error
                delay = (
                    outcome.after if outcome.after is not None else backoff_delay(row.attempts, rng)
                )
                row.next_attempt_at = now + delay
            elif isinstance(outcome, Refused):
                row.attempts += 1
                row.state = JobState.PARKED.value
                row.last_error = outcome.reason
                # Whose words last_error holds: the other side's answer, or our own note.
                said = outcome.reason if outcome.theirs else ""
                row.result = {**(row.result or {}), THEIR_WORDS: said}
            elif isinstance(outcome, Held):
                row.state = JobState.HELD.value
                row.last_error = outcome.reason
            session.commit()
            return JobState(row.state)

    def remember(self, job_id: uuid.UUID, result: dict[str, Any]) -> None:
        """Store what the other side answered as soon as it answers (e.g. a new Xero ID),
        before anything else can fail, so a retry finds it instead of creating again."""
        with self.database.write_session() as session:
            row = session.get(OutboxJobRow, job_id)
            if row is not None:
                row.result = {**(row.result or {}), **result}
                session.commit()

    def retry_now(self, job_id: uuid.UUID, now: datetime) -> bool:
        """A person pressed Retry on a parked or held job (or a waiting one)."""
        with self.database.write_session() as session:
            row = session.get(OutboxJobRow, job_id)
            if row is None or row.state not in _OPEN:
                return False
            row.state = JobState.PENDING.value
            row.next_attempt_at = now
            session.commit()
            return True

    def release_held(self, channel: Channel, kind: str | None, now: datetime) -> int:
        """Put held jobs back in the queue (e.g. after Xero was connected again)."""
        with self.database.write_session() as session:
            query = update(OutboxJobRow).where(
                OutboxJobRow.channel == channel.value,
                OutboxJobRow.state == JobState.HELD.value,
            )
            if kind is not None:
                query = query.where(OutboxJobRow.kind == kind)
            result = session.execute(
                query.values(
                    state=JobState.PENDING.value,
                    next_attempt_at=now,
                    version=OutboxJobRow.version + 1,
                )
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def jobs(
        self, channel: Channel | None = None, states: Sequence[JobState] | None = None
    ) -> list[OutboxJob]:
        with self.database.reading() as session:
            query = select(OutboxJobRow).order_by(OutboxJobRow.created_at)
            if channel is not None:
                query = query.where(OutboxJobRow.channel == channel.value)
            if states is not None:
                query = query.where(OutboxJobRow.state.in_([s.value for s in states]))
            return [to_job(row) for row in session.execute(query).scalars()]

    def counts(self, channel: Channel) -> dict[JobState, int]:
        with self.database.reading() as session:
            rows = session.execute(
                select(OutboxJobRow.state, func.count())
                .where(OutboxJobRow.channel == channel.value)
                .group_by(OutboxJobRow.state)
            ).all()
            return {JobState(state): count for state, count in rows}

    def next_due_at(self, channel: Channel) -> datetime | None:
        """When the next job could go; jobs waiting on another job are not counted (the
        job they wait on has its own time), so a worker does not poll while it backs off.
        A job in flight counts from the end of its lease: if its worker has died, it
        goes again then."""
        with self.database.reading() as session:
            pending = session.execute(
                select(func.min(OutboxJobRow.next_attempt_at)).where(
                    OutboxJobRow.channel == channel.value,
                    OutboxJobRow.state == JobState.PENDING.value,
                    ~_waiting_on_another_job(),
                )
            ).scalar_one_or_none()
            leased = session.execute(
                select(func.min(OutboxJobRow.claimed_until)).where(
                    OutboxJobRow.channel == channel.value,
                    OutboxJobRow.state == JobState.IN_FLIGHT.value,
                )
            ).scalar_one_or_none()
            times = [when for when in (pending, leased) if when is not None]
            return min(times) if times else None
