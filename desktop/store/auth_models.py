"""Tables for sign-in: users, their sessions (and "remember me" refresh secrets), the policy.

Sessions keep only a hash of their secret. They are not versioned rows: touching
last-seen on every call must never collide with another window's touch.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models import Base, Row
from desktop.store.types import UTCDateTime


class UserRow(Row):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    practitioner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("practitioners.id"), nullable=True
    )
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_out_everywhere_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInSessionRow(Base):
    __tablename__ = "sign_in_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    idle_timeout_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    device: Mapped[str] = mapped_column(String(200), default="")


# The clinic's one sign-in policy row: the same id in every database (migration 0013
# creates it), so desks and the server all edit one synced row and never race to add it.
SIGN_IN_POLICY_ID = uuid.UUID("013a8890-a344-5d95-bc4e-9a4ba1441ec7")


class SignInPolicyRow(Row):
    """The clinic's session lengths (one row, `SIGN_IN_POLICY_ID`), synced to every desk
    (desktop.store.sync_models). Absent (a database built without migrations) means defaults."""

    __tablename__ = "sign_in_policy"

    idle_timeout_seconds: Mapped[int] = mapped_column(Integer)
    lifetime_seconds: Mapped[int] = mapped_column(Integer)
    remember_seconds: Mapped[int] = mapped_column(Integer)
