"""The JSON shapes of the /v1 API (they are also its OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from desktop.domain import fields
from desktop.domain.errors import InvalidInput
from desktop.store.sync_models import PUSHED_TABLES

# The tables a desk pushes, named once (desktop.store.sync_models); a Literal, so the
# OpenAPI document lists them. mypy cannot read a Literal built from a tuple: it sees str.
if TYPE_CHECKING:
    Entity = str
else:
    Entity = Literal[PUSHED_TABLES]


def _storable(text: str) -> str:
    try:
        return fields.storable_text(text, "text")
    except InvalidInput as exc:  # pydantic turns a ValueError into a 422
        raise ValueError(str(exc)) from exc


# Text that a database can keep: no NUL, no lone surrogate (else 422, never 500).
Text = Annotated[str, AfterValidator(_storable)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable, e.g. session_expired, rate_limited")
    message: str = Field(description="a sentence for a person")
    reason: str | None = Field(
        default=None, description="why, e.g. idle, expired, revoked (for session_expired)"
    )


class SignInRequest(Strict):
    username: Text = Field(min_length=1, max_length=200)
    password: Text = Field(min_length=1, max_length=1024)
    device: Text = Field(default="", max_length=200)


class RefreshRequest(Strict):
    refresh_token: Text = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    practitioner_id: uuid.UUID | None


class SessionOut(BaseModel):
    token: str = Field(description="send as `Authorization: Bearer <token>`")
    expires_at: datetime
    idle_timeout_seconds: int
    refresh_token: str | None = Field(
        default=None, description="exchange at /v1/sessions/refresh for a new session"
    )
    refresh_expires_at: datetime | None = None
    user: UserOut


class CurrentSessionOut(BaseModel):
    user: UserOut
    expires_at: datetime


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    latest_change: int


class MutationIn(Strict):
    id: uuid.UUID = Field(
        description="unique per mutation; a repeated id is answered, not re-applied"
    )
    group: uuid.UUID = Field(description="mutations of one local transaction: all or nothing")
    entity: Entity
    entity_id: uuid.UUID
    op: Literal["insert", "update", "delete"]
    base_version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the version the change was made on"
    )
    fields: dict[str, Any] = Field(default_factory=dict, description="changed columns")
    base_fields: dict[str, Any] = Field(
        default_factory=dict,
        description="the changed columns' values the edit was made on (field-level merge)",
    )


class PushRequest(Strict):
    replica_id: uuid.UUID
    mutations: list[MutationIn] = Field(max_length=5000)


class MutationError(BaseModel):
    code: str = Field(description="e.g. double_booking, practitioner_inactive, stale_edit")
    message: str


class MutationResult(BaseModel):
    id: uuid.UUID
    status: Literal["applied", "rejected"]
    entity: str
    entity_id: uuid.UUID
    error: MutationError | None = None
    row: dict[str, Any] | None = Field(
        default=None, description="the record as the server now holds it (null: it does not exist)"
    )


class PushResponse(BaseModel):
    results: list[MutationResult]


class Change(BaseModel):
    seq: int
    entity: str
    id: uuid.UUID
    version: int
    deleted: bool
    row: dict[str, Any] | None


class ChangesResponse(BaseModel):
    changes: list[Change]
    next: int = Field(description="the cursor to ask from next time")
    has_more: bool
    total: int | None = Field(default=None, description="changes after `since` (when asked for)")


class EntityRef(Strict):
    entity: Entity
    id: uuid.UUID


class RowsRequest(Strict):
    entities: list[EntityRef] = Field(max_length=1000)


class RowOut(BaseModel):
    entity: str
    id: uuid.UUID
    row: dict[str, Any] | None


class RowsResponse(BaseModel):
    rows: list[RowOut]


class DeskIn(Strict):
    replica_id: uuid.UUID
    name: str = Field(default="", max_length=100, description="the PC's name, for people")


class DeskOut(BaseModel):
    replica_id: uuid.UUID
    code: str = Field(description="the desk's numbering series, e.g. B in FD-B-000123")


class XeroJobOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="e.g. xero.invoice, xero.payment")
    label: str = Field(description="e.g. Invoice FD-B-000123")
    state: str = Field(
        description="parked (Xero refused it), held, or pending (waiting on a parked or held job)"
    )
    reason: str = Field(description="Xero's message, else our note (one line)")
    xero_said: str = Field("", description="Xero's own answer (its validation message)")
    note: str = Field("", description="ours: why it is held, what it waits for")
    attempts: int
    updated_at: datetime | None


class XeroQueueOut(BaseModel):
    connection: str = Field(description="disconnected, connected or needs_reconnect")
    tenant_name: str
    client_id: str = Field("", description="the clinic's Xero app (a desk reconnects with it)")
    message: str
    counts: dict[str, int] = Field(description="jobs by state: pending, in_flight, done …")
    badge: str = Field(description="the status bar's summary, e.g. Xero: 3 waiting")
    attention: list[XeroJobOut]


class XeroConnectionIn(BaseModel):
    """What Xero's sign-in on a desk returned, handed to the server that sends to Xero."""

    client_id: Text = Field(min_length=1, max_length=100)
    tenant_id: Text = Field(min_length=1, max_length=36)
    tenant_name: Text = Field(max_length=200)
    access_token: Text = Field(min_length=1, max_length=8000)
    refresh_token: Text = Field(min_length=1, max_length=8000)
    expires_at: AwareDatetime
    scope: list[str] = Field(default_factory=list, max_length=50)


class XeroConnectionOut(BaseModel):
    connection: str = Field(description="connected")
    tenant_name: str


class MessagingSecretsIn(BaseModel):
    """Secrets typed at an administrator's desk; a field left out stays as it is, "" removes it."""

    smtp_password: Text | None = Field(default=None, max_length=1000)
    sms_secret: Text | None = Field(
        default=None, max_length=1000, description="Twilio auth token / ClickSend or relay key"
    )


class MessagingSecretsOut(BaseModel):
    """Which secrets the server's message sender has; never the secrets themselves."""

    smtp_password_set: bool
    sms_secret_set: bool


class MessagingSecretsKept(MessagingSecretsOut):
    """After PUT: which are set, and where the server machine kept them."""

    kept_in: Literal["keyring", "file"] = Field(
        description="the server machine's keyring, or (without a usable one) an owner-only file"
    )
    secrets_file: str | None = Field(
        default=None, description="that file's path on the server machine, when kept_in is file"
    )


class XeroRetryOut(BaseModel):
    id: uuid.UUID
    retried: bool


class SmsBalanceOut(BaseModel):
    """The SMS provider's balance as the server's message sender sees it."""

    provider: str = Field(description="twilio, clicksend or relay: the clinic's choice")
    balance: Decimal | None = Field(
        description="money left with the provider (a decimal string, never a float); "
        "null when it cannot be read"
    )
    currency: str = Field(description="the account's currency, e.g. AUD")
    low_threshold: int = Field(description="warn below this, in whole units of the currency")
    low: bool = Field(description="the balance is below the threshold")
    checked_at: AwareDatetime = Field(description="when the server last asked the provider")
    problem: str = Field(description="why the balance could not be read, or empty")
