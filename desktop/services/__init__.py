"""Use cases: each runs in one unit of work, checks the caller's session, and
returns a `Changes` saying what the screens need to refresh."""
