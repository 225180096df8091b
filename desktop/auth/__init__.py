"""Users, roles, password hashing, sign-in sessions and their expiry.

No Qt and no particular database: the logic (`Authenticator`) talks to an
`AuthStore`; `SqlAuthStore` keeps users and sessions in the clinic database.

* sign in: `Authenticator.sign_in(username, password, remember=...) -> SignedIn`
  (raises `SignInRefused`: wrong password, locked, deactivated)
* every call: `Authenticator.check(token) -> ValidSession` / `actor_for(token) -> Actor`
  (raises `SessionExpired` with `reason` expired / idle / revoked / signed_out / invalid)
* "remember me": `Authenticator.resume(refresh_token) -> SignedIn` (rotates the secret)
* revoke: `end_session(token)`, `end_sessions_of(user_id)`, `change_password`,
  `set_password`, `update_user(..., active=False)`
* the desktop's `ActorSource`: `SignedInSession`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.lazy_names import lazy_names

if TYPE_CHECKING:
    from desktop.auth.authenticator import Authenticator, SignedIn, UserChanges, ValidSession
    from desktop.auth.clock import Clock, ManualClock, SystemClock
    from desktop.auth.errors import (
        ExpiryReason,
        PasswordRejected,
        RefusalReason,
        SessionExpired,
        SignInRefused,
    )
    from desktop.auth.passwords import MIN_PASSWORD_LENGTH, Passwords
    from desktop.auth.records import (
        LockoutPolicy,
        NewUser,
        SessionPolicy,
        UserAccount,
    )
    from desktop.auth.signed_in import SignedInSession
    from desktop.auth.sql_store import SqlAuthStore
    from desktop.auth.store import AuthStore, AuthTransaction

# Each name loads its own module when first asked for: the sign-in dialog at start-up
# needs the errors, not the hashing (argon2), the tokens or SQLAlchemy (`SqlAuthStore`).
__getattr__ = lazy_names(
    __name__,
    {
        "Authenticator": "authenticator",
        "SignedIn": "authenticator",
        "UserChanges": "authenticator",
        "ValidSession": "authenticator",
        "Clock": "clock",
        "ManualClock": "clock",
        "SystemClock": "clock",
        "ExpiryReason": "errors",
        "PasswordRejected": "errors",
        "RefusalReason": "errors",
        "SessionExpired": "errors",
        "SignInRefused": "errors",
        "MIN_PASSWORD_LENGTH": "passwords",
        "Passwords": "passwords",
        "LockoutPolicy": "records",
        "NewUser": "records",
        "SessionPolicy": "records",
        "UserAccount": "records",
        "SignedInSession": "signed_in",
        "SqlAuthStore": "sql_store",
        "AuthStore": "store",
        "AuthTransaction": "store",
    },
)


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AuthStore",
    "AuthTransaction",
    "Authenticator",
    "Clock",
    "ExpiryReason",
    "LockoutPolicy",
    "ManualClock",
    "NewUser",
    "PasswordRejected",
    "Passwords",
    "RefusalReason",
    "SessionExpired",
    "SessionPolicy",
    "SignInRefused",
    "SignedIn",
    "SignedInSession",
    "SqlAuthStore",
    "SystemClock",
    "UserAccount",
    "UserChanges",
    "ValidSession",
]
