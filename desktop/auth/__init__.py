"""Users, roles, password hashing, sign-in sessions and their expiry."""
