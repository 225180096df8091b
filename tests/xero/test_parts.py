"""The connector's small parts on their own: the limiter, endpoints, token vaults,
Xero's error bodies, idempotency keys."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.domain.outbox import Channel, JobState, OutboxJob
from desktop.xero.delivery import batch_key
from desktop.xero.endpoints import XeroEndpoints
from desktop.xero.errors import NoKeyring, validation_messages
from desktop.xero.limiter import XeroLimiter
from desktop.xero.tokens import FileVault, KeyringVault, TokenSet

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_the_limiter_allows_sixty_a_minute_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = XeroLimiter(clock)
    for second in range(60):
        clock.now = T0 + timedelta(seconds=second / 2)
        assert limiter.wait_needed() == (timedelta(0), "")
        limiter.record_call()
    wait, problem = limiter.wait_needed()
    assert problem == "minute" and wait == timedelta(seconds=60) - timedelta(seconds=29.5)
    clock.now += wait
    assert limiter.wait_needed()[0] == timedelta(0)


def test_the_limiter_believes_xero_when_less_is_left() -> None:
    clock = Clock()
    limiter = XeroLimiter(clock)
    limiter.record_call()
    limiter.note_headers({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
    wait, problem = limiter.wait_needed()
    assert problem == "minute" and wait == timedelta(minutes=1)
    limiter.note_headers({"x-daylimit-remaining": "0"})
    clock.now += timedelta(minutes=2)
    assert limiter.wait_needed()[1] == "daily"


def test_a_429_blocks_for_retry_after_and_the_daily_cap_is_counted_locally() -> None:
    clock = Clock()
    limiter = XeroLimiter(clock, per_day=3)
    assert limiter.note_refusal("minute", timedelta(seconds=45)) == timedelta(seconds=45)
    assert limiter.wait_needed() == (timedelta(seconds=45), "minute")
    clock.now += timedelta(seconds=45)
    for _ in range(3):
        limiter.record_call()
    wait, problem = limiter.wait_needed()
    assert problem == "daily" and wait == timedelta(days=1)


def test_endpoints_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert XeroEndpoints.from_environment().authorize_url == (
        "https://login.xero.com/identity/connect/authorize"
    )
    monkeypatch.setenv("FRONTDESK_XERO_API_URL", "http://127.0.0.1:9/api.xro/2.0/")
    monkeypatch.setenv("FRONTDESK_XERO_IDENTITY_URL", "http://127.0.0.1:9")
    endpoints = XeroEndpoints.from_environment()
    assert endpoints.accounting_url == "http://127.0.0.1:9/api.xro/2.0"
    assert endpoints.connections_url == "http://127.0.0.1:9/connections"
    assert endpoints.token_url == "http://127.0.0.1:9/connect/token"
    assert endpoints.authorize_url == "http://127.0.0.1:9/identity/connect/authorize"


def _tokens() -> TokenSet:
    return TokenSet("access", "refresh", T0 + timedelta(minutes=30), ("offline_access",))


def test_a_token_file_is_private_to_its_owner(tmp_path: Path) -> None:
    vault = FileVault(tmp_path / "xero" / "tokens.json")
    vault.save("clinic", _tokens())
    assert vault.load("clinic") == _tokens()
    mode = stat.S_IMODE(os.stat(tmp_path / "xero" / "tokens.json").st_mode)
    assert mode == 0o600
    vault.delete("clinic")
    assert vault.load("clinic") is None


def test_without_a_keyring_the_message_says_what_to_do() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(NoKeyring, match="FRONTDESK_XERO_TOKEN_FILE"):
            KeyringVault().save("clinic", _tokens())
    finally:
        keyring.set_keyring(previous)


def test_the_sdk_gets_no_expiry_to_check_against_its_own_clock() -> None:
    given = _tokens().for_sdk(T0)
    assert set(given) == {"access_token", "refresh_token", "scope", "expires_in", "token_type"}
    assert given["scope"] == ["offline_access"] and given["expires_in"] == 1800


def test_xeros_error_bodies_become_its_own_sentences() -> None:
    body = (
        b'{"ErrorNumber":10,"Type":"ValidationException","Elements":[{"ValidationErrors":'
        b'[{"Message":"Payment amount exceeds the amount outstanding on this document"}]}]}'
    )
    assert validation_messages(body) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]
    assert validation_messages(b'{"Detail":"TokenExpired"}') == ["TokenExpired"]
    assert validation_messages(b"Bad gateway") == ["Bad gateway"]


def _job(**result: object) -> OutboxJob:
    job_id = uuid.uuid4()
    return OutboxJob(
        id=job_id,
        channel=Channel.XERO,
        kind="xero.payment",
        subject_id=uuid.uuid4(),
        subject_version=1,
        stage=30,
        payload={},
        state=JobState.PENDING,
        idempotency_key=f"frontdesk-{job_id}",
        attempts=0,
        next_attempt_at=T0,
        result=dict(result),
    )


def test_idempotency_keys_are_stable_per_request_and_new_after_a_refusal() -> None:
    job = _job()
    assert batch_key([job], "") == job.idempotency_key
    assert batch_key([job], "", {"a": 1}) == batch_key([job], "", {"a": 1})
    assert batch_key([job], "", {"a": 1}) != batch_key([job], "", {"a": 2})
    refused = _job(refusals=1)
    assert batch_key([refused], "").endswith("-r1")
    several = [_job() for _ in range(50)]
    key = batch_key(several, "")
    assert key == batch_key(list(reversed(several)), "") and len(key) <= 128
