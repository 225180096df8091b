"""Uploading local mutations, and settling what the server answered for each.

Batches go oldest first, in whole groups. The server answers every mutation:

* applied — the mutation leaves the queue; the server's row replaces the local
  one (the server may have set fields itself, e.g. the patient number) unless
  more local changes to it are still waiting;
* refused — the change is rolled back locally: the entity goes back to what the
  server holds (or away, if the server never had it), together with every later
  waiting change that built on it (the rest of its group, later edits of the same
  record, an attendee of a refused class). Each dropped change is recorded as a
  conflict with the server's reason (Replicache's rebase, done per record). A
  refused new message takes its local job with it: the server sends, and never
  had it.

Sending the same batch twice is harmless: the server answers a mutation id it has
seen with the outcome it recorded, so a batch whose answer was lost is re-sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.store.database import Database
from desktop.store.sync_models import SYNCED_TABLES, SyncMutationRow
from desktop.sync import conflicts
from desktop.sync.client import ServerApi, ServerProtocolError
from desktop.sync.codec import decode_row, synced_table
from desktop.sync.local_rows import (
    EntityKey,
    applying_server_rows,
    children_of,
    delete_rows,
    upsert_rows,
)
from desktop.sync.pending import PendingMutation, next_batch, to_pending

DEPENDS_ON_REFUSED = "depends_on_refused"
_ABSENT = object()


@dataclass
class PushReport:
    sent: int = 0
    applied: int = 0
    refused: int = 0


@dataclass(frozen=True, slots=True)
class _Outcome:
    mutation_id: uuid.UUID
    key: EntityKey
    applied: bool
    code: str
    reason: str


def push_pending(
    database: Database, api: ServerApi, replica_id: uuid.UUID, batch_size: int = 200
) -> PushReport:
    report = PushReport()
    while True:
        batch = next_batch(database, batch_size)
        if not batch:
            return report
        answer = api.push(str(replica_id), [m.to_wire() for m in batch])
        outcomes, rows = _read_answer(answer, batch)
        settle(database, api, outcomes, rows)
        report.sent += len(batch)
        report.applied += sum(1 for o in outcomes if o.applied)
        report.refused += sum(1 for o in outcomes if not o.applied)


def _read_answer(
    answer: Mapping[str, Any], batch: list[PendingMutation]
) -> tuple[list[_Outcome], dict[EntityKey, dict[str, Any] | None]]:
    sent = {m.mutation_id: m for m in batch}
    outcomes: list[_Outcome] = []
    rows: dict[EntityKey, dict[str, Any] | None] = {}
    try:
        for result in answer["results"]:
            mutation = sent[uuid.UUID(str(result["id"]))]
            key = (mutation.entity, mutation.entity_id)
            error = result.get("error") or {}
            outcomes.append(
                _Outcome(
                    mutation.mutation_id,
                    key,
                    result["status"] == "applied",
                    str(error.get("code", "")),
                    str(error.get("message", "")),
                )
            )
            data = result.get("row")
            rows[key] = decode_row(synced_table(key[0]), data) if data is not None else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerProtocolError(
            f"The server's answer to a push was not understood: {exc}"
        ) from exc
    if {o.mutation_id for o in outcomes} != set(sent):
        raise ServerProtocolError("The server did not answer for every change sent.")
    return outcomes, rows


def settle(
    database: Database,
    api: ServerApi,
    outcomes: list[_Outcome],
    rows: dict[EntityKey, dict[str, Any] | None],
) -> None:
    refused = [o for o in outcomes if not o.applied]
    known: dict[EntityKey, dict[str, Any] | None] = dict(rows)
    for _ in range(5):
        try:
            with applying_server_rows(database) as session:
                applied_ids = [o.mutation_id for o in outcomes if o.applied]
                if applied_ids:
                    session.execute(
                        delete(SyncMutationRow).where(SyncMutationRow.mutation_id.in_(applied_ids))
                    )
                rolled_back = _roll_back(session, refused, known) if refused else set()
                still_waiting = _waiting(session)
                for o in outcomes:
                    if o.applied and o.key not in rolled_back and o.key not in still_waiting:
                        _restore(session, o.key, known.get(o.key, _ABSENT))
            return
        except _NeedRows as need:
            # The rollback reaches records the answer did not include: fetch, then redo.
            known.update(_fetch(api, need.keys))
    raise ServerProtocolError("The server's rows for a refused change could not be gathered.")


class _NeedRows(Exception):
    def __init__(self, keys: list[EntityKey]) -> None:
        super().__init__(f"{len(keys)} rows needed")
        self.keys = keys


def _waiting(session: Session) -> set[EntityKey]:
    rows = session.execute(select(SyncMutationRow.entity, SyncMutationRow.entity_id)).all()
    return {(e, i) for e, i in rows}


def _rollback_reach(
    session: Session, seeds: set[EntityKey], known: Mapping[EntityKey, Any]
) -> tuple[set[EntityKey], list[PendingMutation]]:
    """Every record the rollback touches, and the waiting mutations it drops.

    Grows until stable: whole groups of waiting changes that touch a record in
    reach, and local rows that point at a record the server does not have.
    """
    waiting = [
        to_pending(row)
        for row in session.execute(
            select(SyncMutationRow).order_by(SyncMutationRow.position)
        ).scalars()
    ]
    reach = set(seeds)
    while True:
        before = len(reach)
        groups = {m.group_id for m in waiting if (m.entity, m.entity_id) in reach}
        reach |= {(m.entity, m.entity_id) for m in waiting if m.group_id in groups}
        for key in list(reach):
            if known.get(key, _ABSENT) is None:
                reach.update(children_of(session, key[0], key[1]))
        if len(reach) == before:
            dropped = [m for m in waiting if m.group_id in groups]
            return reach, dropped


def _roll_back(
    session: Session,
    refused: list[_Outcome],
    known: Mapping[EntityKey, dict[str, Any] | None],
) -> set[EntityKey]:
    reach, dropped = _rollback_reach(session, {o.key for o in refused}, known)
    missing = [key for key in reach if key not in known]
    if missing:
        raise _NeedRows(missing)  # rolls this transaction back; nothing is half-done
    reasons = {o.mutation_id: o for o in refused}
    first = refused[0]
    for mutation in dropped:
        own = reasons.get(mutation.mutation_id)
        summary = conflicts.describe(session, mutation)
        if own is not None and own.reason:
            conflicts.record(session, mutation, own.code, own.reason, summary)
        else:
            because = own.reason if own is not None and own.reason else first.reason
            conflicts.record(
                session,
                mutation,
                DEPENDS_ON_REFUSED,
                f"Not saved on the server: it depended on a change that was refused ({because})",
                summary,
            )
    if dropped:
        session.execute(
            delete(SyncMutationRow).where(
                SyncMutationRow.mutation_id.in_([m.mutation_id for m in dropped])
            )
        )
    unsent = _jobs_of_refused_messages(session, reach, known)
    for key in sorted(reach, key=_parents_first):
        _restore(session, key, known.get(key, _ABSENT))
    delete_rows(session, "outbox_jobs", unsent)
    return reach


def _jobs_of_refused_messages(
    session: Session, reach: set[EntityKey], known: Mapping[EntityKey, Any]
) -> list[uuid.UUID]:
    """The local jobs of messages the server never took. One sender per clinic: the
    server's queue is the only one that sends, and it never had these, so the job
    goes with its message (jobs are pulled, never pushed) instead of waiting here for
    ever; the refused message is listed under conflicts with the server's reason."""
    refused = [i for e, i in reach if e == "outgoing_messages" and known.get((e, i)) is None]
    if not refused:
        return []
    table = synced_table("outgoing_messages")
    return list(session.execute(select(table.c.job_id).where(table.c.id.in_(refused))).scalars())


def _parents_first(key: EntityKey) -> int:
    return SYNCED_TABLES.index(key[0])


def _restore(session: Session, key: EntityKey, row: Any) -> None:
    """Make the local record what the server holds (absent → deleted locally)."""
    if row is _ABSENT:
        return  # an applied change whose record the answer left out: the next pull brings it
    if row is None:
        delete_rows(session, key[0], [key[1]])
    else:
        # Forced: a refused local edit may have left a higher local version behind.
        upsert_rows(session, key[0], [row], force=True)


def _fetch(api: ServerApi, keys: Iterable[EntityKey]) -> dict[EntityKey, dict[str, Any] | None]:
    answer = api.rows([(entity, str(ident)) for entity, ident in keys])
    found: dict[EntityKey, dict[str, Any] | None] = {}
    try:
        for item in answer["rows"]:
            entity, ident = str(item["entity"]), uuid.UUID(str(item["id"]))
            data = item.get("row")
            found[(entity, ident)] = (
                decode_row(synced_table(entity), data) if data is not None else None
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerProtocolError(f"The server's rows were not understood: {exc}") from exc
    return found
