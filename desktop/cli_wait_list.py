"""`frontdesk wait-list`: the wait list for an administrator, and its SMS offers setting.

`show` prints who is waiting (urgent first, then oldest). `offers` shows or sets
whether freed times are offered by SMS and to how many at once (the same setting
as the Wait list window's footer; it syncs).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.config import Settings
    from desktop.store.database import Database

OpenDatabase = Callable[["Settings"], "Database"]


def add_wait_list_commands(commands: Any, open_database: OpenDatabase) -> None:
    parser = commands.add_parser(
        "wait-list", help="the wait list and its SMS offers of freed times"
    )
    actions = parser.add_subparsers(
        dest="wait_list_command", metavar="ACTION", required=True, parser_class=type(parser)
    )
    show = actions.add_parser("show", help="who is waiting, urgent first, then oldest")
    show.set_defaults(handler=lambda _args, settings: _show(open_database(settings)))
    offers = actions.add_parser("offers", help="show or set the SMS offers of freed times")
    switch = offers.add_mutually_exclusive_group()
    switch.add_argument("--on", action="store_true", help="offer freed times by SMS")
    switch.add_argument("--off", action="store_true", help="stop offering them")
    offers.add_argument("--to", type=int, metavar="N", help="how many patients at once (1-10)")
    offers.set_defaults(handler=lambda args, settings: _offers(args, open_database(settings)))


def _show(database: Database) -> int:
    from desktop.domain.wait_list import describe_wishes
    from desktop.services import calendar, wait_list
    from desktop.services.context import ServiceContext

    ctx = ServiceContext.for_system(database)
    entries = wait_list.current_entries(ctx)
    names = {p.id: p.name for p in calendar.practitioners(ctx, include_inactive=True)}
    types = {t.id: t.name for t in calendar.appointment_types(ctx, include_inactive=True)}
    if not entries:
        print("Nobody is on the wait list.")
    for entry in entries:
        urgency = "URGENT " if entry.urgent else ""
        wishes = describe_wishes(entry.wishes, names, types)
        print(f"{urgency}{entry.patient_name} (since {entry.created_at:%Y-%m-%d}): {wishes}")
    return 0


def _offers(args: argparse.Namespace, database: Database) -> int:
    from dataclasses import replace

    from desktop.services import calendar
    from desktop.services.context import ServiceContext
    from desktop.services.messaging.settings import get_settings as messaging_settings
    from desktop.services.wait_list_offers import get_settings, save_settings

    ctx = ServiceContext.for_system(database)
    clinic = calendar.main_clinic(ctx)
    settings = get_settings(ctx, clinic.id)
    if args.on or args.off or args.to is not None:
        settings = replace(
            settings,
            offer_by_sms=args.on or (settings.offer_by_sms and not args.off),
            offer_to=settings.offer_to if args.to is None else args.to,
        )
        save_settings(ctx, settings)
    state = f"on, to {settings.offer_to} at once" if settings.offer_by_sms else "off"
    print(f"SMS offers of freed times: {state}.")
    if settings.offer_by_sms and not messaging_settings(ctx, clinic.id).sms_configured:
        # As the Wait list window says: on, but nothing can go until a provider is set up.
        print("No offer can go yet: set up an SMS provider in Settings ▸ Reminders and SMS.")
    return 0
