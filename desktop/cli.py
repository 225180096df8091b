"""The `frontdesk` command: launch the app, manage the database, load demo data.

Every failure a user can cause (a bad option, an unreachable or damaged database,
a corrupt config file) ends in one readable line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desktop import __version__
from desktop.config import ConfigError, Settings, load_settings
from desktop.domain.errors import DomainError
from desktop.store.errors import StoreError

if TYPE_CHECKING:
    from desktop.store.database import Database

EXIT_FAILURE = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(*, window_only: bool = False) -> argparse.ArgumentParser:
    """Every command; `window_only`: just `run` (the window's start need not load the
    administrators' commands: about 15 ms before the sign-in dialog)."""
    parser = _Parser(
        prog="frontdesk",
        description="Frontdesk: appointments, classes and payments for small clinics.",
    )
    parser.add_argument("--version", action="version", version=f"frontdesk {__version__}")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the database (default: $FRONTDESK_DATABASE_URL, the config "
        "file, or the embedded SQLite file in your user data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="open the Frontdesk window (the default)")
    # Hidden: packaging/build.sh checks a built bundle with it (see README, Installing).
    run.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    run.add_argument(
        "--server",
        metavar="URL",
        help="sync with the clinic's Frontdesk server (e.g. https://frontdesk.clinic.local); "
        "kept in settings as server_url",
    )
    run.set_defaults(handler=_run)
    if not window_only:
        _add_admin_commands(commands)
    return parser


def _add_admin_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    from desktop.cli_export import add_export_commands
    from desktop.cli_import import add_import_commands
    from desktop.cli_messaging import add_secret_commands
    from desktop.cli_users import add_user_commands
    from desktop.cli_wait_list import add_wait_list_commands
    from desktop.server.command import add_server_command
    from desktop.xero.commands import add_xero_commands

    db = commands.add_parser("db", help="manage the database schema")
    db_commands = db.add_subparsers(
        dest="db_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    upgrade = db_commands.add_parser("upgrade", help="migrate the database to this version")
    upgrade.set_defaults(handler=_db_upgrade)
    status = db_commands.add_parser("status", help="show where the database is and its schema")
    status.set_defaults(handler=_db_status)
    backup = db_commands.add_parser("backup", help="copy the embedded database safely, even in use")
    backup.add_argument("--out", type=Path, metavar="FILE", help="default: backups/ beside it")
    backup.set_defaults(handler=_db_backup)

    demo = commands.add_parser("demo", help="load the demo clinic into an empty database")
    demo.add_argument("--patients", type=int, default=300, help="how many patients (default 300)")
    demo.set_defaults(handler=_demo)

    messages = commands.add_parser("messages", help="appointment reminders by SMS and email")
    messages_commands = messages.add_subparsers(
        dest="messages_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    send_due = messages_commands.add_parser(
        "send-due", help="send the reminders and emails that are due (for servers and cron)"
    )
    send_due.add_argument(
        "--once", action="store_true", help="one pass, then exit; non-zero if a message failed"
    )
    send_due.set_defaults(handler=_messages_send_due)
    add_secret_commands(
        messages_commands, lambda settings: _open_database(settings, upgrade=_is_embedded(settings))
    )
    add_export_commands(commands)
    _add_report_commands(commands)
    add_server_command(commands)
    add_user_commands(
        commands, lambda settings: _open_database(settings, upgrade=_is_embedded(settings))
    )
    add_xero_commands(
        commands, lambda settings: _open_database(settings, upgrade=_is_embedded(settings))
    )
    add_import_commands(
        commands, lambda settings: _open_database(settings, upgrade=_is_embedded(settings))
    )
    add_wait_list_commands(
        commands, lambda settings: _open_database(settings, upgrade=_is_embedded(settings))
    )


def _opens_the_window(argv: Sequence[str]) -> bool:
    """`frontdesk [--database-url URL] [run …]`: the window. Anything else — another
    command, --help, --version, a mistake — gets every command to answer with."""
    words = iter(argv)
    for word in words:
        if word == "--database-url":
            next(words, None)
        elif not word.startswith("--database-url="):
            return word == "run"
    return True


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(window_only=_opens_the_window(words))
    args = parser.parse_args(words)
    handler: Callable[[argparse.Namespace, Settings], int] = getattr(args, "handler", _run)
    from desktop.logs import setup_logging

    setup_logging()
    settings: Settings | None = None
    try:
        settings = load_settings(
            database_url=args.database_url, server_url=getattr(args, "server", None)
        )
        return handler(args, settings)
    except (StoreError, ConfigError, DomainError) as exc:
        print(f"frontdesk: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"frontdesk: error: {_one_line(exc, args, settings)}", file=sys.stderr)
        return EXIT_FAILURE


def _one_line(exc: Exception, args: argparse.Namespace, settings: Settings | None) -> str:
    """A damaged page, a full disk, an unforeseen bug: one line; the details go to the log."""
    import logging

    from sqlalchemy.exc import DBAPIError

    from desktop.logs import default_log_file
    from desktop.store.database import describe_connection_error

    logging.getLogger("desktop.cli").error("frontdesk %s failed", args.command, exc_info=exc)
    if isinstance(exc, DBAPIError) and settings is not None:
        return str(describe_connection_error(settings.database_url, exc))
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}; nothing more was written."
    return f"something unexpected went wrong ({type(exc).__name__}); see {default_log_file()}"


def _open_database(settings: Settings, *, upgrade: bool) -> Database:
    from desktop.store.database import Database
    from desktop.store.schema_version import is_newest

    database = Database(settings.database_url)
    database.check_connection()
    if is_newest(database):
        return database  # the usual case: no need to load Alembic
    from desktop.store import migrate

    if upgrade:
        migrate.upgrade(database)
    else:
        migrate.ensure_current(database)
    return database


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.store import migrate
    from desktop.store.database import Database

    database = Database(settings.database_url)
    backup = migrate.upgrade(database)
    if backup is not None:
        print(f"Backed up the database to {backup}")
    print(f"Database is up to date ({', '.join(sorted(migrate.current_revisions(database)))}).")
    return 0


def _db_status(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.store import migrate
    from desktop.store.database import Database, parse_url

    database = Database(settings.database_url)
    database.check_connection()
    current = migrate.check_not_newer(database)
    print(f"Database: {parse_url(settings.database_url).render_as_string(hide_password=True)}")
    print(f"Schema:   {', '.join(sorted(current)) or 'empty'}")
    print(
        "Status:   "
        + ("up to date" if current == migrate.head_revisions() else "needs `frontdesk db upgrade`")
    )
    return 0


def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.store.backup import backup_sqlite_to, default_backup_path

    target = args.out or default_backup_path(settings.database_url)
    print(f"Backed up the database to {backup_sqlite_to(settings.database_url, target)}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.context import ServiceContext
    from desktop.services.demo_clinic import load_demo_clinic

    if not 0 <= args.patients <= 100_000:
        print("frontdesk: error: --patients must be between 0 and 100000", file=sys.stderr)
        return EXIT_USAGE
    database = _open_database(settings, upgrade=_is_embedded(settings))
    summary = load_demo_clinic(ServiceContext.for_system(database), patients=args.patients)
    if summary.created:
        print(
            f"Loaded the demo clinic: {summary.practitioners} practitioners, "
            f"{summary.patients} patients, {summary.appointments} appointments."
        )
    else:
        print("The demo clinic is already loaded.")
    return 0


def _add_report_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    report = commands.add_parser("report", help="reports for the desk: the day's takings")
    reports = report.add_subparsers(
        dest="report_command", metavar="REPORT", required=True, parser_class=_Parser
    )
    takings = reports.add_parser(
        "takings", help="payments, refunds and credit sold by method and practitioner"
    )
    takings.add_argument("--date", required=True, type=_day, metavar="YYYY-MM-DD")
    takings.add_argument("--to", type=_day, metavar="YYYY-MM-DD", help="last day of a range")
    out = takings.add_mutually_exclusive_group()
    out.add_argument("--csv", type=Path, metavar="FILE", help="write the figures as CSV")
    out.add_argument("--pdf", type=Path, metavar="FILE", help="write the report as PDF")
    takings.set_defaults(handler=_report_takings)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-03-02") from None


def _report_takings(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.context import ServiceContext
    from desktop.services.takings import day_takings
    from desktop.services.takings_files import (
        takings_text,
        write_takings_csv,
        write_takings_pdf,
    )

    ctx = ServiceContext.for_system(_open_database(settings, upgrade=_is_embedded(settings)))
    takings = day_takings(ctx, args.date, args.to)
    if args.csv:
        write_takings_csv(takings, args.csv)
        print(f"Wrote the takings for {takings.period} to {args.csv}")
    elif args.pdf:
        write_takings_pdf(takings, args.pdf)
        print(f"Wrote the takings for {takings.period} to {args.pdf}")
    else:
        print(takings_text(takings))
    return 0


def _is_embedded(settings: Settings) -> bool:
    return settings.database_url.startswith("sqlite")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "smoke_test", False):
        from desktop.smoke_test import run_smoke_test

        return run_smoke_test()
    from desktop.ui.app import run_app
    from desktop.ui.crash import install_crash_handler

    def open_database() -> Database:  # in the background, while the sign-in dialog shows
        database = _open_database(settings, upgrade=_is_embedded(settings))
        from desktop.store.replica_binding import follows_a_server

        if follows_a_server(database):  # a desk without a server never loads the sync layer
            from desktop.sync.state import attach_if_bound

            # A replica's writes are queued for the server from the first one, whatever the UI does.
            attach_if_bound(database)
        return database

    install_crash_handler(database_url=settings.database_url)
    code = run_app(open_database, settings.server_url)
    return _exit_after_clean_shutdown(code)


def _exit_after_clean_shutdown(code: int) -> NoReturn:
    """End the window's process without the interpreter's own teardown.

    Tearing down a Qt application (every module, widget and wrapper, one by one)
    took over half a second after the window had closed, with nothing left to do:
    the window is closed, the database disposed. So wait for working threads,
    run the atexit handlers (logging flushes and closes its files there), flush
    the standard streams, and leave.
    """
    import atexit
    import os
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _messages_send_due(args: argparse.Namespace, settings: Settings) -> int:
    from desktop.services.context import ServiceContext
    from desktop.services.messaging.send_due import (
        SendDueLoop,
        SendDueReport,
        send_due,
        server_sending,
    )

    ctx = ServiceContext.for_system(_open_database(settings, upgrade=_is_embedded(settings)))
    server = server_sending(ctx.database)
    if server is not None:
        print(
            f"frontdesk: this database follows the server at {server}, which sends the "
            "clinic's messages; run this command against the server's database.",
            file=sys.stderr,
        )
        return EXIT_FAILURE

    def show(report: SendDueReport) -> None:
        if args.once or report.anything:
            print(report.summary(), flush=True)
        for line in report.retry_reasons:
            print(f"frontdesk: will retry: {line}", file=sys.stderr)
        for line in report.parked:
            print(f"frontdesk: failed: {line}", file=sys.stderr)

    if args.once:
        report = send_due(ctx)
        show(report)
        return 0 if report.ok else EXIT_FAILURE
    SendDueLoop(
        ctx, on_report=show, on_error=lambda e: print(f"frontdesk: error: {e}", file=sys.stderr)
    ).run()
    return 0
