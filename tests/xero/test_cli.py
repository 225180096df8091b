"""`frontdesk xero …` as a clinic's cron job or server runs it: real subprocesses,
tokens in a private file (a server has no keyring), Xero played by the fake."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.xero.tokens import FileVault
from tests.fakes.xero import XeroFake
from tests.helpers import templates
from tests.helpers.clinic import make_clinic
from tests.xero.conftest import ConnectedClinic, channel_for, connect_with_token
from tests.xero.helpers import invoiced, paid


def frontdesk(
    database: Database, fake: XeroFake, tokens: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FRONTDESK_XERO_API_URL": fake.base_url,
        "FRONTDESK_XERO_IDENTITY_URL": fake.base_url,
        "FRONTDESK_XERO_TOKEN_FILE": str(tokens),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--database-url", database.url, "xero", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    """SQLite only here: these tests are about the command line, and every run starts
    a Python; the store itself is tested on both databases elsewhere."""
    db = Database(templates.migrated(sqlite_url))
    yield db
    db.dispose()


@pytest.fixture
def cli_clinic(ctx: ServiceContext, fake: XeroFake, tmp_path: Path) -> ConnectedClinic:
    vault = FileVault(tmp_path / "xero-tokens.json")
    connect_with_token(ctx, fake, vault)  # type: ignore[arg-type]
    clinic = make_clinic(ctx)
    return ConnectedClinic(ctx, clinic, fake, vault, channel_for(ctx.database, fake, vault))  # type: ignore[arg-type]


def test_status_before_connecting(database: Database, fake: XeroFake, tmp_path: Path) -> None:
    result = frontdesk(database, fake, tmp_path / "t.json", "status")
    assert result.returncode == 0, result.stderr
    assert "Not connected" in result.stdout
    error = one_line_error(frontdesk(database, fake, tmp_path / "t.json", "sync", "--once"))
    assert error == "frontdesk: error: Xero is not connected; run `frontdesk xero connect`."


def test_a_desk_that_follows_a_server_leaves_xero_to_the_server(
    database: Database, fake: XeroFake, tmp_path: Path
) -> None:
    """Issue 18: one Xero sender per clinic. Run against a desk's database, no `frontdesk
    xero` command connects, sends or reports a queue of its own: each says where Xero runs."""
    from desktop.sync.state import bind_replica

    bind_replica(database, "https://frontdesk.clinic.example")
    for action in (["connect"], ["sync", "--once"], ["worker"], ["status"], ["reconcile"]):
        error = one_line_error(frontdesk(database, fake, tmp_path / "t.json", *action))
        assert error.startswith(
            "frontdesk: error: This database follows the server at "
            "https://frontdesk.clinic.example, which holds the clinic's Xero connection"
        )
        assert f"xero {action[0]}` on the server machine" in error
    assert not (tmp_path / "t.json").exists()  # no tokens were kept on the desk
    assert fake.requests == []  # nothing reached Xero


def test_sync_once_sends_and_fails_only_while_something_is_refused(
    cli_clinic: ConnectedClinic,
) -> None:
    xero = cli_clinic
    tokens = Path(str(xero.vault.path))  # type: ignore[attr-defined]
    good = paid(xero, invoiced(xero, patient=0))
    xero.fake.set_lock_date(date(2099, 1, 1))  # everything dated before it is refused
    refused = invoiced(xero, patient=1, hour=11)
    result = frontdesk(xero.database, xero.fake, tokens, "sync", "--once")
    assert one_line_error(result) == (
        "frontdesk: error: Xero refused 2 job(s); see `frontdesk xero status`."
    )
    assert "refused 2" in result.stdout
    status = frontdesk(xero.database, xero.fake, tokens, "status")
    assert f"Invoice {good.number} (refused): The document date cannot be before" in status.stdout
    assert f"Invoice {refused.number} (refused)" in status.stdout
    waits = f"Payment {good.number}-P1 (waiting): Waits for Invoice {good.number}: Xero refused it."
    assert waits in status.stdout  # our note, not Xero's words

    xero.fake.set_lock_date(None)
    assert frontdesk(xero.database, xero.fake, tokens, "retry").returncode == 0
    result = frontdesk(xero.database, xero.fake, tokens, "sync", "--once")
    assert result.returncode == 0, result.stderr
    assert xero.fake.invoice_by_number(good.number).status == "PAID"
    assert xero.fake.invoice_by_number(refused.number).status == "AUTHORISED"
    assert "0 waiting, 0 refused" in frontdesk(xero.database, xero.fake, tokens, "status").stdout


def test_a_revoked_connection_says_reconnect_in_one_line(cli_clinic: ConnectedClinic) -> None:
    xero = cli_clinic
    tokens = Path(str(xero.vault.path))  # type: ignore[attr-defined]
    invoiced(xero)
    xero.fake.revoke_all_refresh_tokens()
    xero.fake.clock.advance(minutes=31)
    # The subprocess runs on the wall clock; make its token look expired there too.
    stored = xero.vault.load("test-connection")
    assert stored is not None
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    xero.vault.save(
        "test-connection", replace(stored, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    error = one_line_error(frontdesk(xero.database, xero.fake, tokens, "sync", "--once"))
    assert error.startswith("frontdesk: error: Xero no longer accepts Frontdesk's connection")
    assert "Needs reconnecting" in frontdesk(xero.database, xero.fake, tokens, "status").stdout


def test_accounts_are_checked_against_the_organisation(cli_clinic: ConnectedClinic) -> None:
    xero = cli_clinic
    tokens = Path(str(xero.vault.path))  # type: ignore[attr-defined]
    listing = frontdesk(xero.database, xero.fake, tokens, "accounts")
    assert listing.returncode == 0, listing.stderr
    assert "200" in listing.stdout and "Business Bank Account" in listing.stdout
    error = one_line_error(
        frontdesk(xero.database, xero.fake, tokens, "accounts", "--income", "999")
    )
    assert error == "frontdesk: error: no account 999 in Frontdesk Test Clinic"
    ok = frontdesk(xero.database, xero.fake, tokens, "accounts", "--income", "260", "--bank", "091")
    assert ok.returncode == 0, ok.stderr
    assert (
        "Invoices go to 260 (EXEMPTOUTPUT), dated by date of service; payments into 091; "
        "unused credit to 835." in ok.stdout
    )
    # Unused credit is owed to the patient: only a current liability will do.
    error = one_line_error(
        frontdesk(xero.database, xero.fake, tokens, "accounts", "--advance", "260")
    )
    assert "Account 260 — Other Revenue is not a current liability" in error
    ok = frontdesk(
        xero.database, xero.fake, tokens, "accounts", "--advance", "820", "--invoice-date", "raised"
    )
    assert ok.returncode == 0, ok.stderr
    assert "dated by date raised" in ok.stdout and "unused credit to 820" in ok.stdout
    assert "income 260" in frontdesk(xero.database, xero.fake, tokens, "status").stdout
