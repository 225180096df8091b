"""`frontdesk xero reconcile` as a cron job runs it (SQLite only: it is about the CLI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store.database import Database
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.credit.test_reconcile import plant_a_deleted_allocation
from tests.helpers import templates
from tests.xero.conftest import ConnectedClinic
from tests.xero.test_cli import cli_clinic, frontdesk

__all__ = ["cli_clinic"]


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    db = Database(templates.migrated(sqlite_url))
    yield db
    db.dispose()


def test_frontdesk_xero_reconcile_command(cli_clinic: ConnectedClinic, tmp_path: Path) -> None:
    xero = cli_clinic
    ctx, fake, clinic = xero.ctx, xero.fake, xero.clinic
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


def test_reconcile_command_waits_out_a_short_rate_limit(
    cli_clinic: ConnectedClinic, tmp_path: Path
) -> None:
    xero = cli_clinic
    ctx, fake, clinic = xero.ctx, xero.fake, xero.clinic
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    fake.throttle_next(1, retry_after=1, problem="minute")

    result = frontdesk(xero.database, fake, tmp_path / "xero-tokens.json", "reconcile")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "0 difference(s)" in result.stdout
