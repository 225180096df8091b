"""Property-based requests generated from the OpenAPI document.

The server never answers 5xx, answers only status codes its document lists, and
answers a method a path does not serve with 405 and a correct `Allow`.

Schemathesis reads /v1/openapi.json and sends generated (valid and invalid) requests
to every operation of a live server with a valid bearer token. Bounded: a few
examples per operation, no shrinking deadline.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import keyring
import keyring.backends.fail
import pytest
from hypothesis import HealthCheck, settings

from desktop.server.app import ServerConfig, create_app
from desktop.xero.tokens import TOKEN_FILE_ENV
from tests.helpers.clinic import make_clinic
from tests.helpers.postgres import PostgresServer
from tests.sync.harness import PASSWORD, ServerSide, migrated_database, running_server

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402
    allow_header_conformance,
    not_a_server_error,
    status_code_conformance,
    unsupported_method,
)

pytestmark = pytest.mark.postgres

# The document does not depend on the database; no connection is made to build it.
_DOCUMENT = create_app(ServerConfig("postgresql+psycopg://nobody@127.0.0.1:1/none")).openapi()
schema = schemathesis.openapi.from_dict(_DOCUMENT)


@pytest.fixture(scope="module")
def live_server(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerSide]:
    with (
        pytest.MonkeyPatch.context() as env,
        running_server(migrated_database(postgres_server)) as side,
    ):
        # POST /v1/xero/connection keeps the tokens it is given: in a throwaway
        # owner-only file, as on a server machine without a desktop keyring.
        env.setenv(TOKEN_FILE_ENV, str(tmp_path_factory.mktemp("xero") / "tokens.json"))
        # PUT /v1/messaging/secrets likewise: no desktop keyring (a locked one answers 503).
        before = keyring.get_keyring()
        keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
        make_clinic(side.ctx)
        try:
            yield side
        finally:
            keyring.set_keyring(before)


@pytest.fixture
def live(live_server: ServerSide) -> tuple[ServerSide, str]:
    """The server and a fresh token (signing out, once generated, ends only this one)."""
    answer = httpx.post(
        f"{live_server.url}/v1/sessions", json={"username": "admin", "password": PASSWORD}
    )
    return live_server, str(answer.json()["token"])


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_gets_a_server_error(case, live) -> None:  # type: ignore[no-untyped-def]
    side, token = live
    case.call_and_validate(
        base_url=side.url,
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            unsupported_method,
            allow_header_conformance,
        ],
    )
