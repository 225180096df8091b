"""/v1/xero: the clinic's one Xero queue, for desks to show and act on.

With a server, the Xero connection and its queue live on the server's database
(desktop/server/outward.py queues the jobs; `frontdesk xero worker` there sends
them). A desk's Xero page, status badge and Retry buttons use these routes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Depends

from desktop.domain.errors import NotFound
from desktop.domain.roles import Actor
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import Context, SignedInActor, rate_limited
from desktop.server.schemas import ErrorBody, XeroJobOut, XeroQueueOut, XeroRetryOut
from desktop.services import xero_settings
from desktop.services.context import ServiceContext

router = APIRouter(
    prefix="/xero", tags=["xero"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@dataclass(frozen=True, slots=True)
class _Acting:
    actor: Actor

    def current_actor(self) -> Actor:
        return self.actor


@router.get("/queue", summary="The Xero connection, job counts and the jobs needing a person")
def queue(actor: SignedInActor, context: Context) -> XeroQueueOut:
    status = xero_settings.queue_status(ServiceContext(context.database, _Acting(actor)))
    return XeroQueueOut(
        connection=status.connection.state.value,
        tenant_name=status.connection.tenant_name,
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
        xero_settings.retry_job(ServiceContext(context.database, _Acting(actor)), job_id)
    except NotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return XeroRetryOut(id=job_id, retried=True)
