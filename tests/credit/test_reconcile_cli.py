"""`frontdesk xero reconcile` as a cron job runs it (SQLite only: it is about the CLI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services.context import ServiceContext
from desktop.store import migrate
from desktop.store.database import Database
from desktop.xero.tokens import FileVault
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.credit.test_reconcile import plant_a_deleted_allocation
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import make_clinic
from tests.xero.conftest import ConnectedClinic, channel_for, connect_with_token
from tests.xero.test_cli import frontdesk


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    db = Database(sqlite_url)
    migrate.upgrade(db)
    yield db
    db.dispose()


def test_frontdesk_xero_reconcile_command(
    ctx: ServiceContext, fake: XeroFake, tmp_path: Path
) -> None:
    vault = FileVault(tmp_path / "xero-tokens.json")
    connect_with_token(ctx, fake, vault)  # type: ignore[arg-type]
    clinic = make_clinic(ctx)
    xero = ConnectedClinic(ctx, clinic, fake, vault, channel_for(ctx.database, fake, vault))  # type: ignore[arg-type]
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    tokens = tmp_path / "xero-tokens.json"
    result = frontdesk(xero.database, fake, tokens, "reconcile")
    assert result.returncode == 0, result.stderr
    assert "0 difference(s)" in result.stdout
    plant_a_deleted_allocation(fake, invoice.number)
    result = frontdesk(xero.database, fake, tokens, "reconcile")
    assert result.returncode == 1
    assert f"invoice {invoice.number}: Frontdesk paid, Xero $45.00 owing" in result.stdout
