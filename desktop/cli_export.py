"""`frontdesk export …`: the day sheet, a practitioner's .ics and appointments as CSV.

    frontdesk export day-sheet [--date YYYY-MM-DD] [--practitioner NAME] --out day.pdf
    frontdesk export ics --practitioner NAME [--from DATE] [--to DATE] --out sarah.ics
    frontdesk export csv --from DATE --to DATE --out appointments.csv

Dates are the clinic's local days. A day sheet defaults to today; an .ics to
today and the twelve weeks after it. The work is done by `desktop.services.exports`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop.config import Settings

if TYPE_CHECKING:
    from desktop.services.context import ServiceContext

ICS_WEEKS = 12
ParserT = TypeVar("ParserT", bound=argparse.ArgumentParser)


def add_export_commands(commands: argparse._SubParsersAction[ParserT]) -> None:
    """Add `export` and its actions to the top-level subcommands."""
    export = commands.add_parser("export", help="day sheet (PDF), calendar (.ics) or CSV")
    actions = export.add_subparsers(
        dest="export_command", metavar="WHAT", required=True, parser_class=type(export)
    )
    sheet = actions.add_parser("day-sheet", help="the day's appointments per practitioner (PDF)")
    sheet.add_argument("--date", type=iso_date, help="the day (YYYY-MM-DD; default today)")
    sheet.add_argument("--practitioner", metavar="NAME", help="only this practitioner")
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    sheet.set_defaults(handler=_day_sheet)

    ics = actions.add_parser("ics", help="a practitioner's appointments for a calendar app")
    ics.add_argument("--practitioner", metavar="NAME", required=True)
    ics.add_argument("--from", dest="first", type=iso_date, help="first day (default today)")
    ics.add_argument(
        "--to", dest="last", type=iso_date, help=f"last day (default {ICS_WEEKS} weeks on)"
    )
    ics.add_argument("--out", type=Path, required=True, metavar="FILE.ics")
    ics.set_defaults(handler=_ics)

    table = actions.add_parser("csv", help="appointments between two days, for a spreadsheet")
    table.add_argument("--from", dest="first", type=iso_date, required=True)
    table.add_argument("--to", dest="last", type=iso_date, required=True)
    table.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    table.set_defaults(handler=_csv)


def iso_date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date (use YYYY-MM-DD)") from None
    from desktop.domain.fields import EARLIEST_APPOINTMENT, LATEST_APPOINTMENT

    first, last = EARLIEST_APPOINTMENT.date(), LATEST_APPOINTMENT.date() - timedelta(days=1)
    if not first <= day <= last:  # no appointment lies outside; far dates overflow
        raise argparse.ArgumentTypeError(
            f"“{text}” is outside the years appointments can be in ({first.year}–{last.year})"
        )
    return day


def _context(settings: Settings) -> ServiceContext:
    from desktop.cli import _is_embedded, _open_database
    from desktop.services.context import ServiceContext

    return ServiceContext.for_system(_open_database(settings, upgrade=_is_embedded(settings)))


def _clinic_today(ctx: ServiceContext) -> date:
    from desktop.domain.clinic_time import clinic_zone
    from desktop.services.calendar import main_clinic

    return datetime.now(clinic_zone(main_clinic(ctx).timezone)).date()


def _written(action: str, out: Path) -> int:
    print(f"{action} to {out}")
    return 0


def _failed(exc: OSError, out: Path) -> int:
    reason = exc.strerror or str(exc)
    print(f"frontdesk: error: cannot write {out}: {reason}", file=sys.stderr)
    return 1


def _day_sheet(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services import exports

    ctx = _context(settings)
    day = args.date or _clinic_today(ctx)
    ids = [exports.find_practitioner(ctx, args.practitioner).id] if args.practitioner else None
    try:
        sheet = exports.write_day_sheet(ctx, day, args.out, ids)
    except OSError as exc:
        return _failed(exc, args.out)
    booked = sum(len(page.live_entries) for page in sheet.pages)
    who = f"{len(sheet.pages)} practitioner{'s' * (len(sheet.pages) != 1)}"
    return _written(f"Wrote the day sheet for {day:%a %d %b %Y} ({who}, {booked} booked)", args.out)


def _ics(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services import exports

    ctx = _context(settings)
    practitioner = exports.find_practitioner(ctx, args.practitioner)
    first = args.first or _clinic_today(ctx)
    last = args.last or first + timedelta(weeks=ICS_WEEKS)
    try:
        count = exports.write_practitioner_ics(ctx, practitioner.id, first, last, args.out)
    except OSError as exc:
        return _failed(exc, args.out)
    return _written(
        f"Wrote {count} appointments of {practitioner.name} ({first} to {last})", args.out
    )


def _csv(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services import exports

    ctx = _context(settings)
    try:
        count = exports.write_appointments_csv(ctx, args.first, args.last, args.out)
    except OSError as exc:
        return _failed(exc, args.out)
    return _written(f"Wrote {count} rows ({args.first} to {args.last})", args.out)
