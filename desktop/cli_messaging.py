"""`frontdesk messages secrets|set-secret`: the messaging secrets of the machine that sends.

The mail password and the SMS provider's secret belong to the machine that sends
the clinic's messages — the server, or a desk on its own store — kept in its
keyring or, where it has none (a headless server) or it refuses, in an owner-only
file (desktop.services.messaging.secrets). An administrator runs these there,
against that machine's database. A secret is never a command-line argument (the
process list and the shell history would show it): it is asked for twice without
echo, or read as one line from standard input with `--stdin`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from desktop.domain.errors import InvalidInput

if TYPE_CHECKING:
    from desktop.config import Settings
    from desktop.services.context import ServiceContext
    from desktop.store.database import Database

OpenDatabase = Callable[["Settings"], "Database"]
_KINDS = ("sms", "mail")


def add_secret_commands(actions: Any, open_database: OpenDatabase) -> None:
    """Register `secrets` and `set-secret` under `frontdesk messages`."""
    show = actions.add_parser(
        "secrets", help="which messaging secrets this machine's sender has (never their values)"
    )
    show.set_defaults(handler=partial(_show, open_database))
    keep = actions.add_parser(
        "set-secret",
        help="keep the SMS provider's secret or the mail password on this machine (asks for it)",
        description="Keep the SMS provider's secret (Twilio auth token, ClickSend or relay "
        "key) or the mail server password where this machine's sender reads it: its "
        "keyring, or an owner-only file when it has none. Run it on the machine that "
        "sends: the clinic's server, or a desk on its own.",
    )
    keep.add_argument("which", choices=_KINDS, help="sms: the SMS provider's secret; mail: SMTP")
    how = keep.add_mutually_exclusive_group()
    how.add_argument("--stdin", action="store_true", help="read it as one line from stdin")
    how.add_argument("--clear", action="store_true", help="remove it")
    keep.set_defaults(handler=partial(_keep, open_database))


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _sending_clinic(open_database: OpenDatabase, settings: Settings) -> tuple[ServiceContext, Any]:
    """The clinic whose messages this machine sends; refused on a desk following a server."""
    from desktop.services import calendar
    from desktop.services.context import ServiceContext
    from desktop.services.messaging.send_due import server_sending

    database = open_database(settings)
    server = server_sending(database)
    if server is not None:
        raise InvalidInput(
            f"This database follows the server at {server}, which sends the clinic's "
            "messages: run this on the server machine against its database, or type the "
            "secret in Settings ▸ Reminders and SMS at an administrator's desk."
        )
    ctx = ServiceContext.for_system(database)
    return ctx, calendar.main_clinic(ctx)


def _names(ctx: ServiceContext, clinic_id: Any) -> dict[str, str]:
    from desktop.services.messaging.settings import get_settings

    provider = get_settings(ctx, clinic_id).sms_provider
    secret = provider.secret_label  # "Auth token", "API key"
    secret = secret if secret.split()[0].isupper() else secret.lower()
    return {"sms": f"{provider.label} {secret}", "mail": "mail server password"}


def _show(open_database: OpenDatabase, _args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.messaging.secrets import (
        SMS_API_KEY_ENV,
        SMTP_PASSWORD_ENV,
        MessagingSecrets,
    )

    ctx, clinic = _sending_clinic(open_database, settings)
    names = _names(ctx, clinic.id)
    secrets = MessagingSecrets()
    for kind, is_set, variable in (
        ("sms", secrets.has_sms_api_key(clinic.id), SMS_API_KEY_ENV),
        ("mail", secrets.has_smtp_password(clinic.id), SMTP_PASSWORD_ENV),
    ):
        where = f" (from {variable})" if os.environ.get(variable) else ""
        name = names[kind][0].upper() + names[kind][1:]
        _say(f"{name}: {'set' if is_set else 'not set'}{where}")
    return 0


def _keep(open_database: OpenDatabase, args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.messaging.secrets import (
        SMS_API_KEY_ENV,
        SMTP_PASSWORD_ENV,
        MessagingSecrets,
    )

    ctx, clinic = _sending_clinic(open_database, settings)
    name = _names(ctx, clinic.id)[args.which]
    value = "" if args.clear else _read_secret(args, name)
    given = {"sms_api_key": value} if args.which == "sms" else {"smtp_password": value}
    file = MessagingSecrets().keep_on_this_machine(clinic.id, **given)
    where = (
        f"the owner-only file {file} (this machine has no keyring that would take it)"
        if file is not None
        else "this machine's keyring"
    )
    done = "Removed" if args.clear else "Kept"
    _say(f"{done} the {name} for {clinic.name} {'from' if args.clear else 'in'} {where}.")
    variable = SMS_API_KEY_ENV if args.which == "sms" else SMTP_PASSWORD_ENV
    if os.environ.get(variable):
        _say(f"Note: {variable} is set here, and a sender started with it uses that instead.")
    return 0


def _read_secret(args: argparse.Namespace, name: str) -> str:
    if args.stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = getpass.getpass(f"The {name}: ")
        if value and getpass.getpass("Again, to be sure: ") != value:
            raise InvalidInput("The two entries are not the same; nothing was changed.")
    if not value:
        raise InvalidInput(f"No {name} was given; nothing was changed (--clear removes it).")
    return value
