"""Connecting (OAuth2 + PKCE over a loopback redirect), keeping tokens fresh, and what
happens when Xero revokes the connection: the queue waits, nothing is lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest

from desktop.domain.outbox import JobState
from desktop.services import xero_settings
from desktop.services.xero_settings import ConnectionState
from desktop.xero import connect as xero_connect
from desktop.xero.errors import XeroError, XeroNeedsReconnect
from desktop.xero.identity import IdentityClient
from desktop.xero.token_keeper import RefreshLease, TokenKeeper
from desktop.xero.tokens import KeyringVault
from tests.fakes.xero import XeroFake
from tests.xero.conftest import ConnectedClinic, MemoryKeyring, endpoints_for
from tests.xero.helpers import invoiced, paid


def _connect(xero: ConnectedClinic, **kw: object) -> xero_settings.XeroConnection:
    return xero_connect.connect(
        xero.database,
        xero.fake.client_id,
        endpoints=endpoints_for(xero.fake),
        vault=xero.vault,
        open_browser=xero.fake.open_in_browser,
        port=0,
        timeout=10,
        clock=xero.fake.clock.now,
        **kw,  # type: ignore[arg-type]
    )


def _stored_tokens(xero: ConnectedClinic):
    key = xero_settings.read_connection(xero.database).connection_key
    tokens = xero.vault.load(key)
    assert tokens is not None
    return tokens


def test_connecting_uses_pkce_and_keeps_the_tokens_in_the_keyring(
    xero: ConnectedClinic, memory_keyring: MemoryKeyring
) -> None:
    second = xero.fake.add_tenant("Harbourside Pilates")
    connection = _connect(
        xero, choose_tenant=lambda tenants: next(t for t in tenants if t.tenant_id == second)
    )
    assert connection.state is ConnectionState.CONNECTED
    assert connection.tenant_id == second and connection.tenant_name == "Harbourside Pilates"
    [authorize] = xero.fake.requests_to("/connect/authorize", "GET")
    assert authorize.query["code_challenge_method"] == "S256"
    assert "offline_access" in authorize.query["scope"].split()
    [exchange] = xero.fake.requests_to("/connect/token", "POST")
    form = dict(httpx.QueryParams(exchange.body.decode()))
    assert form["grant_type"] == "authorization_code" and form["code_verifier"]
    assert "client_secret" not in form
    tokens = _stored_tokens(xero)
    assert tokens.refresh_token
    # Tokens are in the keyring only, never in the database.
    assert any(tokens.refresh_token in value for value in memory_keyring.entries.values())
    with xero.database.engine.connect() as raw:
        dumped = " ".join(str(row) for row in raw.exec_driver_sql("SELECT * FROM xero_settings"))
    assert tokens.refresh_token not in dumped and tokens.access_token not in dumped


def test_a_denied_consent_is_one_clear_sentence(xero: ConnectedClinic) -> None:
    xero.fake.deny_next_authorization("access_denied")
    with pytest.raises(XeroError, match="Xero did not connect: access denied"):
        _connect(xero)


def test_an_expiring_token_is_refreshed_first_and_the_rotated_one_saved(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    before = _stored_tokens(xero)
    xero.fake.clock.advance(minutes=27)  # inside the 5-minute margin of a 30-minute token
    xero.sync_until_quiet()
    after = _stored_tokens(xero)
    assert after.refresh_token != before.refresh_token  # rotated, and kept
    assert after.access_token != before.access_token
    [refresh] = xero.fake.requests_to("/connect/token", "POST")
    assert dict(httpx.QueryParams(refresh.body.decode()))["grant_type"] == "refresh_token"
    assert [r.status for r in xero.fake.requests if r.status == 401] == []
    assert xero.fake.invoice_by_number(invoice.number) is not None


def test_a_token_xero_no_longer_accepts_is_renewed_once_and_the_call_repeated(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.fake.invalidate_access_token(_stored_tokens(xero).access_token)
    report = xero.sync_until_quiet()
    assert report.parked == 0
    assert len([r for r in xero.fake.requests if r.status == 401]) == 1
    assert xero.fake.invoice_by_number(invoice.number) is not None


def test_a_revoked_connection_holds_the_queue_until_reconnected(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    xero.fake.revoke_all_refresh_tokens()
    xero.fake.clock.advance(minutes=31)  # the access token expires; refreshing now fails
    report = xero.sync()
    # The four contacts were tried and held; the invoice and payment wait behind them.
    assert report.held == 4 and report.delivered == report.parked == 0
    assert {job.state for job in xero.jobs()} == {JobState.HELD, JobState.PENDING}
    connection = xero_settings.read_connection(xero.database)
    assert connection.state is ConnectionState.NEEDS_RECONNECT
    assert "Reconnect to Xero" in connection.message
    status = xero_settings.queue_status(xero.ctx)
    assert xero_settings.badge_text(status).startswith("Xero: reconnect needed")
    assert xero.sync().attempted == 0  # nobody calls Xero while it needs a person

    _connect(xero)
    assert {job.state for job in xero.jobs()} == {JobState.PENDING}
    xero.sync_until_quiet()
    assert xero.fake.invoice_by_number(invoice.number).status == "PAID"


def test_two_workers_never_refresh_at_once(xero: ConnectedClinic) -> None:
    """Worker A (another process) holds the refresh lease and is mid-refresh; worker B
    waits for it and uses what A saved instead of spending the refresh token again."""
    fake: XeroFake = xero.fake
    fake.clock.advance(minutes=27)
    connection = xero_settings.read_connection(xero.database)
    worker_a = RefreshLease(xero.database, owner="worker-a")
    assert worker_a.acquire(fake.clock.now())
    waits: list[float] = []

    def wait_while_a_refreshes(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:  # meanwhile A finishes: refreshes, saves, lets go
            current = xero.vault.load(connection.connection_key)
            assert current is not None
            fresh = IdentityClient(endpoints_for(fake)).refresh(
                connection.client_id, current.refresh_token, fake.clock.now()
            )
            xero.vault.save(connection.connection_key, fresh)
            worker_a.release(fresh.expires_at)
        fake.clock.advance(seconds)

    keeper_b = TokenKeeper(
        xero.database,
        KeyringVault(),
        IdentityClient(endpoints_for(fake)),
        fake.clock.now,
        wait_while_a_refreshes,
    )
    tokens = keeper_b.tokens()
    assert waits, "B waited for A"
    assert len(fake.requests_to("/connect/token", "POST")) == 1  # A's refresh only
    assert tokens == _stored_tokens(xero)


def test_threads_in_one_process_share_one_refresh(xero: ConnectedClinic) -> None:
    xero.fake.clock.advance(minutes=27)
    keeper = xero.channel.api.keeper
    results: list[str] = []
    start = threading.Barrier(4)

    def use() -> None:
        start.wait()
        results.append(keeper.tokens().access_token)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(xero.fake.requests_to("/connect/token", "POST")) == 1


def test_no_tokens_on_this_computer_asks_for_a_reconnect(xero: ConnectedClinic) -> None:
    xero.vault.delete(xero_settings.read_connection(xero.database).connection_key)
    with pytest.raises(XeroNeedsReconnect, match="holds no Xero connection"):
        xero.channel.api.keeper.tokens()


_ = timedelta
