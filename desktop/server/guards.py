"""Per-request guards: the rate limit first, then the bearer token.

Both are FastAPI dependencies, so they run before the handler: a refused request
(429, 401) never reaches it and changes nothing. An allowed request carries the
RateLimit-* headers of its tightest bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from desktop.auth.authenticator import ValidSession
from desktop.auth.errors import SessionExpired
from desktop.auth.records import normalise_username
from desktop.domain.roles import Actor
from desktop.server.client_address import client_address
from desktop.server.context import ServerContext, server_context
from desktop.server.errors import ApiError
from desktop.server.rate_limit import Limit, token_key, username_key

Context = Annotated[ServerContext, Depends(server_context)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _client_address(request: Request, context: ServerContext) -> str:
    peer = request.client.host if request.client is not None else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), context.proxies)


def _limit(
    request: Request,
    response: Response,
    context: ServerContext,
    sign_in: bool,
    username: str | None = None,
) -> None:
    limiter = context.limiter
    if limiter is None:
        return
    address = _client_address(request, context)
    buckets: list[tuple[str, Limit]] = []
    token = bearer_token(request)
    # Only a real session gets a bucket of its own: made-up tokens would each
    # leave a stored row behind (they still count against their address).
    per_token = context.limits.per_token
    if token is not None and per_token is not None and _is_session(request, context):
        buckets.append((token_key(token), per_token))
    if context.limits.per_address is not None:
        buckets.append((f"address:{address}", context.limits.per_address))
    if sign_in and context.limits.sign_in is not None:
        buckets.append((f"sign-in:{address}", context.limits.sign_in))
        if username is not None:
            # Per username too: a client that can vary its address (or a botnet)
            # still gets only so many guesses at one account.
            buckets.append((username_key(username), context.limits.sign_in))
    if not buckets:
        return
    decision = limiter.take(buckets)
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_seconds),
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after)
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests; try again in {decision.retry_after} second(s).",
            headers=headers,
        )
    response.headers.update(headers)


async def rate_limited(request: Request, response: Response, context: Context) -> None:
    if context.limiter is not None:  # the database round trip goes to a worker thread
        await run_in_threadpool(_limit, request, response, context, False)


async def sign_in_rate_limited(request: Request, response: Response, context: Context) -> None:
    if context.limiter is not None:
        username = await _username_in(request)
        await run_in_threadpool(_limit, request, response, context, True, username)


async def _username_in(request: Request) -> str | None:
    """The username a sign-in names, if its body says; the handler validates the rest."""
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep:
        return None  # the handler's own parsing answers 400 or 422
    username = body.get("username") if isinstance(body, dict) else None
    return normalise_username(username) if isinstance(username, str) else None


def session_expired(exc: SessionExpired) -> ApiError:
    return ApiError(
        401,
        "session_expired",
        exc.message,
        reason=exc.reason.value,
        headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc.reason.value}"'
        },
    )


# Declared so the OpenAPI document shows the scheme; the header is read by `bearer_token`.
bearer_scheme = HTTPBearer(auto_error=False, description="a session token from POST /v1/sessions")


def checked_session(request: Request, context: ServerContext) -> ValidSession | SessionExpired:
    """The bearer token's session, or why there is none; checked once per request.

    Blocking (a database read): call it from a worker thread.
    """
    state = request.scope.setdefault("state", {})
    if _CHECKED not in state:
        token = bearer_token(request)
        if token is None:
            state[_CHECKED] = SessionExpired(
                "signed_out", "Sign in first: no bearer token was sent."
            )
        else:
            try:
                state[_CHECKED] = context.authenticator.check(token)
            except SessionExpired as exc:
                state[_CHECKED] = exc
    checked: ValidSession | SessionExpired = state[_CHECKED]
    return checked


_CHECKED = "frontdesk_checked_session"


def _is_session(request: Request, context: ServerContext) -> bool:
    return not isinstance(checked_session(request, context), SessionExpired)


def signed_in_actor(
    request: Request,
    context: Context,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> Actor:
    checked = checked_session(request, context)
    if isinstance(checked, SessionExpired):
        raise session_expired(checked)
    return checked.user.actor


SignedInActor = Annotated[Actor, Depends(signed_in_actor)]


@dataclass(frozen=True, slots=True)
class ActingAs:
    """The signed-in caller as a ServiceContext's session: a route calls the services as
    them (the services check their role, as at a desk)."""

    actor: Actor

    def current_actor(self) -> Actor:
        return self.actor
