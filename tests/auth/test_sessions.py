"""Sessions against a real store: expiry, idle timeout, revocation, tokens kept as hashes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop.auth import ExpiryReason, SessionExpired, SessionPolicy, UserChanges
from desktop.domain.errors import InvalidInput, PermissionDenied
from desktop.domain.roles import SYSTEM, Role
from desktop.services import booking
from desktop.services.context import ServiceContext
from desktop.store.auth_models import SignInSessionRow
from tests.auth.people import ADMIN_PASSWORD, ALICE_PASSWORD, DESK_PASSWORD, People
from tests.helpers.clinic import ClinicFixture


def expired_reason(ctx: ServiceContext) -> ExpiryReason:
    with pytest.raises(SessionExpired) as caught:
        ctx.actor()
    return caught.value.reason


def test_a_signed_in_session_names_the_user_and_role(people: People) -> None:
    session = people.signed_in(" DESK ", DESK_PASSWORD)
    actor = people.context(session).actor()
    assert (actor.user_id, actor.name, actor.role) == (
        people.desk.id,
        "Dana Desk",
        Role.RECEPTIONIST,
    )


def test_only_a_hash_of_the_token_is_stored(people: People) -> None:
    signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    assert signed_in.refresh_token is not None
    with people.accounts.database.reading() as session:
        rows = [
            {column.key: str(getattr(row, column.key)) for column in SignInSessionRow.__table__.c}
            for row in session.execute(select(SignInSessionRow)).scalars()
        ]
    stored = {row["token_hash"] for row in rows}
    for token in (signed_in.token, signed_in.refresh_token):
        assert len(token) >= 40
        assert hashlib.sha256(token.encode()).hexdigest() in stored
        assert all(token not in value for row in rows for value in row.values())


def test_a_session_ends_at_its_absolute_lifetime_even_when_busy(people: People) -> None:
    ctx = people.context(people.signed_in("desk", DESK_PASSWORD))
    for _ in range(12 * 6 - 1):  # busy every 10 minutes for a 12-hour day
        people.clock.advance(timedelta(minutes=10))
        ctx.actor()
    people.clock.advance(timedelta(minutes=10))
    assert expired_reason(ctx) is ExpiryReason.EXPIRED
    assert expired_reason(ctx) is ExpiryReason.EXPIRED  # and stays so, without asking again


def test_a_session_ends_after_the_idle_timeout(people: People) -> None:
    ctx = people.context(people.signed_in("desk", DESK_PASSWORD))
    people.clock.advance(timedelta(minutes=14, seconds=59))
    ctx.actor()  # still valid, and this counts as activity
    people.clock.advance(timedelta(minutes=14, seconds=59))
    ctx.actor()
    people.clock.advance(timedelta(minutes=15))
    assert expired_reason(ctx) is ExpiryReason.IDLE


def test_keep_alive_counts_typing_as_activity(people: People) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    for _ in range(3):
        people.clock.advance(timedelta(minutes=10))
        assert session.keep_alive()
    people.clock.advance(timedelta(minutes=16))
    assert not session.keep_alive()
    assert expired_reason(people.context(session)) is ExpiryReason.IDLE


def test_the_clinic_policy_sets_the_lengths_of_new_sessions(people: People, ctx) -> None:
    policy = SessionPolicy(timedelta(minutes=5), timedelta(hours=1), timedelta(0))
    people.accounts.set_policy(ctx, policy)
    assert people.accounts.policy() == policy
    signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    assert signed_in.refresh_token is None  # remember-me switched off by the clinic
    session = people.accounts.session(signed_in)
    people.clock.advance(timedelta(minutes=5))
    assert expired_reason(people.context(session)) is ExpiryReason.IDLE
    with pytest.raises(InvalidInput, match="idle timeout"):
        people.accounts.set_policy(ctx, SessionPolicy(idle_timeout=timedelta(seconds=5)))


def test_only_an_admin_changes_the_policy(people: People) -> None:
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    with pytest.raises(PermissionDenied):
        people.accounts.set_policy(desk, SessionPolicy())


def test_an_admin_signs_a_user_out_everywhere(people: People, clinic: ClinicFixture) -> None:
    front = people.context(people.signed_in("desk", DESK_PASSWORD))
    back_office = people.context(people.signed_in("desk", DESK_PASSWORD))
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    assert people.accounts.sign_out_everywhere(admin, people.desk.id) == 2
    request = booking.BookingRequest(
        clinic.clinic.id,
        clinic.alice.id,
        clinic.consult.id,
        clinic.at(10),
        patient_id=clinic.patients[0].id,
    )
    with pytest.raises(SessionExpired) as caught:
        booking.book_appointment(front, request)
    assert caught.value.reason is ExpiryReason.REVOKED
    assert "administrator" in caught.value.message
    assert expired_reason(back_office) is ExpiryReason.REVOKED
    admin.actor()  # the admin's own session is untouched


def test_only_an_admin_signs_others_out(people: People) -> None:
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    with pytest.raises(PermissionDenied, match="administrator"):
        people.accounts.sign_out_everywhere(desk, people.admin.id)


def test_signing_out_ends_the_session(people: People) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    token_holder = people.accounts.session(people.accounts.sign_in("desk", DESK_PASSWORD))
    session.sign_out()
    assert session.user is None
    assert expired_reason(people.context(session)) is ExpiryReason.SIGNED_OUT
    people.context(token_holder).actor()  # other sessions of the same user go on


def test_deactivating_a_user_ends_their_sessions(people: People) -> None:
    desk = people.context(people.signed_in("desk", DESK_PASSWORD))
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    people.accounts.update_user(
        admin, people.desk.id, UserChanges("Dana Desk", Role.RECEPTIONIST, None, active=False)
    )
    assert expired_reason(desk) is ExpiryReason.REVOKED


def test_a_role_change_applies_to_the_next_call(people: People) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    people.accounts.update_user(
        admin, people.desk.id, UserChanges("Dana Manager", Role.ADMIN, None, active=True)
    )
    actor = people.context(session).actor()
    assert (actor.role, actor.name) == (Role.ADMIN, "Dana Manager")
    assert session.user is not None and session.user.display_name == "Dana Manager"


def test_the_last_admin_cannot_be_demoted_or_deactivated(people: People) -> None:
    admin = people.context(people.signed_in("admin", ADMIN_PASSWORD))
    with pytest.raises(InvalidInput, match="only administrator"):
        people.accounts.update_user(
            admin, people.admin.id, UserChanges("Ada", Role.RECEPTIONIST, None, active=True)
        )
    with pytest.raises(InvalidInput, match="only administrator"):
        people.accounts.update_user(
            admin, people.admin.id, UserChanges("Ada", Role.ADMIN, None, active=False)
        )


def test_a_practitioner_edits_only_their_own_calendar(
    people: People, clinic: ClinicFixture
) -> None:
    ctx = people.context(people.signed_in("alice", ALICE_PASSWORD))
    assert ctx.actor().practitioner_id == clinic.alice.id

    def request(practitioner_id, hour):  # type: ignore[no-untyped-def]
        return booking.BookingRequest(
            clinic.clinic.id,
            practitioner_id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[0].id,
        )

    assert booking.book_appointment(ctx, request(clinic.alice.id, 10)).appointment
    with pytest.raises(PermissionDenied, match="Bob Pilates"):
        booking.book_appointment(ctx, request(clinic.bob.id, 11))


def test_an_unknown_token_is_invalid(people: People) -> None:
    with pytest.raises(SessionExpired) as caught:
        people.accounts.authenticator.check("not-a-token")
    assert caught.value.reason is ExpiryReason.INVALID


def test_session_expired_keeps_its_old_import_path_and_call() -> None:
    from desktop.services.context import SessionExpired as FromContext

    assert FromContext is SessionExpired
    legacy = SessionExpired("Your session has expired. Please sign in again.")
    assert legacy.reason is ExpiryReason.EXPIRED
    assert str(legacy) == "Your session has expired. Please sign in again."
    assert SessionExpired(ExpiryReason.IDLE).reason == "idle"  # machine-readable text


def test_the_system_actor_is_unaffected(ctx: ServiceContext) -> None:
    assert ctx.actor() is SYSTEM
