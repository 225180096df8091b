"""Local changes the server refused: recorded with its reason and shown to the user.

A refused change is never dropped silently. It is rolled back locally (the
replica shows what the server holds) and listed here — what it was, in words a
receptionist recognises, and why it was refused — until someone dismisses it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.domain.messages import format_time
from desktop.store.database import Database
from desktop.store.models import (
    AppointmentTypeRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.sync_models import SyncConflictRow
from desktop.store.types import utc_now
from desktop.sync import money_conflicts
from desktop.sync.codec import encode_value
from desktop.sync.local_rows import local_row
from desktop.sync.pending import PendingMutation

# The message tables a desk pushes (desktop.server.message_checks), in the same words.
MESSAGE_WHAT = {"messaging_settings": "messaging settings", "outgoing_messages": "message"}
_WHAT = {
    "clinics": "clinic",
    "practitioners": "practitioner",
    "provider_numbers": "provider number",
    "patients": "patient",
    "appointment_types": "appointment type",
    "appointments": "appointment",
    "attendances": "class place",
    **money_conflicts.MONEY_WHAT,
    **MESSAGE_WHAT,
    "wait_list_entries": "wait-list entry",
    "wait_list_settings": "wait-list setting",
    "sign_in_policy": "sign-in setting",
}
# How encode_value writes an instant: "2031-03-03T09:00:00+00:00" (a date alone is left as is).
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_DOING = {"insert": "New", "update": "Change to", "delete": "Deletion of"}


@dataclass(frozen=True, slots=True)
class Conflict:
    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    operation: str
    summary: str
    code: str
    reason: str
    created_at: datetime
    meaning: str = ""  # what the undone change leaves behind, as things stand now
    # For a refused edit: (field, what this desk set, what the record holds now).
    versions: tuple[tuple[str, str, str], ...] = ()

    @property
    def can_reapply(self) -> bool:
        """A refused edit of a record that still exists can be made again on top of it."""
        return self.operation == "update" and bool(self.versions)


def describe(session: Session, mutation: PendingMutation) -> str:
    """“New appointment: Consult with Sam Lee, Alice Physio, 2031-03-03 09:00 UTC”."""
    data = mutation.snapshot
    detail = _detail(session, mutation.entity, data)
    head = f"{_DOING.get(mutation.operation, 'Change to')} {_WHAT.get(mutation.entity, 'record')}"
    return f"{head}: {detail}" if detail else head


def _name(session: Session, model: type[Any], ident: Any, *attrs: str) -> str:
    if not ident:
        return ""
    try:
        row = session.get(model, uuid.UUID(str(ident)))
    except ValueError:
        return ""
    if row is None:
        return ""
    return " ".join(str(getattr(row, attr)) for attr in attrs)


def _detail(session: Session, entity: str, data: Mapping[str, Any]) -> str:
    if entity in money_conflicts.MONEY_WHAT:
        return money_conflicts.detail(session, entity, data)
    if entity == "appointments":
        parts = [
            _name(session, AppointmentTypeRow, data.get("appointment_type_id"), "name"),
            _name(session, PatientRow, data.get("patient_id"), "first_name", "last_name"),
            _name(session, PractitionerRow, data.get("practitioner_id"), "name"),
            _when(session, data.get("starts_at")),
        ]
        return ", ".join(p for p in parts if p)
    if entity in ("attendances", "wait_list_entries"):
        return _name(session, PatientRow, data.get("patient_id"), "first_name", "last_name")
    if entity == "patients":
        return f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
    if entity == "outgoing_messages":  # "SMS reminder, Sam Lee, Mon 10 Mar 2031, 3:00 pm"
        channel = "SMS" if data.get("channel") == "sms" else str(data.get("channel", ""))
        parts = [
            f"{channel} {data.get('purpose', '')}".strip(),
            _name(session, PatientRow, data.get("patient_id"), "first_name", "last_name"),
            _when(session, data.get("for_starts_at")),
        ]
        return ", ".join(p for p in parts if p)
    if entity == "provider_numbers":
        return str(data.get("number", ""))
    if entity == "clinics":
        return str(data.get("name", "")) or _name(session, ClinicRow, data.get("id"), "name")
    return str(data.get("name", ""))


def _when(session: Session, value: Any) -> str:
    """An instant as the clinic reads it: “Mon 3 Mar 2031, 9:00 am” in its own zone."""
    if not isinstance(value, str):
        return ""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return ""
    zone = _zone(session)
    if instant.tzinfo is None or zone is None:  # before the first sync: no clinic yet
        return instant.strftime("%Y-%m-%d %H:%M UTC")
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {format_time(local)}"


def _zone(session: Session) -> ZoneInfo | None:
    name = session.execute(select(ClinicRow.timezone).limit(1)).scalar_one_or_none()
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def record(
    session: Session, mutation: PendingMutation, code: str, reason: str, summary: str
) -> None:
    session.add(
        SyncConflictRow(
            id=uuid.uuid4(),
            mutation_id=mutation.mutation_id,
            group_id=mutation.group_id,
            entity=mutation.entity,
            entity_id=mutation.entity_id,
            operation=mutation.operation,
            summary=summary,
            code=code,
            reason=reason,
            mine=dict(mutation.snapshot),
            changed=dict(mutation.fields),
            created_at=utc_now(),
        )
    )


def open_conflicts(database: Database) -> list[Conflict]:
    """Refused changes nobody has dismissed yet, newest first."""
    with database.reading() as session:
        rows = session.execute(
            select(SyncConflictRow)
            .where(SyncConflictRow.dismissed_at.is_(None))
            .order_by(SyncConflictRow.created_at.desc(), SyncConflictRow.id)
        ).scalars()
        return [
            Conflict(
                r.id,
                r.entity,
                r.entity_id,
                r.operation,
                r.summary,
                r.code,
                r.reason,
                r.created_at,
                money_conflicts.consequence(session, r.entity, r.mine or {}),
                _versions(session, r),
            )
            for r in list(rows)
        ]


def _versions(session: Session, row: SyncConflictRow) -> tuple[tuple[str, str, str], ...]:
    if row.operation != "update" or not row.changed:
        return ()
    now = local_row(session, row.entity, row.entity_id)
    if now is None:
        return ()
    return tuple(
        (
            name.replace("_", " "),
            _shown(session, value),
            _shown(session, encode_value(now.get(name))),
        )
        for name, value in row.changed.items()
    )


def _shown(session: Session, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return _when(session, value)  # a moved appointment: both times in the clinic's zone
    return str(value)


def open_count(database: Database) -> int:
    with database.reading() as session:
        return int(
            session.execute(
                select(func.count(SyncConflictRow.id)).where(SyncConflictRow.dismissed_at.is_(None))
            ).scalar_one()
        )


def dismiss(database: Database, conflict_ids: list[uuid.UUID]) -> None:
    """The user has seen these (and re-entered what they wanted, if anything)."""
    session = database.write_session()
    try:
        session.execute(
            update(SyncConflictRow)
            .where(SyncConflictRow.id.in_(conflict_ids))
            .values(dismissed_at=utc_now())
        )
        session.commit()
    finally:
        session.close()


def clinic_zone(database: Database) -> ZoneInfo | None:
    """The clinic's time zone, for conflict times (None before the first sync)."""
    with database.reading() as session:
        return _zone(session)
