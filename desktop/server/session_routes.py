"""/v1/sessions: sign in for a bearer token, refresh it, see it, revoke it.

Tokens are the sign-in sessions of `desktop.auth` (hashed at rest, idle timeout,
absolute lifetime, revocation). A session that can no longer be used answers
401 with `{"error": "session_expired", "reason": "idle" | "expired" | "revoked" |
"signed_out" | "invalid"}`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status

from desktop.auth.authenticator import SignedIn
from desktop.auth.errors import RefusalReason, SessionExpired, SignInRefused
from desktop.auth.records import UserAccount
from desktop.server.errors import ERROR_RESPONSES, ApiError
from desktop.server.guards import (
    Context,
    bearer_token,
    rate_limited,
    session_expired,
    sign_in_rate_limited,
)
from desktop.server.schemas import (
    CurrentSessionOut,
    RefreshRequest,
    SessionOut,
    SignInRequest,
    UserOut,
)

router = APIRouter(prefix="/sessions", tags=["sessions"], responses=ERROR_RESPONSES)


def _user(user: UserAccount) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        practitioner_id=user.practitioner_id,
    )


def _session(signed_in: SignedIn) -> SessionOut:
    return SessionOut(
        token=signed_in.token,
        expires_at=signed_in.expires_at,
        idle_timeout_seconds=int(signed_in.idle_timeout.total_seconds()),
        refresh_token=signed_in.refresh_token,
        refresh_expires_at=signed_in.refresh_expires_at,
        user=_user(signed_in.user),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(sign_in_rate_limited)],
    summary="Sign in: a bearer token (and a refresh token) for a username and password",
)
def sign_in(body: SignInRequest, context: Context) -> SessionOut:
    try:
        signed_in = context.authenticator.sign_in(
            body.username, body.password, remember=True, device=body.device
        )
    except SignInRefused as exc:
        raise _refused(exc) from exc
    return _session(signed_in)


def _refused(exc: SignInRefused) -> ApiError:
    """The same answer whether or not the username exists.

    Tries left and lockouts are counted only for real users, so telling them apart
    would tell a stranger which usernames exist: a wrong password, an unknown user
    and a locked account all get one answer. (A deactivated account is named only
    to someone who gave its right password.)
    """
    if exc.reason is RefusalReason.INACTIVE:
        return ApiError(401, "sign_in_refused", str(exc), reason=exc.reason.value)
    return ApiError(
        401,
        "sign_in_refused",
        "The username or password is incorrect, or the account is locked for a while "
        "after too many wrong tries.",
        reason=RefusalReason.BAD_CREDENTIALS.value,
    )


@router.post(
    "/refresh",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(sign_in_rate_limited)],
    summary="Exchange a refresh token for a new session (the refresh token is used up)",
)
def refresh(body: RefreshRequest, context: Context) -> SessionOut:
    try:
        return _session(context.authenticator.resume(body.refresh_token))
    except SessionExpired as exc:
        raise session_expired(exc) from exc


@router.get(
    "/current",
    dependencies=[Depends(rate_limited)],
    summary="Who the bearer token belongs to, and until when it lasts",
)
def current(request: Request, context: Context) -> CurrentSessionOut:
    token = bearer_token(request) or ""
    try:
        valid = context.authenticator.check(token)
    except SessionExpired as exc:
        raise session_expired(exc) from exc
    return CurrentSessionOut(user=_user(valid.user), expires_at=valid.expires_at)


@router.delete(
    "/current",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(rate_limited)],
    summary="Sign out: the bearer token and the refresh token issued with it stop working",
)
def revoke(request: Request, context: Context) -> None:
    token = bearer_token(request)
    if token is None:
        raise session_expired(SessionExpired("signed_out"))
    try:
        context.authenticator.check(token)
    except SessionExpired as exc:
        raise session_expired(exc) from exc
    context.authenticator.sign_out(token)
