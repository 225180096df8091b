"""Shared fixtures: offscreen Qt, isolated user folders, SQLite and PostgreSQL stores."""

from __future__ import annotations

import gc
import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.ui.gui_garbage import collect_due
from tests.helpers import gui_thread_guard, modal_guard, postgres, templates
from tests.helpers.clinic import ClinicFixture, make_clinic


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the real user's data, config or keyring during tests."""
    home = tmp_path / "home"
    for variable, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(variable, str(home / sub))
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("FRONTDESK_CONFIG", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _no_automatic_garbage_collection() -> Iterator[None]:
    """Cycles are collected on the main thread only, as the app does (gui_garbage.py):
    a worker thread must never destroy a test's Qt objects."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    yield
    collect_due()


@pytest.fixture(autouse=True)
def _no_background_work_left_over() -> Iterator[None]:
    """A test's unfinished background operations never deliver into the next test."""
    yield
    ops = sys.modules.get("desktop.ui.background_ops")
    if ops is not None:
        ops.runner().abandon_all()


@pytest.fixture(autouse=True)
def _no_store_work_on_the_gui_thread() -> Iterator[None]:
    """The window never reads or writes the database on the GUI thread (issue #14)."""
    with gui_thread_guard.guarding() as guard:
        yield
    if guard.seen:
        pytest.fail(
            "The UI touched the database on the GUI thread (run it with "
            "ServiceCaller.in_background / BusyForm.save):\n" + guard.report(),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _no_unanswered_modal_box(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A modal box no test answered fails the test with its title and text, instead of
    blocking offscreen forever (tests/helpers/modal_guard.py)."""
    if request.node.get_closest_marker("answers_modals") is not None:
        yield
        return
    with modal_guard.guarding(monkeypatch) as guard:
        yield
    if guard.unanswered:
        pytest.fail(
            "A modal box opened that the test did not answer (answer it the way the "
            "test answers others, e.g. replace prompts.ask or operations.show_error):\n"
            + guard.report(),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    try:
        server = postgres.start_server()
    except FileNotFoundError as exc:
        if postgres.required():  # CI: a skipped PostgreSQL test is a failed run
            pytest.fail(f"{exc} (and {postgres.REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test saves screenshots for review: its own folder, never a shared one."""
    folder = tmp_path / "shots"
    folder.mkdir()
    return folder


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'frontdesk.sqlite3'}"


@pytest.fixture
def postgres_url(postgres_server: postgres.PostgresServer) -> str:
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on a real PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The database behind `database_url` at the newest schema (a copy of a template
    migrated once per test process; tests/store migrates empty databases)."""
    db = Database(templates.migrated(database_url))
    yield db
    db.dispose()


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    return ServiceContext.for_system(database)


@pytest.fixture
def clinic(ctx: ServiceContext) -> ClinicFixture:
    """A small clinic: two practitioners (one inactive), two types, three patients."""
    return make_clinic(ctx)
