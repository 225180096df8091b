"""`frontdesk user …`: add users, list them, set a forgotten password, sign someone out.

Whoever can run the command line against the clinic's database file or server
acts as the clinic itself here (as for `frontdesk demo`); in the app only an
administrator manages users. Passwords are asked for twice without echo, or read
as one line from standard input with `--password-stdin` (for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from desktop.domain.errors import InvalidInput
from desktop.domain.roles import Role

if TYPE_CHECKING:
    from desktop.config import Settings
    from desktop.store.database import Database

OpenDatabase = Callable[["Settings"], "Database"]


def add_user_commands(commands: Any, open_database: OpenDatabase) -> None:
    """Register `user add|list|set-password|sign-out` on the `frontdesk` subcommands."""
    user = commands.add_parser("user", help="manage who can sign in")
    actions = user.add_subparsers(
        dest="user_command", metavar="ACTION", required=True, parser_class=type(user)
    )
    add = actions.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--name", help="full name shown in the app (default: the username)")
    add.add_argument(
        "--practitioner", metavar="NAME", help="for --role practitioner: whose calendar it is"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=partial(_add, open_database))

    listing = actions.add_parser("list", help="list the users")
    listing.set_defaults(handler=partial(_list, open_database))

    password = actions.add_parser(
        "set-password", help="set a user's password (unlocks them, signs them out everywhere)"
    )
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(handler=partial(_set_password, open_database))

    sign_out = actions.add_parser(
        "sign-out",
        help="sign a user out everywhere (every PC, also desks following a server, "
        "at their next sync)",
    )
    sign_out.add_argument("username")
    sign_out.set_defaults(handler=partial(_sign_out, open_database))


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _accounts(open_database: OpenDatabase, settings: Settings) -> Any:
    from desktop.services.accounts import Accounts

    return Accounts(open_database(settings))


def _refuse_on_a_desk(accounts: Any) -> None:
    """Before asking for a password: a desk that follows a server does not manage users."""
    from desktop.services.context import ServiceContext

    why = accounts.managed_elsewhere(ServiceContext.for_system(accounts.database))
    if why:
        raise InvalidInput(why)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.username}: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InvalidInput("The two passwords are not the same; nothing was changed.")
    return first


def _add(open_database: OpenDatabase, args: argparse.Namespace, settings: Settings) -> int:
    from desktop.auth import NewUser
    from desktop.services.accounts import practitioner_named
    from desktop.services.context import ServiceContext

    role = Role(args.role)
    if (role is Role.PRACTITIONER) != bool(args.practitioner):
        raise InvalidInput("Give --practitioner NAME with --role practitioner (and only then).")
    accounts = _accounts(open_database, settings)
    _refuse_on_a_desk(accounts)
    practitioner_id = (
        practitioner_named(accounts.database, args.practitioner) if args.practitioner else None
    )
    password = _read_password(args)
    user = accounts.add_user(
        ServiceContext.for_system(accounts.database),
        NewUser(args.username, args.name or args.username, role, password, practitioner_id),
    )
    _say(f"Added {user.username} ({user.display_name}, {user.role.value}).")
    return 0


def _list(open_database: OpenDatabase, _args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.context import ServiceContext

    accounts = _accounts(open_database, settings)
    users = accounts.users(ServiceContext.for_system(accounts.database))
    if not users:
        _say("No users yet: the app asks for an administrator on first start.")
    for user in users:
        state = "" if user.active else "  (deactivated)"
        _say(f"{user.username:<20} {user.role.value:<13} {user.display_name}{state}")
    return 0


def _named_user(accounts: Any, username: str) -> tuple[Any, Any]:
    """The service context and the user called `username` (any case), or NotFound."""
    from desktop.domain.errors import NotFound
    from desktop.services.context import ServiceContext

    ctx = ServiceContext.for_system(accounts.database)
    matches = [u for u in accounts.users(ctx) if u.username == username.strip().casefold()]
    if not matches:
        raise NotFound(f"There is no user called “{username}”.")
    return ctx, matches[0]


def _set_password(open_database: OpenDatabase, args: argparse.Namespace, settings: Settings) -> int:
    accounts = _accounts(open_database, settings)
    ctx, user = _named_user(accounts, args.username)
    _refuse_on_a_desk(accounts)
    password = _read_password(args)
    accounts.set_password(ctx, user.id, password)
    _say(f"Set the password of {user.username}; they are signed out everywhere.")
    return 0


def _sign_out(open_database: OpenDatabase, args: argparse.Namespace, settings: Settings) -> int:
    accounts = _accounts(open_database, settings)
    ctx, user = _named_user(accounts, args.username)
    ended = accounts.sign_out_everywhere(ctx, user.id)
    _say(
        f"Signed {user.username} out everywhere ({ended} sign-in(s) ended here; "
        "desks following this server end theirs at their next sync)."
    )
    return 0
