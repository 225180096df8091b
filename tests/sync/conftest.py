"""Fixtures for the sync tests: a live server over a fresh PostgreSQL and desks around it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.helpers.postgres import PostgresServer
from tests.sync.harness import Desk, ServerSide, make_desk, migrated_database, running_server


@pytest.fixture
def server(postgres_server: PostgresServer) -> Iterator[ServerSide]:
    with running_server(migrated_database(postgres_server)) as side:
        yield side


@pytest.fixture
def clinic_on_server(server: ServerSide) -> ClinicFixture:
    """The test clinic, set up on the server before any desk connects."""
    return make_clinic(server.ctx)


@pytest.fixture
def desks(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> Iterator[list[Desk]]:
    """Two clinic PCs, each with a first sync done."""
    made = [make_desk(tmp_path, name, server) for name in ("front", "back")]
    for desk in made:
        desk.sync()
    yield made
    for desk in made:
        desk.close()
