"""Why a sign-in was refused or a session ended, in words and as a machine-readable code.

`SessionExpired` is raised by whatever knows who is signed in (`ActorSource`) the
moment a service call asks; the UI catches it in one place and asks the user to
sign in again. `reason` is stable text a program can switch on (the HTTP server
sends it in its 401 body); `message` is a sentence for a person.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from desktop.domain.errors import DomainError, InvalidInput


class ExpiryReason(enum.StrEnum):
    """Why a session can no longer be used."""

    EXPIRED = "expired"  # reached its absolute lifetime
    IDLE = "idle"  # unused for longer than the idle timeout (or the screen locked)
    REVOKED = "revoked"  # password changed, user deactivated, or an admin signed them out
    SIGNED_OUT = "signed_out"  # the user signed out themselves
    INVALID = "invalid"  # no such session: never issued, purged, or a mistyped token


_EXPIRY_MESSAGES = {
    ExpiryReason.EXPIRED: "Your session has reached its time limit. Please sign in again.",
    ExpiryReason.IDLE: "You were signed out after a period without activity. Please sign in again.",
    ExpiryReason.REVOKED: (
        "Your session was ended: your password was changed or an administrator "
        "signed you out. Please sign in again."
    ),
    ExpiryReason.SIGNED_OUT: "You are signed out. Please sign in.",
    ExpiryReason.INVALID: "Your sign-in is not valid any more. Please sign in again.",
}


class SessionExpired(Exception):
    """The sign-in session is no longer valid; sign in again, then retry."""

    def __init__(
        self, reason: ExpiryReason | str = ExpiryReason.EXPIRED, message: str | None = None
    ) -> None:
        try:
            code = ExpiryReason(reason)
        except ValueError:  # an older caller passing a sentence: keep it as the message
            code, message = ExpiryReason.EXPIRED, message or str(reason)
        self.reason: ExpiryReason = code
        self.message: str = message or _EXPIRY_MESSAGES[code]
        super().__init__(self.message)


class RefusalReason(enum.StrEnum):
    """Why a sign-in attempt was refused."""

    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    INACTIVE = "inactive"


class SignInRefused(DomainError):
    """Username and password did not open a session. `str()` is a sentence for the user."""

    def __init__(
        self, reason: RefusalReason, message: str, retry_after: timedelta | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


class PasswordRejected(InvalidInput):
    """A new password does not meet the rules (too short, same as the username …)."""
