"""Passwords: argon2 hashes, rehash on new parameters, lockout with growing backoff, changes."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
from sqlalchemy import select

from desktop.auth import (
    MIN_PASSWORD_LENGTH,
    ExpiryReason,
    NewUser,
    PasswordRejected,
    Passwords,
    RefusalReason,
    SessionExpired,
    SignInRefused,
)
from desktop.auth.authenticator import describe_duration
from desktop.domain.errors import InvalidInput, PermissionDenied
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.store.auth_models import UserRow
from tests.auth.people import ADMIN_PASSWORD, DESK_PASSWORD, People


def refusal(people: People, username: str, password: str) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        people.accounts.sign_in(username, password)
    return caught.value


def stored_hash(people: People, username: str) -> str:
    with people.accounts.database.reading() as session:
        return session.execute(
            select(UserRow.password_hash).where(UserRow.username == username)
        ).scalar_one()


def test_passwords_are_stored_as_argon2id_hashes(people: People) -> None:
    stored = stored_hash(people, "desk")
    assert stored.startswith("$argon2id$")
    assert DESK_PASSWORD not in stored


def test_a_wrong_password_and_an_unknown_user_read_the_same(people: People) -> None:
    wrong = refusal(people, "desk", "not the password")
    unknown = refusal(people, "nobody", "not the password")
    assert wrong.reason is unknown.reason is RefusalReason.BAD_CREDENTIALS
    assert str(unknown) == "The username or password is incorrect."
    assert str(wrong) == str(unknown)


def test_five_failures_lock_the_account_for_growing_times(people: People) -> None:
    for attempt in range(1, 5):
        refused = refusal(people, "desk", f"wrong {attempt}")
        assert refused.reason is RefusalReason.BAD_CREDENTIALS
    assert "1 more try before the account is locked" in str(refused)
    locked = refusal(people, "desk", "wrong 5")
    assert locked.reason is RefusalReason.LOCKED
    assert locked.retry_after == timedelta(minutes=1)
    assert "locked for 1 minute" in str(locked)
    # Even the right password is refused while locked, and that attempt is not counted.
    assert refusal(people, "desk", DESK_PASSWORD).reason is RefusalReason.LOCKED
    people.clock.advance(timedelta(seconds=59))
    assert refusal(people, "desk", DESK_PASSWORD).retry_after == timedelta(seconds=1)
    people.clock.advance(timedelta(seconds=1))
    # The lock is over; another failure locks again, for twice as long.
    sixth = refusal(people, "desk", "wrong 6")
    assert (sixth.reason, sixth.retry_after) == (RefusalReason.LOCKED, timedelta(minutes=2))
    people.clock.advance(timedelta(minutes=2))
    assert refusal(people, "desk", "wrong 7").retry_after == timedelta(minutes=4)
    people.clock.advance(timedelta(minutes=4))
    people.accounts.sign_in("desk", DESK_PASSWORD)  # success resets the count
    assert refusal(people, "desk", "wrong again").reason is RefusalReason.BAD_CREDENTIALS


def test_the_lock_never_exceeds_an_hour(people: People) -> None:
    lockout = people.accounts.authenticator.lockout
    assert [lockout.lock_for(n) for n in (4, 5, 6, 7)] == [
        None,
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert lockout.lock_for(50) == timedelta(hours=1)
    assert describe_duration(timedelta(hours=1)) == "1 hour"
    assert describe_duration(timedelta(seconds=61)) == "2 minutes"


def test_an_admin_unlocks_a_locked_user(people: People) -> None:
    for attempt in range(5):
        refusal(people, "desk", f"wrong {attempt}")
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    [desk] = [user for user in people.accounts.users(admin) if user.id == people.desk.id]
    assert desk.is_locked(people.clock.now())
    people.accounts.unlock(admin, people.desk.id)
    people.accounts.sign_in("desk", DESK_PASSWORD)


def test_a_deactivated_user_is_told_so_only_with_the_right_password(people: People, ctx) -> None:
    from desktop.auth import UserChanges

    people.accounts.update_user(
        ctx, people.desk.id, UserChanges("Dana", Role.RECEPTIONIST, None, active=False)
    )
    assert refusal(people, "desk", "guess").reason is RefusalReason.BAD_CREDENTIALS
    assert refusal(people, "desk", DESK_PASSWORD).reason is RefusalReason.INACTIVE


def test_a_hash_made_with_old_parameters_is_redone_at_sign_in(people: People) -> None:
    before = stored_hash(people, "desk")
    stronger = Passwords(argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.needs_rehash(before)
    upgraded = Accounts(people.accounts.database, clock=people.clock, passwords=stronger)
    upgraded.sign_in("desk", DESK_PASSWORD)
    after = stored_hash(people, "desk")
    assert after != before
    assert "t=2" in after
    assert not stronger.needs_rehash(after)
    upgraded.sign_in("desk", DESK_PASSWORD)
    assert stored_hash(people, "desk") == after  # current parameters: left alone


def test_changing_the_password_ends_the_other_sessions(people: People) -> None:
    here = people.signed_in("desk", DESK_PASSWORD)
    elsewhere = people.signed_in("desk", DESK_PASSWORD)
    remembered = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True).refresh_token
    assert remembered is not None
    people.accounts.change_password(here, DESK_PASSWORD, "a brand new passphrase")
    people.context(here).actor()  # the session that changed it carries on
    with pytest.raises(SessionExpired) as caught:
        people.context(elsewhere).actor()
    assert caught.value.reason is ExpiryReason.REVOKED
    with pytest.raises(SessionExpired):
        people.accounts.resume(remembered)
    assert refusal(people, "desk", DESK_PASSWORD).reason is RefusalReason.BAD_CREDENTIALS
    people.accounts.sign_in("desk", "a brand new passphrase")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("DESK      ", "same as the username"),
        (DESK_PASSWORD, "must differ from the current one"),
    ],
)
def test_a_new_password_must_follow_the_rules(people: People, new: str, message: str) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    with pytest.raises(PasswordRejected, match=message):
        people.accounts.change_password(session, DESK_PASSWORD, new)
    people.accounts.sign_in("desk", DESK_PASSWORD)  # unchanged


def test_the_current_password_is_checked(people: People) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    with pytest.raises(SignInRefused, match="current password is incorrect"):
        people.accounts.change_password(session, "wrong current", "a brand new passphrase")


def test_an_admin_resets_a_password_and_signs_the_user_out(people: People) -> None:
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    with pytest.raises(PermissionDenied):
        people.accounts.set_password(desk, people.admin.id, "taken over now")
    people.accounts.set_password(admin, people.desk.id, "reset by the admin")
    with pytest.raises(SessionExpired):
        desk.actor()
    people.accounts.sign_in("desk", "reset by the admin")


def test_new_users_are_checked(people: People) -> None:
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    with pytest.raises(InvalidInput, match="already a user"):
        people.accounts.add_user(
            admin, NewUser("Desk", "Another", Role.RECEPTIONIST, "long enough pw")
        )
    with pytest.raises(InvalidInput, match="username is"):
        people.accounts.add_user(admin, NewUser("a b", "Spaces", Role.ADMIN, "long enough pw"))
    with pytest.raises(InvalidInput, match="linked to their practitioner"):
        people.accounts.add_user(admin, NewUser("pat", "Pat", Role.PRACTITIONER, "long enough pw"))
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    with pytest.raises(PermissionDenied):
        people.accounts.add_user(desk, NewUser("eve", "Eve", Role.ADMIN, "long enough pw"))


def test_the_first_admin_is_created_once(ctx) -> None:
    accounts = Accounts(ctx.database, passwords=Passwords.cheapest())
    assert accounts.needs_first_admin()
    signed_in = accounts.create_first_admin("owner", "Olive Owner", "owner password")
    assert signed_in.user.role is Role.ADMIN
    assert not accounts.needs_first_admin()
    with pytest.raises(InvalidInput, match="already been set up"):
        accounts.create_first_admin("second", "Sneaky", "owner password")
