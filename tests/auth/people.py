"""Accounts for sign-in tests: fast password hashing, a hand-moved clock, three users."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.auth import ManualClock, NewUser, Passwords, SignedInSession, UserAccount
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from tests.helpers.clinic import ClinicFixture

ADMIN_PASSWORD = "admin password 1"
DESK_PASSWORD = "front desk password"
ALICE_PASSWORD = "alice's password"


@dataclass
class People:
    accounts: Accounts
    clock: ManualClock
    admin: UserAccount
    desk: UserAccount  # receptionist
    alice: UserAccount  # practitioner, linked to the clinic's Alice Physio

    def signed_in(self, username: str, password: str) -> SignedInSession:
        return self.accounts.session(self.accounts.sign_in(username, password))

    def context(self, session: SignedInSession) -> ServiceContext:
        return ServiceContext(self.accounts.database, session)


def make_people(ctx: ServiceContext, clinic: ClinicFixture | None = None) -> People:
    clock = ManualClock()
    accounts = Accounts(ctx.database, clock=clock, passwords=Passwords.cheapest())
    admin = accounts.add_user(ctx, NewUser("admin", "Ada Admin", Role.ADMIN, ADMIN_PASSWORD))
    desk = accounts.add_user(ctx, NewUser("desk", "Dana Desk", Role.RECEPTIONIST, DESK_PASSWORD))
    alice = (
        accounts.add_user(
            ctx,
            NewUser("alice", "Alice Physio", Role.PRACTITIONER, ALICE_PASSWORD, clinic.alice.id),
        )
        if clinic is not None
        else desk
    )
    return People(accounts, clock, admin, desk, alice)
