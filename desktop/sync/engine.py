"""One sync pass for a replica: push what is waiting, then pull what changed.

Push comes first, so the server judges local changes before the replica takes
the server's rows: a refused change is rolled back to the server's copy, an
accepted one comes back as it was stored. The pass is clean when both halves
finished; only then is the pull cursor moved (inside the pull's apply step).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from desktop.store.database import Database
from desktop.sync import conflicts
from desktop.sync.client import ServerApi, ServerCredentials, ServerProtocolError, Tokens
from desktop.sync.pull import Progress, PullReport, pull_changes
from desktop.sync.push import PushReport, push_pending
from desktop.sync.state import (
    ReplicaState,
    bind_replica,
    load_state,
    pending_count,
    save_desk_code,
)


@dataclass(frozen=True, slots=True)
class PassReport:
    push: PushReport
    pull: PullReport
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SyncSettings:
    push_batch: int = 200  # mutations per push request (whole groups)
    pull_page: int = 1000  # changes per pull request
    # A first sync (and a re-download) loads the server's snapshot, then pulls after it.
    snapshot: bool = True


class SyncEngine:
    """Syncs one replica database with one server. Not thread-safe: one pass at a time."""

    def __init__(
        self,
        database: Database,
        api: ServerApi,
        settings: SyncSettings | None = None,
    ) -> None:
        self.database = database
        self.api = api
        self.settings = settings or SyncSettings()

    @property
    def credentials(self) -> ServerCredentials:
        return self.api.credentials

    def state(self) -> ReplicaState:
        state = load_state(self.database)
        if state is None:
            state = bind_replica(self.database, self.api.base_url)
        return state

    def sign_in(self, username: str, password: str) -> Tokens:
        return self.api.sign_in(username, password, device=socket.gethostname()[:100])

    def run_pass(self, progress: Progress | None = None) -> PassReport:
        """Push, then pull. Raises Offline, SessionExpired (nobody signed in again) …"""
        state = self.state()
        if state.desk_code is None:
            self._register_desk(state)
        pushed = push_pending(self.database, self.api, state.replica_id, self.settings.push_batch)
        pulled = pull_changes(
            self.database,
            self.api,
            page_size=self.settings.pull_page,
            progress=progress,
            snapshot=self.settings.snapshot,
        )
        after = load_state(self.database)
        return PassReport(pushed, pulled, after.last_synced_at if after else None)

    def _register_desk(self, state: ReplicaState) -> None:
        answer = self.api.register_desk(str(state.replica_id), socket.gethostname())
        code = answer.get("code")
        if not isinstance(code, str) or not code.isalpha() or len(code) > 4:
            raise ServerProtocolError("The server's desk code was not understood.")
        save_desk_code(self.database, code)

    def pending(self) -> int:
        return pending_count(self.database)

    def open_conflicts(self) -> int:
        return conflicts.open_count(self.database)
