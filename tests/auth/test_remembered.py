"""“Remember me”: the refresh secret lives in the keyring; without a keyring, no crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from keyring.backends import fail

from desktop.auth import ExpiryReason, SessionExpired
from desktop.auth.remembered import NO_KEYRING, SERVICE, RememberedSignIn
from tests.auth.keyrings import BrokenKeyring, MemoryKeyring, using_keyring
from tests.auth.people import DESK_PASSWORD, People

URL = "sqlite:///clinic.sqlite3"


def test_the_refresh_secret_goes_to_the_keyring_and_back() -> None:
    backend = MemoryKeyring()
    with using_keyring(backend):
        remembered = RememberedSignIn(URL)
        assert remembered.available
        assert remembered.save("desk", "secret-refresh-token")
        [(service, _entry)] = backend.entries
        assert service == SERVICE
        loaded = remembered.load()
        assert loaded is not None
        assert (loaded.username, loaded.refresh_token) == ("desk", "secret-refresh-token")
        assert RememberedSignIn("sqlite:///other.sqlite3").load() is None  # per database
        remembered.forget()
        assert remembered.load() is None
        remembered.forget()  # nothing to forget: fine


def test_without_a_keyring_nothing_is_remembered_and_it_says_so() -> None:
    with using_keyring(fail.Keyring()):
        remembered = RememberedSignIn(URL)
        assert not remembered.available
        assert remembered.problem == NO_KEYRING
        assert not remembered.save("desk", "secret")
        assert remembered.load() is None
        remembered.forget()


def test_a_failing_keyring_never_raises() -> None:
    with using_keyring(BrokenKeyring()):
        remembered = RememberedSignIn(URL)
        assert remembered.available
        assert remembered.load() is None
        assert remembered.problem is not None and "locked" in remembered.problem
        assert not RememberedSignIn(URL).save("desk", "secret")
        RememberedSignIn(URL).forget()


def test_damaged_keyring_entries_are_dropped() -> None:
    backend = MemoryKeyring()
    with using_keyring(backend):
        remembered = RememberedSignIn(URL)
        backend.set_password(SERVICE, remembered.entry, "not json")
        assert remembered.load() is None
        assert backend.entries == {}


def test_resuming_rotates_the_secret(people: People) -> None:
    first = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    assert first.refresh_token is not None
    people.clock.advance(timedelta(days=3))
    second = people.accounts.resume(first.refresh_token)
    assert second.user.id == people.desk.id
    assert second.refresh_token not in (None, first.refresh_token)
    people.context(people.accounts.session(second)).actor()
    with pytest.raises(SessionExpired) as caught:
        people.accounts.resume(first.refresh_token)  # each secret works once
    assert caught.value.reason is ExpiryReason.REVOKED


def test_a_remembered_sign_in_expires(people: People) -> None:
    signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    assert signed_in.refresh_token is not None
    people.clock.advance(timedelta(days=30))
    with pytest.raises(SessionExpired) as caught:
        people.accounts.resume(signed_in.refresh_token)
    assert caught.value.reason is ExpiryReason.EXPIRED


def test_a_session_token_is_not_a_refresh_secret(people: People) -> None:
    signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    with pytest.raises(SessionExpired):
        people.accounts.resume(signed_in.token)
    assert signed_in.refresh_token is not None
    with pytest.raises(SessionExpired):
        people.accounts.authenticator.check(signed_in.refresh_token)
