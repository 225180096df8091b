"""Applying a replica's pushed mutations: idempotent, group by group, under the rules.

One push is one database transaction. It first takes the sync write lock (the
same advisory lock the change-log trigger takes), so pushes from several
instances queue instead of deadlocking. Each group (one local transaction on the
desktop) runs in a savepoint: every mutation is decoded, checked against the
server's current row (a stale base version is refused), passed through the
booking rules, and written; the group either stands whole or is refused whole
with the first reason. Every outcome is recorded under its mutation id, so the
same push sent again — its answer lost on the way — gets the same answers and
changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, inspect, select, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop.domain.errors import DomainError, InvalidInput, NotFound, StaleEdit
from desktop.domain.roles import Actor
from desktop.server import checks, desks, merge, message_checks, money_checks, outward
from desktop.store.auth_models import SignInPolicyRow
from desktop.store.database import Database
from desktop.store.integrity import domain_error_for
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
    ProviderNumberRow,
    Row,
)
from desktop.store.sync_models import SyncAppliedMutationRow
from desktop.store.types import utc_now
from desktop.store.wait_list_models import WaitListEntryRow, WaitListSettingsRow
from desktop.sync.codec import decode_fields, synced_table

SYNC_WRITE_LOCK = 727006  # the same number the change-log trigger locks (migration 0006)
_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure

MODELS: dict[str, type[Row]] = {
    "clinics": ClinicRow,
    "practitioners": PractitionerRow,
    "provider_numbers": ProviderNumberRow,
    "patients": PatientRow,
    "appointment_types": AppointmentTypeRow,
    "appointments": AppointmentRow,
    "attendances": AttendanceRow,
    **money_checks.MODELS,
    **message_checks.MODELS,
    "wait_list_entries": WaitListEntryRow,
    "wait_list_settings": WaitListSettingsRow,
    "sign_in_policy": SignInPolicyRow,
}
WHAT = {
    "clinics": "clinic",
    "practitioners": "practitioner",
    "provider_numbers": "provider number",
    "patients": "patient",
    "appointment_types": "appointment type",
    "appointments": "appointment",
    "attendances": "class place",
    **money_checks.WHAT,
    **message_checks.WHAT,
    "wait_list_entries": "wait-list entry",
    "wait_list_settings": "wait-list setting",
    "sign_in_policy": "sign-in setting",
}


@dataclass(frozen=True, slots=True)
class Mutation:
    id: uuid.UUID
    group: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    op: str
    base_version: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    # The changed fields' values when the edit was made: for the field-level merge.
    base_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    mutation: Mutation
    applied: bool
    code: str | None = None
    message: str | None = None


def error_code(error: Exception) -> str:
    """`DoubleBooking` → "double_booking": what a program can switch on."""
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class MutationApplier:
    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self.database = database
        self.clock = clock

    def push(
        self, actor: Actor, replica_id: uuid.UUID, mutations: Sequence[Mutation]
    ) -> list[Outcome]:
        for attempt in range(3):
            try:
                return self._push(actor, replica_id, mutations)
            except OperationalError as exc:
                # A writer that bypasses the API (a service on the server database) can
                # deadlock with a push; PostgreSQL picks one to fail: try it again.
                if getattr(exc.orig, "sqlstate", None) not in _RETRYABLE or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _push(
        self, actor: Actor, replica_id: uuid.UUID, mutations: Sequence[Mutation]
    ) -> list[Outcome]:
        with self.database.write_session() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_WRITE_LOCK})
            seen = _recorded(session, [m.id for m in mutations])
            desk = desks.code_of(session, replica_id)  # whose numbers it may make
            outcomes: list[Outcome] = []
            for group in _groups(mutations):
                fresh = [m for m in group if m.id not in seen]
                outcomes.extend(seen[m.id] for m in group if m.id in seen)
                if not fresh:
                    continue
                results = self._apply_group(session, actor, fresh, desk)
                for outcome in results:
                    session.add(_record(outcome, actor, replica_id))
                outcomes.extend(results)
            session.commit()
        order = {m.id: i for i, m in enumerate(mutations)}
        return sorted(outcomes, key=lambda o: order[o.mutation.id])

    def _apply_group(
        self, session: Session, actor: Actor, group: list[Mutation], desk: str | None
    ) -> list[Outcome]:
        savepoint = session.begin_nested()
        try:
            deactivated: set[uuid.UUID] = set()
            for mutation in group:
                self._apply(session, actor, mutation, deactivated)
            checks.check_group(session, deactivated, self.clock())
            _check_money(session, group)
            money_checks.check_numbers(
                session, [(m.entity, m.entity_id) for m in group if m.op == "insert"], desk
            )
            message_checks.reconcile_reminders(session, group, self.clock())
            outward.queue_for_xero(session, group)
            session.flush()
        except (
            DomainError,
            IntegrityError,
            DataError,
            StaleDataError,
            ValueError,
            OverflowError,
        ) as exc:
            # ValueError: a value the driver cannot send (refused here, not as a 500,
            # so one bad change never holds up the rest of a desk's queue).
            savepoint.rollback()
            error = _as_domain_error(exc)
            if isinstance(error, money_checks.CreditOverdrawn):
                return self._without_credit_used(session, actor, group, error, desk)
            return [Outcome(m, False, error_code(error), str(error)) for m in group]
        savepoint.commit()
        return [Outcome(m, True) for m in group]

    def _without_credit_used(
        self,
        session: Session,
        actor: Actor,
        group: list[Mutation],
        error: DomainError,
        desk: str | None,
    ) -> list[Outcome]:
        """Credit another desk used up first: the invoice (or payment) made with it still
        stands, owing what the credit would have paid; only the use of credit is refused."""
        used = [m for m in group if m.entity == "credit_applications" and m.op == "insert"]
        rest = [m for m in group if m not in used]
        refused = [Outcome(m, False, error_code(error), str(error)) for m in used]
        if not used or not rest:
            return [Outcome(m, False, error_code(error), str(error)) for m in group]
        outcomes = self._apply_group(session, actor, rest, desk)
        if not all(o.applied for o in outcomes):
            first = next(o for o in outcomes if not o.applied)
            refused = [Outcome(m, False, first.code, first.message) for m in used]
        return outcomes + refused

    def _apply(
        self, session: Session, actor: Actor, mutation: Mutation, deactivated: set[uuid.UUID]
    ) -> None:
        model = MODELS[mutation.entity]
        table = synced_table(mutation.entity)
        what = WHAT[mutation.entity]
        fields = decode_fields(table, mutation.fields)
        if mutation.op == "insert":
            _insert(session, actor, model, mutation, fields, what, self.clock())
            return
        if mutation.base_version is None:
            raise InvalidInput(f"A change to a {what} needs the version it was made on.")
        query = select(model).where(model.id == mutation.entity_id).with_for_update(of=model)
        row = session.execute(query).unique().scalar_one_or_none()
        if mutation.op == "delete":
            if row is None:
                return  # deleted here already: the same end
            if row.version != mutation.base_version:
                raise StaleEdit(what)
            with session.no_autoflush:
                checks.check_delete(session, actor, row)
            message_checks.before_delete(session, row)
            session.delete(row)
            session.flush()
            return
        if row is None:
            raise NotFound(f"This {what} was deleted on another computer.")
        if row.version != mutation.base_version:
            merge.ensure_mergeable(row, fields, mutation.base_fields, what)
        if not fields:
            raise InvalidInput(f"The change to the {what} changes nothing.")
        before = _columns(row)
        for name, value in fields.items():
            setattr(row, name, value)
        with session.no_autoflush:
            checks.check_write(session, actor, row, before, set(fields))
        if isinstance(row, PractitionerRow) and before["active"] and not row.active:
            deactivated.add(row.id)
        message_checks.after_update(session, row, set(fields), self.clock())
        session.flush()


def _insert(
    session: Session,
    actor: Actor,
    model: type[Row],
    mutation: Mutation,
    fields: dict[str, Any],
    what: str,
    now: datetime,
) -> None:
    if mutation.base_version is not None:
        raise InvalidInput(f"A new {what} cannot have a base version.")
    if session.get(model, mutation.entity_id) is not None:
        raise InvalidInput(f"This {what} already exists on the server.")
    table = synced_table(mutation.entity)
    for column in table.columns:
        needed = not column.nullable and column.default is None and column.name != "id"
        if needed and column.name not in fields and column.name not in ("version",):
            raise InvalidInput(f"A new {what} needs {column.name.replace('_', ' ')}.")
    row = model(id=mutation.entity_id, **(_scalar_defaults(table, fields) | fields))
    with session.no_autoflush:
        checks.check_write(session, actor, row, None, set(fields))
    message_checks.queue_pushed(session, row, now)  # its job first: the row points at it
    session.add(row)
    session.flush()


def _check_money(session: Session, group: list[Mutation]) -> None:
    invoices: set[Any] = set()
    lots: set[Any] = set()
    for mutation in group:
        if mutation.entity in money_checks.MODELS and mutation.op != "delete":
            found = money_checks.touched(session, mutation.entity, mutation.entity_id)
            invoices |= found[0]
            lots |= found[1]
    if invoices or lots:
        money_checks.check_totals(session, invoices, lots)


def _scalar_defaults(table: Table, fields: dict[str, Any]) -> dict[str, Any]:
    """Column defaults for fields a new row leaves out, so the checks see what is stored."""
    return {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.name not in fields
        and column.default is not None
        and column.default.is_scalar
        and column.name != "version"
    }


def _columns(row: Row) -> dict[str, Any]:
    state = inspect(row)
    return {attr.key: getattr(row, attr.key) for attr in state.mapper.column_attrs}


def _as_domain_error(exc: Exception) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, StaleDataError):
        return StaleEdit("record")
    translated = domain_error_for(exc)
    if translated is not None:
        return translated
    if isinstance(exc, DataError | ValueError | OverflowError):
        return InvalidInput("A value is not acceptable to the server.")
    return Conflicting(
        "This clashes with a record someone else saved (the same name or place is taken)."
    )


class Conflicting(DomainError):
    """A uniqueness or reference the database refused (same name, vanished parent …)."""


def _groups(mutations: Sequence[Mutation]) -> list[list[Mutation]]:
    groups: dict[uuid.UUID, list[Mutation]] = {}
    for mutation in mutations:
        groups.setdefault(mutation.group, []).append(mutation)
    return list(groups.values())


def _recorded(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Outcome]:
    found: dict[uuid.UUID, Outcome] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(SyncAppliedMutationRow).where(
                SyncAppliedMutationRow.mutation_id.in_(ids[start : start + 1000])
            )
        ).scalars()
        for row in rows:
            mutation = Mutation(row.mutation_id, row.group_id, row.entity, row.entity_id, "", None)
            found[row.mutation_id] = Outcome(
                mutation, row.outcome == "applied", row.error_code, row.error_message
            )
    return found


def _record(outcome: Outcome, actor: Actor, replica_id: uuid.UUID) -> SyncAppliedMutationRow:
    m = outcome.mutation
    return SyncAppliedMutationRow(
        mutation_id=m.id,
        group_id=m.group,
        replica_id=replica_id,
        user_id=actor.user_id,
        entity=m.entity,
        entity_id=m.entity_id,
        outcome="applied" if outcome.applied else "rejected",
        error_code=outcome.code,
        error_message=(outcome.message or "").replace("\x00", "")[:2000] or None,
        applied_at=utc_now(),
    )
