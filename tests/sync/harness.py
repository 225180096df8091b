"""A real server on loopback and desktop replicas around it, for the sync and server tests.

* `LiveServer` runs uvicorn in a thread on a socket bound before the thread
  starts (port 0), so the address is known at once and nothing waits or sleeps.
* `Desk` is one clinic PC: its own SQLite file bound to the server, the services
  on it (`ctx`), and a `SyncEngine` over real HTTP.
* `CutAfterServer` is a transport that lets the server process a request and then
  loses the answer, as a dropped connection does.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from desktop.auth.authenticator import Authenticator
from desktop.auth.clock import ManualClock
from desktop.auth.passwords import Passwords
from desktop.auth.records import NewUser
from desktop.domain.roles import Role
from desktop.server.app import ServerConfig, create_app
from desktop.server.desks import register_desk
from desktop.server.rate_limit import RateLimits
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.sync.client import ServerApi, ServerCredentials
from desktop.sync.engine import SyncEngine, SyncSettings
from desktop.sync.state import bind_replica
from tests.helpers import templates
from tests.helpers.postgres import PostgresServer

PASSWORD = "correct horse battery"
PASSWORDS = Passwords.cheapest()


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket()
        # Accepted connections inherit this; asyncio sets it only on sockets it made
        # itself, and without it every answer waits ~40 ms for a delayed ACK.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # As `frontdesk server` runs it: the app reads X-Forwarded-For itself.
        config = uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


@dataclass
class ServerSide:
    database: Database
    clock: ManualClock
    authenticator: Authenticator
    app: FastAPI
    live: LiveServer

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def ctx(self) -> ServiceContext:
        return ServiceContext.for_system(self.database)

    def add_user(self, username: str, role: Role = Role.RECEPTIONIST, **kw: object) -> None:
        self.authenticator.create_user(
            NewUser(username, username.title(), role, PASSWORD, **kw)  # type: ignore[arg-type]
        )


def server_config(url: str, clock: ManualClock, limits: RateLimits | None = None) -> ServerConfig:
    return ServerConfig(url, rate_limits=limits, clock=clock, passwords=PASSWORDS)


@contextmanager
def running_server(url: str, limits: RateLimits | None = None) -> Iterator[ServerSide]:
    """A server over `url`, a database at the newest schema (`migrated_database`)."""
    database = Database(url)
    clock = ManualClock()
    app = create_app(server_config(url, clock, limits), database)
    authenticator = app.state.frontdesk.authenticator
    live = LiveServer(app)
    side = ServerSide(database, clock, authenticator, app, live)
    side.add_user("admin", Role.ADMIN)
    side.add_user("reception")
    try:
        yield side
    finally:
        live.stop()
        database.dispose()


class CutAfterServer(httpx.BaseTransport):
    """Passes requests through; when armed, the server handles one and its answer is lost."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.cut: Callable[[httpx.Request], bool] = lambda _request: False
        self.cuts = 0
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        response = self.inner.handle_request(request)
        if self.cut(request):
            response.read()
            response.close()
            self.cuts += 1
            raise httpx.ReadError("connection reset after the server answered", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


class Unreachable(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)


@dataclass
class Desk:
    name: str
    database: Database
    api: ServerApi
    engine: SyncEngine
    transport: CutAfterServer
    sleeps: list[float] = field(default_factory=list)

    @property
    def ctx(self) -> ServiceContext:
        return ServiceContext.for_system(self.database)

    def sync(self) -> None:
        self.engine.run_pass()

    def close(self) -> None:
        self.api.close()
        self.database.dispose()


def make_desk(
    tmp_path: Path,
    name: str,
    server: ServerSide,
    *,
    username: str = "admin",
    credentials: ServerCredentials | None = None,
    settings: SyncSettings | None = None,
    connected_by_admin: bool = True,
) -> Desk:
    """A desk following `server`, signed in as `username`. `connected_by_admin`: an
    administrator registered this PC with the server first (only one may add a desk);
    the desk's own first pass then asks for its code as any user."""
    database = Database(templates.migrated_sqlite(tmp_path / (name + ".sqlite3")))
    state = bind_replica(database, server.url)
    if connected_by_admin:
        register_desk(server.database, state.replica_id, name, server.clock.now(), may_add=True)
    transport = CutAfterServer()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        # The client waits as told; the server's clock moves instead of real time passing.
        sleeps.append(seconds)
        server.clock.advance(timedelta(seconds=seconds))

    api = ServerApi(server.url, credentials, transport=transport, sleep=sleep)
    api.sign_in(username, PASSWORD, device=name)
    engine = SyncEngine(database, api, settings)
    return Desk(name, database, api, engine, transport, sleeps)


def table_contents(database: Database) -> dict[str, list[dict[str, object]]]:
    """Every synced row, as the wire sees it (so SQLite and PostgreSQL compare equal)."""
    from sqlalchemy import select

    from desktop.store.sync_models import PARTLY_SYNCED, SYNCED_TABLES
    from desktop.sync.codec import encode_row, synced_table

    contents: dict[str, list[dict[str, object]]] = {}
    with database.engine.connect() as connection:
        for name in SYNCED_TABLES:
            table = synced_table(name)
            query = select(table).order_by(table.c.id)
            if name in PARTLY_SYNCED:
                query = query.where(PARTLY_SYNCED[name](table))
            rows = connection.execute(query).mappings()
            contents[name] = [_comparable(encode_row(table, dict(row))) for row in rows]
    return contents


def _comparable(row: dict[str, object]) -> dict[str, object]:
    from datetime import UTC, datetime

    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            with suppress(ValueError):
                value = datetime.fromisoformat(value).astimezone(UTC).isoformat()
        out[key] = value
    return out


def migrated_database(postgres: PostgresServer) -> str:
    """A fresh database at the newest schema, copied from a template migrated once."""
    return templates.migrated_postgres(postgres.url(f"t_{uuid.uuid4().hex[:12]}"))


def mutation(entity: str, fields: dict[str, Any], op: str = "insert", **extra: Any) -> dict:
    """One mutation as a desk pushes it, in its own group (`entity_id`, `base_version`…
    as keywords)."""
    return {
        "id": str(uuid.uuid4()),
        "group": str(uuid.uuid4()),
        "entity": entity,
        "entity_id": str(extra.pop("entity_id", uuid.uuid4())),
        "op": op,
        "fields": fields,
        **extra,
    }
