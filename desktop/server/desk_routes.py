"""/v1/sync/desk: a desk registers with the server and learns its numbering code."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from desktop.domain.errors import PermissionDenied
from desktop.server.desks import register_desk
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import Context, SignedInActor, rate_limited
from desktop.server.schemas import DeskIn, DeskOut, ErrorBody
from desktop.store.types import utc_now

router = APIRouter(
    prefix="/sync", tags=["sync"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@router.post(
    "/desk",
    summary="Register a desk (replica) and get its numbering code; asking again is harmless",
    description="Only an administrator may register a new desk (403 desk_needs_admin); "
    "a desk already registered gets its code whoever is signed in.",
    responses={
        403: {"model": ErrorBody, "description": "desk_needs_admin: a new desk, not an admin"}
    },
)
def desk(body: DeskIn, actor: SignedInActor, context: Context) -> DeskOut:
    try:
        code = register_desk(
            context.database, body.replica_id, body.name, utc_now(), may_add=actor.is_admin
        )
    except PermissionDenied as exc:
        raise ApiError(403, "desk_needs_admin", str(exc)) from exc
    return DeskOut(replica_id=body.replica_id, code=code)
