"""Users come from the server: a desk ends its own sessions that the server's copy outdates.

Users are managed once, on the server (`frontdesk user …` there, or Settings ▸ Users
on the server's own PC); every desk downloads them with the rest of the clinic, so
the same person signs in at any desk, also while it is offline — against the
argon2id hash the desk holds (never the password).

How offline sign-in is kept safe:

* a desk holds only argon2id hashes, like any embedded store; the local lockout
  (five wrong passwords, then 1, 2, 4 … minutes) applies on each desk;
* what the server changes reaches the desk at its next sync and takes effect at
  once: a deactivated user's sessions on the desk end, and a password changed or
  reset on the server, or "sign out everywhere" done there, ends every session on
  the desk begun before it (a new password also stops the old one working there);
* the desk never uploads users, so a desk cannot grant anyone access;
* the server hands password hashes only to registered desks, never to other API
  clients, and never a deactivated user's (desktop/server/change_log.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.auth.errors import ExpiryReason
from desktop.store.auth_models import SignInSessionRow, UserRow
from desktop.store.types import utc_now


def end_outdated_sessions(session: Session, user_ids: Sequence[uuid.UUID]) -> int:
    """End local sessions of these users that the pulled rows no longer allow."""
    ended = 0
    now = utc_now()
    users = session.execute(select(UserRow).where(UserRow.id.in_(list(user_ids)))).scalars()
    for user in users:
        outdated = SignInSessionRow.user_id == user.id
        if user.active:
            moments = (user.password_changed_at, user.signed_out_everywhere_at)
            cutoff = max((moment for moment in moments if moment is not None), default=None)
            if cutoff is None:
                continue
            outdated &= SignInSessionRow.created_at < cutoff
        result = session.execute(
            update(SignInSessionRow)
            .where(outdated, SignInSessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=ExpiryReason.REVOKED.value)
        )
        ended += int(getattr(result, "rowcount", 0) or 0)
    return ended
