"""`SignedInSession`: the desktop's answer to "who is acting?" for every service call.

It holds the session token of whoever signed in at this computer and implements
the services' `ActorSource`: `current_actor()` asks the `Authenticator` on every
call (expiry, idle timeout, revocation, a deactivated user) and raises the typed
`SessionExpired` when the session can no longer be used.

After the session has ended it still remembers *who* was signed in, so the UI can
offer to sign that person in again and tell whether the same user came back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop.auth.authenticator import Authenticator, SignedIn
from desktop.auth.errors import ExpiryReason, SessionExpired
from desktop.auth.records import UserAccount
from desktop.domain.roles import Actor

UserListener = Callable[[UserAccount | None], None]


class SignedInSession:
    def __init__(self, authenticator: Authenticator, signed_in: SignedIn | None = None) -> None:
        self.authenticator = authenticator
        self._lock = threading.Lock()
        self._token: str | None = None
        self._user: UserAccount | None = None
        self._ended: ExpiryReason = ExpiryReason.SIGNED_OUT
        self._listeners: list[UserListener] = []
        if signed_in is not None:
            self.adopt(signed_in)

    @property
    def user(self) -> UserAccount | None:
        """Who signed in last (kept after the session ends, None after signing out)."""
        return self._user

    @property
    def is_signed_in(self) -> bool:
        return self._token is not None

    def current_actor(self) -> Actor:
        token = self._token
        if token is None:
            raise SessionExpired(self._ended)
        try:
            valid = self.authenticator.check(token)
        except SessionExpired as exc:
            self._forget_token(token, exc.reason)
            raise
        if valid.user != self._user:  # renamed, new role: show it from now on
            self._set_user(valid.user)
        return valid.user.actor

    def adopt(self, signed_in: SignedIn) -> bool:
        """Use a new session from now on; True when it is the same user as before."""
        with self._lock:
            previous = self._user
            self._token = signed_in.token
        same = previous is not None and previous.id == signed_in.user.id
        self._set_user(signed_in.user)
        return same

    def keep_alive(self) -> bool:
        """Note that the user is active (they are typing, not calling services). False if ended."""
        try:
            self.current_actor()
        except SessionExpired:
            return False
        return True

    def end(self, reason: ExpiryReason = ExpiryReason.IDLE) -> None:
        """End the session here and in the store (the screen locked). The user is kept."""
        self.end_here(reason)()

    def sign_out(self) -> None:
        """End the session and forget the user."""
        self.end_here(ExpiryReason.SIGNED_OUT, forget_user=True)()

    def end_here(self, reason: ExpiryReason, *, forget_user: bool = False) -> Callable[[], None]:
        """End the session on this PC at once (nothing runs with it from now on) and
        return the call that ends it in the store too — a database write, for the
        caller to run where it likes (the window: in the background)."""
        with self._lock:
            token, self._token, self._ended = self._token, None, reason
        if forget_user:
            self._set_user(None)
        authenticator = self.authenticator

        def end_in_store() -> None:
            if token is not None:
                authenticator.end_session(token, reason)

        return end_in_store

    def change_password(self, current: str, new: str) -> None:
        """Change the signed-in user's password; this session stays, all others end."""
        token = self._token
        if token is None:
            raise SessionExpired(self._ended)
        self.authenticator.change_password(token, current, new)

    def subscribe(self, listener: UserListener) -> None:
        """Call `listener(user)` whenever a different user (or nobody) is signed in."""
        self._listeners.append(listener)

    def _forget_token(self, token: str, reason: ExpiryReason) -> None:
        with self._lock:
            if self._token == token:
                self._token, self._ended = None, reason

    def _set_user(self, user: UserAccount | None) -> None:
        changed = (user is None) != (self._user is None) or (
            user is not None and self._user is not None and user.id != self._user.id
        )
        self._user = user
        if changed:
            for listener in list(self._listeners):
                listener(user)
