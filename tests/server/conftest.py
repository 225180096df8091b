"""Server instances over a fresh PostgreSQL database, each on its own loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from desktop.auth.clock import ManualClock
from desktop.auth.records import NewUser
from desktop.domain.roles import Role
from desktop.server.app import create_app
from desktop.server.rate_limit import RateLimits
from desktop.store.database import Database
from tests.helpers.postgres import PostgresServer
from tests.sync.harness import PASSWORD, LiveServer, migrated_database, server_config


class Api:
    """One server instance as a test client, plus its database and clock."""

    def __init__(self, url: str, clock: ManualClock, limits: RateLimits | None) -> None:
        self.database = Database(url)
        self.clock = clock
        self.app = create_app(server_config(url, clock, limits), self.database)
        self.live = LiveServer(self.app)
        self.url = self.live.url
        self.client = httpx.Client(base_url=self.url)
        self.authenticator = self.app.state.frontdesk.authenticator

    def sign_in(self, username: str = "admin") -> dict[str, object]:
        response = self.client.post(
            "/v1/sessions", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    def close(self) -> None:
        self.client.close()
        self.live.stop()
        self.database.dispose()


MakeApi = Callable[..., Api]


@pytest.fixture
def database_url_pg(postgres_server: PostgresServer) -> str:
    return migrated_database(postgres_server)


@pytest.fixture
def make_api(database_url_pg: str) -> Iterator[MakeApi]:
    """Server instances on one database (sharing one clock), the first one adds the users."""
    clock = ManualClock()
    made: list[Api] = []

    def make(limits: RateLimits | None = None) -> Api:
        api = Api(database_url_pg, clock, limits)
        if not made:
            for username, role in (("admin", Role.ADMIN), ("reception", Role.RECEPTIONIST)):
                api.authenticator.create_user(NewUser(username, username.title(), role, PASSWORD))
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()
