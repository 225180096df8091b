"""/v1/messaging/secrets: the mail password and SMS key, handed from a desk to the server.

With a server, the server's sender sends every message, so the secrets belong on
the server machine (its keyring, or the owner-only file beside its Xero token
file; its environment variables still win). An administrator's desk puts them
here from Settings ▸ Reminders and SMS. Nothing ever answers with a secret: GET
says only which are set.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request

from desktop.domain.errors import NotFound
from desktop.domain.roles import Actor
from desktop.server.context import ServerContext
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import ActingAs, Context, SignedInActor, rate_limited
from desktop.server.schemas import ErrorBody, MessagingSecretsIn, MessagingSecretsOut
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.secrets import MessagingSecrets, SecretsUnavailable

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
        503: {"model": ErrorBody, "description": "the server machine cannot keep secrets"},
    },
)
def keep(
    body: MessagingSecretsIn, request: Request, actor: SignedInActor, context: Context
) -> MessagingSecretsOut:
    clinic_id = _clinic_id(actor, context)
    secrets = _secrets(request)
    try:
        if body.smtp_password is not None:
            secrets.set_smtp_password(clinic_id, body.smtp_password)
        if body.sms_secret is not None:
            secrets.set_sms_api_key(clinic_id, body.sms_secret)
    except SecretsUnavailable as exc:
        raise ApiError(503, "no_keyring", str(exc)) from exc
    return _which(secrets, clinic_id)


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
