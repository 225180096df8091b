"""/v1/messaging/secrets: the mail password and SMS key, handed from a desk to the server.

With a server, the server's sender sends every message, so the secrets belong on
the server machine: its keyring, or — when it has none (a headless Linux box, the
usual server) or it refuses — the owner-only file `secrets_file()` (its environment
variables still win). PUT says which of the two it used. An administrator's desk
puts them here from Settings ▸ Reminders and SMS. Nothing ever answers with a
secret: GET says only which are set.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request

from desktop.domain.errors import NotFound
from desktop.domain.roles import Actor
from desktop.server.context import ServerContext
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import ActingAs, Context, SignedInActor, rate_limited
from desktop.server.schemas import (
    ErrorBody,
    MessagingSecretsIn,
    MessagingSecretsKept,
    MessagingSecretsOut,
)
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.secrets import MessagingSecrets, SecretsUnavailable

log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/messaging",
    tags=["messaging"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(rate_limited)],
)

_ADMIN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "only an administrator sets the secrets"},
    404: {"model": ErrorBody, "description": "no clinic is set up yet"},
}


@router.get(
    "/secrets", summary="Which messaging secrets the server's sender has", responses=_ADMIN_ONLY
)
def which(request: Request, actor: SignedInActor, context: Context) -> MessagingSecretsOut:
    clinic_id = _clinic_id(actor, context)
    return _which(_secrets(request), clinic_id)


@router.put(
    "/secrets",
    summary="Keep the mail password and the SMS provider's secret on the server machine",
    responses={
        **_ADMIN_ONLY,
        503: {"model": ErrorBody, "description": "the server machine could not write them"},
    },
)
def keep(
    body: MessagingSecretsIn, request: Request, actor: SignedInActor, context: Context
) -> MessagingSecretsKept:
    clinic_id = _clinic_id(actor, context)
    secrets = _secrets(request)
    try:
        file = secrets.keep_on_this_machine(
            clinic_id, smtp_password=body.smtp_password, sms_api_key=body.sms_secret
        )
    except (SecretsUnavailable, OSError) as exc:
        raise ApiError(
            503, "secrets_not_kept", f"The server could not keep the password or key: {exc}"
        ) from exc
    if file is not None:
        log.info("messaging secrets kept in the owner-only file %s (no usable keyring)", file)
    which = _which(secrets, clinic_id)
    return MessagingSecretsKept(
        **which.model_dump(),
        kept_in="file" if file is not None else "keyring",
        secrets_file=str(file) if file is not None else None,
    )


def _clinic_id(actor: Actor, context: ServerContext) -> uuid.UUID:
    if not actor.is_admin:
        raise ApiError(403, "forbidden", "Only an administrator can set the messaging secrets.")
    try:
        return calendar.main_clinic(ServiceContext(context.database, ActingAs(actor))).id
    except NotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


def _which(secrets: MessagingSecrets, clinic_id: uuid.UUID) -> MessagingSecretsOut:
    return MessagingSecretsOut(
        smtp_password_set=secrets.has_smtp_password(clinic_id),
        sms_secret_set=secrets.has_sms_api_key(clinic_id),
    )


def _secrets(request: Request) -> MessagingSecrets:
    kept: MessagingSecrets | None = getattr(request.app.state, "sms_secrets", None)
    return kept or MessagingSecrets()
