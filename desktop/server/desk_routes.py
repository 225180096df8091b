"""/v1/sync/desk: a desk registers with the server and learns its numbering code."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from desktop.server.desks import register_desk
from desktop.server.errors import ERROR_RESPONSES
from desktop.server.guards import Context, SignedInActor, rate_limited
from desktop.server.schemas import DeskIn, DeskOut
from desktop.store.types import utc_now

router = APIRouter(
    prefix="/sync", tags=["sync"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@router.post(
    "/desk",
    summary="Register a desk (replica) and get its numbering code; asking again is harmless",
)
def desk(body: DeskIn, _actor: SignedInActor, context: Context) -> DeskOut:
    code = register_desk(context.database, body.replica_id, body.name, utc_now())
    return DeskOut(replica_id=body.replica_id, code=code)
