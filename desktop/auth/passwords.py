"""Password hashing (argon2id) and the rules a new password must meet.

Hashes carry their own parameters, so raising the cost later needs no migration:
`needs_rehash` tells, at the next successful sign-in, that the stored hash was
made with older parameters, and the password is hashed again then.
"""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from desktop.auth.errors import PasswordRejected

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; this only bounds the work per attempt


class Passwords:
    """Hash and verify passwords with argon2id (argon2-cffi's recommended parameters)."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self.hasher = hasher or argon2.PasswordHasher()
        self._decoy: str | None = None

    @classmethod
    def cheapest(cls) -> Passwords:
        """Insecure but fast parameters, for tests only."""
        return cls(argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def verify_decoy(self, password: str) -> None:
        """Spend the same time as a real check, so unknown usernames are not told apart."""
        if self._decoy is None:
            self._decoy = self.hash("decoy password that matches no account")
        self.verify(self._decoy, password)


def check_new_password(password: str, *, username: str, current: str | None = None) -> None:
    """Raise PasswordRejected with a sentence for the user when `password` cannot be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters "
            "(a short phrase is easy to remember)."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"A password can have at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip().casefold() == username.strip().casefold():
        raise PasswordRejected("The password cannot be the same as the username.")
    if current is not None and password == current:
        raise PasswordRejected("The new password must differ from the current one.")
