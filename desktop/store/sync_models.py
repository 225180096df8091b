"""Tables of the remote store and its replicas: the change log, mutations, conflicts, limits.

On the server (PostgreSQL):

* `sync_changes` — one row per synced entity: the server-assigned sequence number
  of its latest change (a PostgreSQL sequence stamped by triggers, so every writer
  is covered) and whether that change deleted it (a tombstone, Anki's "grave").
* `sync_applied_mutations` — every mutation a replica pushed and what became of it,
  so a push repeated after a lost answer is answered again, never applied twice.
* `rate_limit_buckets` — token buckets shared by every server instance.
* `sync_desks` — each desk that follows the server, its numbering code and how far it pulled.
* `sync_log_state` — how far tombstones were trimmed (desktop/server/trim.py).

On a desktop replica (SQLite):

* `sync_mutations` — local writes waiting to be uploaded, in order, each written in
  the same transaction as the write itself.
* `sync_inbox` — downloaded changes staged until a pull pass has them all.
* `sync_conflicts` — local changes the server refused, with its reason, for the user.
* `sync_state` — which server this replica follows, and how far it has pulled.

All tables exist in every database (one migration chain); each side uses its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models import Base
from desktop.store.types import UTCDateTime, utc_now

# The synced entity tables, parents before children (the order rows are applied in).
SYNCED_TABLES = (
    "clinics",
    "practitioners",
    "provider_numbers",
    "patients",
    "appointment_types",
    "appointments",
    "attendances",
    # The clinic's money (desktop.server.money_checks re-checks it on the server).
    "credit_packages",
    "invoices",
    "invoice_lines",
    "payments",
    "refunds",
    "credit_lots",
    "credit_applications",
    "credit_refunds",
    "credit_settings",
    "message_opt_outs",
    "wait_list_entries",
    "wait_list_settings",
    # Messages (desktop.server.message_checks re-checks what desks push).
    "messaging_settings",
    "outbox_jobs",  # only the jobs of patients' messages (migration 0011)
    "outgoing_messages",  # the message log, less receipts of SMS credit purchases
    "sms_replies",
    "wait_list_offers",  # made and answered by the sender (desktop.services.wait_list_offers)
    # Settings ▸ Sign-in: one row, the same id everywhere (migration 0013); admins only.
    "sign_in_policy",
    "users",
)
# Synced, but not a clinic of a desk's own: every database has the policy row from
# its first migration, so a fresh desk holding only it may still follow a server.
NOT_CLINIC_DATA = frozenset({"sign_in_policy"})
# Synced from the server to desks only: users are managed on the server, and a
# desk's own sign-in bookkeeping (failed attempts, re-hashing) stays on the desk.
# The clinic's one message sender (on the server) keeps the state of each message's
# sending and the replies (and the wait-list offers it texted); a desk shows them.
# (The SMS balance is the provider's, no longer kept in the store: 0012_smsdesk.)
PULLED_ONLY = frozenset({"users", "outbox_jobs", "sms_replies", "wait_list_offers"})
# Tables of which only some rows sync (the change-log triggers of migration 0011 say
# the same in SQL): a snapshot or a comparison of the shared store leaves out the rest.
PARTLY_SYNCED: dict[str, Callable[[Table], ColumnElement[bool]]] = {
    "outbox_jobs": lambda t: t.c.channel.in_(("sms", "email")) & (t.c.kind != "email.receipt"),
    "outgoing_messages": lambda t: t.c.purchase_id.is_(None),
}
# The tables whose local writes a desk captures and pushes.
PUSHED_TABLES = tuple(name for name in SYNCED_TABLES if name not in PULLED_ONLY)


class SyncChangeRow(Base):
    """Server: the latest change of one entity and its place in the global order."""

    __tablename__ = "sync_changes"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class SyncAppliedMutationRow(Base):
    """Server: a pushed mutation's outcome, kept so a repeated push is answered the same."""

    __tablename__ = "sync_applied_mutations"

    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    replica_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    outcome: Mapped[str] = mapped_column(String(10))  # "applied" or "rejected"
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RateLimitBucketRow(Base):
    """Server: one token bucket (per token, per client address …), shared by all instances."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncMutationRow(Base):
    """Replica: one local change waiting to be uploaded (in `position` order)."""

    __tablename__ = "sync_mutations"
    __table_args__ = (Index("ix_sync_mutations_entity", "entity", "entity_id"),)

    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    # All mutations of one local transaction: the server applies or refuses them together.
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    operation: Mapped[str] = mapped_column(String(10))  # insert, update, delete
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # An update's changed fields as they were before it (desktop.server.merge).
    base_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The row as this change left it (as it was, for a delete): to describe a conflict.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class SyncInboxRow(Base):
    """Replica: a downloaded change, staged until the whole pull pass has arrived."""

    __tablename__ = "sync_inbox"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SyncConflictRow(Base):
    """Replica: a local change the server refused; listed until the user dismisses it."""

    __tablename__ = "sync_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    operation: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    # The row as the refused change left it: what the Conflicts list explains
    # ("FD-000231 is owing $45 again") and shows beside the row as it is now.
    mine: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The fields the refused change set (to re-apply them with one click).
    changed: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SyncStateRow(Base):
    """Replica: one row (id 1) — the server followed and the pull cursors."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(Text)
    replica_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Every change up to `cursor` is applied locally; saved only after a clean pass.
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Downloaded into the inbox up to here (a pull interrupted part-way resumes from it).
    staged_cursor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The desk's numbering series, given by the server at first sync (desktop.store.numbering).
    desk_code: Mapped[str | None] = mapped_column(String(4), nullable=True)


class SyncDeskRow(Base):
    """Server: a desk (replica) that follows this server, and its numbering code."""

    __tablename__ = "sync_desks"

    replica_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The desk has every change up to here (what it last pulled from): trimming waits for it.
    acked_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SyncLogStateRow(Base):
    """Server: one row (id 1) — how far the change log's tombstones have been trimmed."""

    __tablename__ = "sync_log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Tombstones up to this change number are gone: a desk behind it re-downloads.
    trimmed_through: Mapped[int] = mapped_column(BigInteger, default=0)
    trimmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
