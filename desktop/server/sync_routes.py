"""/v1/sync: push mutations, pull changes since a cursor, the whole clinic at once, rows by id."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from desktop.server.apply import Mutation, Outcome
from desktop.server.change_log import current_rows, read_changes
from desktop.server.desks import is_registered, note_pulled
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import Context, SignedInActor, rate_limited
from desktop.server.schemas import (
    ChangesResponse,
    MutationError,
    MutationResult,
    PushRequest,
    PushResponse,
    RowOut,
    RowsRequest,
    RowsResponse,
)
from desktop.server.snapshot import (
    GZIP_LEVEL,
    MEDIA_TYPE,
    accepts_gzip,
    gzipped,
    snapshot_stream,
)
from desktop.server.trim import trim_if_due, trimmed_through
from desktop.store.types import utc_now

GZIP_FROM_BYTES = 1400  # a smaller page fits one packet as it is

router = APIRouter(
    prefix="/sync", tags=["sync"], responses=ERROR_RESPONSES, dependencies=[Depends(rate_limited)]
)


@router.post("/push", summary="Apply a replica's mutations, in order, group by group")
def push(body: PushRequest, actor: SignedInActor, context: Context) -> PushResponse:
    mutations = _first_of_each_id(body)
    outcomes = {o.mutation.id: o for o in context.applier.push(actor, body.replica_id, mutations)}
    keys = {(m.entity, m.entity_id) for m in mutations}
    with context.database.engine.connect() as connection:
        rows = current_rows(connection, _by_entity(keys).items())
    return PushResponse(results=[_result(outcomes[m.id], rows) for m in body.mutations])


def _first_of_each_id(body: PushRequest) -> list[Mutation]:
    """A repeated mutation id is the same mutation sent twice: applied once, answered twice."""
    unique: dict[uuid.UUID, Mutation] = {}
    for m in body.mutations:
        unique.setdefault(
            m.id,
            Mutation(
                m.id, m.group, m.entity, m.entity_id, m.op, m.base_version, m.fields, m.base_fields
            ),
        )
    return list(unique.values())


def _by_entity(keys: set[tuple[str, uuid.UUID]]) -> dict[str, list[uuid.UUID]]:
    grouped: dict[str, list[uuid.UUID]] = {}
    for entity, ident in keys:
        grouped.setdefault(entity, []).append(ident)
    return grouped


def _result(outcome: Outcome, rows: dict[tuple[str, uuid.UUID], dict[str, Any]]) -> MutationResult:
    m = outcome.mutation
    error = None
    if not outcome.applied:
        error = MutationError(code=outcome.code or "refused", message=outcome.message or "")
    return MutationResult(
        id=m.id,
        status="applied" if outcome.applied else "rejected",
        entity=m.entity,
        entity_id=m.entity_id,
        error=error,
        row=rows.get((m.entity, m.entity_id)),
    )


@router.get(
    "/changes",
    response_model=ChangesResponse,
    summary="Changes after a cursor, oldest first, a page at a time",
)
def changes(
    _actor: SignedInActor,
    context: Context,
    request: Request,
    response: Response,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    total: Annotated[bool, Query(description="also count all changes after `since`")] = False,
    replica_id: Annotated[
        uuid.UUID | None,
        Query(
            description="the desk asking (it has every change up to `since`); users' password "
            "hashes go only to a registered desk, never for a deactivated user"
        ),
    ] = None,
) -> Response:
    desk = replica_id is not None and note_pulled(context.database, replica_id, since, utc_now())
    if 0 < since < trimmed_through(context.database):
        raise ApiError(
            410,
            "resync_required",
            "Deletions this desk has not seen were trimmed from the log; download the clinic "
            "again (from change 0).",
        )
    page = read_changes(context.database, since, limit, total, for_desk=desk)
    if not page.has_more:
        trim_if_due(context.database, utc_now())
    body = {"changes": page.changes, "next": page.next, "has_more": page.has_more}
    body["total"] = page.total
    # Pages are large (a first sync reads them all) and built from encoded rows
    # already: serialise directly instead of validating every change again.
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = dict(response.headers)
    headers["Vary"] = "Accept-Encoding"
    if len(content) >= GZIP_FROM_BYTES and accepts_gzip(request.headers.get("Accept-Encoding", "")):
        # JSON rows shrink several times: a page crosses a clinic's slow link sooner.
        content = gzip.compress(content, GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(content, media_type="application/json", headers=headers)


@router.get(
    "/snapshot",
    summary="Every synced row at one change number, for a desk's first sync",
    description=(
        "A consistent snapshot of the clinic, streamed as text: a header line with the "
        "change number it stands at, then each table's rows, then an end line (format in "
        "desktop/server/snapshot.py). Afterwards the desk asks /v1/sync/changes from that "
        "change number. A body without its end line is incomplete and must be discarded. "
        "Gzipped as it streams when the request accepts gzip."
    ),
    response_class=StreamingResponse,
    responses={200: {"description": "The snapshot", "content": {"text/plain": {}}}},
)
def snapshot(
    _actor: SignedInActor,
    context: Context,
    request: Request,
    replica_id: Annotated[
        uuid.UUID | None,
        Query(description="the desk asking: users' password hashes go only to a registered desk"),
    ] = None,
) -> StreamingResponse:
    desk = replica_id is not None and is_registered(context.database, replica_id)
    stream = snapshot_stream(context.database, for_desk=desk)
    headers = {"Vary": "Accept-Encoding"}
    if accepts_gzip(request.headers.get("Accept-Encoding", "")):
        headers["Content-Encoding"] = "gzip"
        return StreamingResponse(gzipped(stream), media_type=MEDIA_TYPE, headers=headers)
    return StreamingResponse(stream, media_type=MEDIA_TYPE, headers=headers)


@router.post("/rows", summary="The current rows of some records (null: not on the server)")
def rows(body: RowsRequest, _actor: SignedInActor, context: Context) -> RowsResponse:
    keys: set[tuple[str, uuid.UUID]] = {(str(ref.entity), ref.id) for ref in body.entities}
    with context.database.engine.connect() as connection:
        found = current_rows(connection, _by_entity(keys).items())
    return RowsResponse(
        rows=[RowOut(entity=e, id=i, row=found.get((e, i))) for e, i in sorted(keys, key=str)]
    )
