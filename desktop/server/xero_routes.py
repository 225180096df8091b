"""/v1/xero: the clinic's one Xero queue, for desks to show and act on.

With a server, the Xero connection and its queue live on the server's database
(desktop/server/outward.py queues the jobs; the sender beside `frontdesk server`
sends them, desktop/server/senders.py). A desk's Xero page, status badge and Retry
buttons use these routes, and an administrator connecting Xero at a desk hands
the tokens over here: they are kept on the server machine (its keyring, or the
owner-only token file), where the sender reads them.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from desktop.domain.errors import NotFound
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import ActingAs, Context, SignedInActor, rate_limited
from desktop.server.schemas import (
    ErrorBody,
    XeroConnectionIn,
    XeroConnectionOut,
    XeroJobOut,
    XeroQueueOut,
    XeroRetryOut,
)
from desktop.services import xero_settings
from desktop.services.context import ServiceContext

router = APIRouter(
    prefix="/xero", tags=["xero"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@router.get("/queue", summary="The Xero connection, job counts and the jobs needing a person")
def queue(actor: SignedInActor, context: Context) -> XeroQueueOut:
    status = xero_settings.queue_status(ServiceContext(context.database, ActingAs(actor)))
    return XeroQueueOut(
        connection=status.connection.state.value,
        tenant_name=status.connection.tenant_name,
        client_id=status.connection.client_id,
        message=status.connection.message,
        counts={state.value: count for state, count in status.counts.items()},
        badge=xero_settings.badge_text(status),
        attention=[
            XeroJobOut(
                id=job.id,
                kind=job.kind,
                label=job.label,
                state=job.state.value,
                reason=job.reason,
                xero_said=job.xero_said,
                note=job.note,
                attempts=job.attempts,
                updated_at=job.updated_at,
            )
            for job in status.attention
        ],
    )


@router.post(
    "/jobs/{job_id}/retry",
    summary="Send a refused or held job again now",
    responses={404: {"model": ErrorBody, "description": "no such job waiting to be sent"}},
)
def retry(job_id: uuid.UUID, actor: SignedInActor, context: Context) -> XeroRetryOut:
    try:
        xero_settings.retry_job(ServiceContext(context.database, ActingAs(actor)), job_id)
    except NotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return XeroRetryOut(id=job_id, retried=True)


@router.post(
    "/connection",
    summary="Connect the clinic to Xero with the tokens of a sign-in made at a desk",
    responses={
        403: {"model": ErrorBody, "description": "only an administrator connects Xero"},
        503: {"model": ErrorBody, "description": "the server machine cannot keep the tokens"},
    },
)
def connect(body: XeroConnectionIn, actor: SignedInActor, context: Context) -> XeroConnectionOut:
    from desktop.xero.connect import keep_connection
    from desktop.xero.errors import NoKeyring
    from desktop.xero.identity import Tenant
    from desktop.xero.tokens import TokenSet, default_vault

    if not actor.is_admin:
        raise ApiError(403, "forbidden", "Only an administrator can connect Xero.")
    tokens = TokenSet(
        body.access_token, body.refresh_token, body.expires_at, scope=tuple(body.scope)
    )
    tenant = Tenant(body.tenant_id, body.tenant_name)
    try:
        connection = keep_connection(
            context.database, default_vault(), body.client_id, tokens, tenant
        )
    except NoKeyring as exc:  # the tokens were not kept: nothing changed
        raise ApiError(503, "no_keyring", str(exc)) from exc
    return XeroConnectionOut(connection=connection.state.value, tenant_name=connection.tenant_name)
