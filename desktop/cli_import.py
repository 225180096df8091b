"""`frontdesk import patients|appointments FILE.csv`: bring a clinic over from another system.

    frontdesk import patients patients.csv --dry-run
    frontdesk import appointments appointments.csv --map "Treating practitioner=practitioner"

Prints one line per row (created, skipped as already there, refused with the
reason) and a summary. A file with a refused row imports nothing unless
`--skip-bad-rows`; `--dry-run` shows what would happen and changes nothing. The
work is done by `desktop.services.importing`, in one transaction.

Exit status: 0 when the import went in (or, for a dry run, would go in); 1 when
refused rows stop it or the file cannot be used (one line on stderr); 2 for a
usage mistake.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.csv_fields import FIELDS, ImportKind, parse_map_option
from desktop.domain.errors import InvalidInput

if TYPE_CHECKING:
    from desktop.config import Settings
    from desktop.services.importing import ImportReport
    from desktop.store.database import Database

OpenDatabase = Callable[["Settings"], "Database"]


def _map_option(text: str) -> tuple[str, str]:
    try:
        return parse_map_option(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_import_commands(commands: Any, open_database: OpenDatabase) -> None:
    """Register `import patients|appointments` on the `frontdesk` subcommands."""
    parser = commands.add_parser("import", help="patients or appointments from another system")
    kinds = parser.add_subparsers(
        dest="import_kind", metavar="WHAT", required=True, parser_class=type(parser)
    )
    for kind in ImportKind:
        fields = ", ".join(item.key for item in FIELDS[kind])
        sub = kinds.add_parser(
            kind.value,
            help=f"{kind.value} from a CSV export (Cliniko and similar)",
            epilog=f"Fields for --map: {fields}.",
        )
        sub.add_argument(
            "file", type=Path, metavar="FILE.csv", help="the export, with a header row"
        )
        sub.add_argument(
            "--dry-run", action="store_true", help="show what would happen; change nothing"
        )
        sub.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="import the good rows and leave out the refused ones",
        )
        sub.add_argument(
            "--map",
            action="append",
            default=[],
            type=_map_option,
            metavar="COLUMN=FIELD",
            help="which field a column fills (an empty FIELD ignores the column); repeatable",
        )
        sub.set_defaults(handler=partial(_import, open_database, kind))


def _import(
    open_database: OpenDatabase, kind: ImportKind, args: argparse.Namespace, settings: Settings
) -> int:
    from desktop.services.context import ServiceContext
    from desktop.services.importing import read_source, run_import
    from desktop.sync.state import attach_if_bound

    source = read_source(args.file, kind, dict(args.map))
    database = open_database(settings)
    # On a desk that follows a server, imported rows go up with its next sync.
    attach_if_bound(database)
    ctx = ServiceContext.for_system(database)
    report = run_import(ctx, source, dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows)
    _print_report(report)
    if report.refused and not args.skip_bad_rows:
        message = report.blocked_message("run again with --skip-bad-rows")
        print(f"frontdesk: {message}", file=sys.stderr)
        return 1
    return 0


def _print_report(report: ImportReport) -> None:
    if report.note:
        print(f"Note: {report.note}")
    for row in report.rows:
        line = f"{report.verb(row):<12} row {row.row:<5} {row.summary}"
        print(f"{line}: {row.reason}" if row.reason else line)
    print(report.headline())
