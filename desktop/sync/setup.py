"""Pointing a desktop at a server: connect, sign in, first sync; and syncing at start-up.

`connect_to_server` is what the settings page runs (off the GUI thread): it checks
the address answers, signs in, binds the local database to the server and runs the
first pass, reporting progress — on a fresh desktop that pass downloads the whole
clinic. `start_sync` is what the app runs at start-up for a bound database.
"""

from __future__ import annotations

import socket

import httpx

from desktop.auth.remembered import RememberedSignIn
from desktop.store.database import Database
from desktop.sync.client import DeskNeedsAdmin, Reauthenticate, ServerApi, ServerCredentials
from desktop.sync.engine import SyncEngine, SyncSettings
from desktop.sync.pull import Progress
from desktop.sync.runner import ExpiredListener, StatusListener, SyncRunner
from desktop.sync.state import (
    attach_if_bound,
    bind_replica,
    forget_fresh_binding,
    load_state,
    normalise_server_url,
)


def remembered_for(server_url: str) -> RememberedSignIn:
    """The keyring entry for this server's "remember me" secret."""
    return RememberedSignIn(f"frontdesk-server {normalise_server_url(server_url)}")


def connect_to_server(
    database: Database,
    server_url: str,
    username: str,
    password: str,
    *,
    progress: Progress | None = None,
    credentials: ServerCredentials | None = None,
    transport: httpx.BaseTransport | None = None,
    settings: SyncSettings | None = None,
) -> SyncEngine:
    """Sign in, bind this database to the server, and run the first sync pass.

    Raises Offline (unreachable), SignInFailed, InvalidInput (database follows
    another server, or holds a clinic of its own) — nothing is bound on failure
    before the sign-in succeeded.
    """
    url = normalise_server_url(server_url)
    # The refresh secret goes to the keyring, so the next start resumes without a password.
    credentials = credentials or ServerCredentials(remembered=remembered_for(url))
    api = ServerApi(url, credentials, transport=transport)
    api.health()
    api.sign_in(username, password, device=socket.gethostname()[:100])
    first_time = load_state(database) is None
    bind_replica(database, url)
    engine = SyncEngine(database, api, settings)
    try:
        engine.run_pass(progress=progress)
    except DeskNeedsAdmin:
        if first_time:  # nothing came down: an administrator may connect it anywhere
            forget_fresh_binding(database)
        raise
    return engine


def start_sync(
    database: Database,
    server_url: str | None,
    *,
    reauthenticate: Reauthenticate | None = None,
    on_status: StatusListener | None = None,
    on_session_expired: ExpiredListener | None = None,
    remember: bool = True,
    started: bool = True,
) -> SyncRunner | None:
    """The background sync for a database that follows a server (None: it does not).

    `server_url` (from `--server` or the settings) binds a fresh database; a database
    already bound keeps its own server. The runner is returned started, unless
    `started` is False (the window prepares it on a worker, then starts it).
    """
    state = attach_if_bound(database)
    if state is None:
        if server_url is None:
            return None
        state = bind_replica(database, server_url)
    credentials = ServerCredentials(
        reauthenticate, remembered_for(state.server_url) if remember else None
    )
    api = ServerApi(state.server_url, credentials)
    credentials.resume(api)
    runner = SyncRunner(
        SyncEngine(database, api), on_status=on_status, on_session_expired=on_session_expired
    )
    if started:
        runner.start()
    return runner
