"""Before any handler: refuse oversized bodies, and authenticate before reading one.

FastAPI reads and parses a request's whole body before its dependencies run, so
the bearer token of a push would be checked only after an anonymous client had
made the server read (and parse) whatever it sent. This middleware runs first:

* a body larger than `max_body` bytes gets 413 — at once when Content-Length says
  so, otherwise as soon as the stream passes the cap (it is never read further);
* a POST to an operation that needs a session (`/v1/sync/…`) gets its 401
  before a byte of its body is read.

The body that passes is handed on unchanged.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.auth.errors import SessionExpired
from desktop.server.context import ServerContext
from desktop.server.errors import ApiError, error_response
from desktop.server.guards import checked_session, session_expired

MAX_BODY_BYTES = 16 * 1024 * 1024  # a full push of 5,000 mutations is well under this
SIGNED_IN_PREFIX = "/v1/sync/"


class RequestGuard:
    def __init__(self, app: ASGIApp, context: ServerContext, max_body: int) -> None:
        self.app = app
        self.context = context
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_length(scope)
            await self._check_session(scope)
            body = await self._read_body(receive)
        except ApiError as refusal:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_length(self, scope: Scope) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise ApiError(400, "bad_request", "Content-Length is not a number.") from None
                if declared > self.max_body:
                    raise self._too_large()

    async def _check_session(self, scope: Scope) -> None:
        if scope["method"] != "POST" or not scope["path"].startswith(SIGNED_IN_PREFIX):
            return  # other methods there carry no body, or are answered 405
        checked = await run_in_threadpool(checked_session, Request(scope), self.context)
        if isinstance(checked, SessionExpired):
            raise session_expired(checked)

    async def _read_body(self, receive: Receive) -> list[Message]:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_body:
                raise self._too_large()
            if not message.get("more_body", False):
                return messages

    def _too_large(self) -> ApiError:
        return ApiError(
            413,
            "request_too_large",
            f"The request is larger than {self.max_body // (1024 * 1024)} MB; "
            "send fewer changes at a time.",
        )


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()  # after the body: a disconnect, when it comes

    return replayed
