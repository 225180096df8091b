"""`frontdesk xero …`: connect, see the queue, sync once, or run the worker.

* `status`   the connection, the account mapping and the queue, refusals listed;
* `connect`  OAuth2 in the browser (loopback redirect); then `accounts` to map;
* `accounts` list the organisation's accounts, or set which ones Frontdesk uses;
* `sync --once` send what is due and exit: non-zero if anything is refused or
  Xero needs reconnecting (for cron and scripts);
* `retry`    put refused jobs back in the queue after fixing the cause;
* `worker`   keep sending as work arrives (run it next to `frontdesk server`);
* `send-history --since DATE [--send]` what was raised before Xero was connected:
  listed (a dry run), then queued once, oldest first.

Every failure is one line on stderr and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.config import Settings
    from desktop.services.outbox_dispatch import DrainReport
    from desktop.store.database import Database

OpenDatabase = Callable[["Settings"], "Database"]
EXIT_FAILURE = 1


def add_xero_commands(commands: Any, open_database: OpenDatabase) -> None:
    xero = commands.add_parser("xero", help="the clinic's Xero connection and sync queue")
    actions = xero.add_subparsers(
        dest="xero_command", metavar="ACTION", required=True, parser_class=type(xero)
    )
    status = actions.add_parser("status", help="connection, account mapping and the queue")
    status.set_defaults(handler=partial(_guarded, _status, open_database))

    connect = actions.add_parser("connect", help="connect to a Xero organisation (browser)")
    connect.add_argument(
        "--client-id", help="the Xero app's client id (default: $FRONTDESK_XERO_CLIENT_ID)"
    )
    connect.add_argument("--organisation", metavar="NAME", help="which organisation, if several")
    connect.add_argument(
        "--no-browser", action="store_true", help="print the address to open instead"
    )
    connect.set_defaults(handler=partial(_guarded, _connect, open_database))

    accounts = actions.add_parser("accounts", help="show or set the Xero accounts used")
    accounts.add_argument("--income", metavar="CODE", help="income account for invoice lines")
    accounts.add_argument("--bank", metavar="CODE", help="bank account payments go into")
    accounts.add_argument("--tax-type", metavar="TYPE", help="tax type, e.g. EXEMPTOUTPUT")
    accounts.add_argument(
        "--advance",
        metavar="CODE",
        help="income-in-advance account (a current liability) for passes and money on account",
    )
    accounts.add_argument(
        "--invoice-date",
        choices=("service", "raised"),
        help="date invoices carry in Xero: the date of service (default) or the date raised",
    )
    accounts.set_defaults(handler=partial(_guarded, _accounts, open_database))

    sync = actions.add_parser("sync", help="send what is waiting for Xero")
    sync.add_argument(
        "--once",
        action="store_true",
        help="send what is due now and exit (non-zero if anything is refused)",
    )
    sync.set_defaults(handler=partial(_guarded, _sync, open_database))

    retry = actions.add_parser("retry", help="retry refused (parked) or held jobs")
    retry.add_argument("job", nargs="?", help="a job id from `status` (default: all of them)")
    retry.set_defaults(handler=partial(_guarded, _retry, open_database))

    worker = actions.add_parser("worker", help="keep sending to Xero until stopped (Ctrl-C)")
    worker.set_defaults(handler=partial(_guarded, _worker, open_database))

    disconnect = actions.add_parser("disconnect", help="stop sending to Xero (queue is kept)")
    disconnect.set_defaults(handler=partial(_guarded, _disconnect, open_database))

    history = actions.add_parser(
        "send-history",
        help="send what was raised before Xero was connected (a dry run unless --send)",
    )
    history.add_argument(
        "--since", required=True, metavar="DATE", help="from this day on (YYYY-MM-DD)"
    )
    history.add_argument(
        "--send", action="store_true", help="queue them for Xero (without it: only list them)"
    )
    history.set_defaults(handler=partial(_guarded, _send_history, open_database))

    # Issue 7: compare Frontdesk and Xero per patient (credit left, invoices paid).
    check = actions.add_parser("reconcile", help="compare Frontdesk and Xero, patient by patient")
    check.set_defaults(handler=partial(_guarded, _reconcile, open_database))


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _refuse_on_a_desk(database: Database, action: str) -> None:
    """One Xero sender per clinic: a desk that follows a server never talks to Xero
    (two PCs sharing one connection would cut each other off as Xero rotates its
    refresh token), and its own queue is empty — the server's is the clinic's."""
    from desktop.domain.errors import InvalidInput
    from desktop.store import queries

    with database.reading() as session:
        server = queries.server_followed(session)
    if server is not None:
        raise InvalidInput(
            f"This database follows the server at {server}, which holds the clinic's Xero "
            f"connection and sends to Xero: run `frontdesk --database-url … xero {action}` on "
            "the server machine against its database, or open Settings ▸ Xero… at a desk "
            "(it shows and retries the server's queue)."
        )


def _guarded(
    command: Callable[[Database, argparse.Namespace], int],
    open_database: OpenDatabase,
    args: argparse.Namespace,
    settings: Settings,
) -> int:
    from desktop.domain.errors import DomainError
    from desktop.xero.errors import XeroError

    database = open_database(settings)
    try:
        _refuse_on_a_desk(database, args.xero_command)
        return command(database, args)
    except (XeroError, DomainError) as exc:
        sys.stderr.write(f"frontdesk: error: {exc}\n")
        return EXIT_FAILURE
    except Exception as exc:
        # A cron job or a person reads one line; support reads the log.
        logging.getLogger(__name__).exception("frontdesk xero %s failed", args.xero_command)
        sys.stderr.write(
            f"frontdesk: error: {type(exc).__name__} while talking to Xero; nothing sent was "
            "lost and the next sync picks up where this one stopped (details in the log).\n"
        )
        return EXIT_FAILURE
    finally:
        database.dispose()


def _context(database: Database) -> Any:
    from desktop.services.context import ServiceContext

    return ServiceContext.for_system(database)


def _status(database: Database, _args: argparse.Namespace) -> int:
    from desktop.domain.outbox import JobState
    from desktop.services import xero_settings

    status = xero_settings.queue_status(_context(database))
    connection = status.connection
    where = f" to {connection.tenant_name}" if connection.tenant_name else ""
    _say(f"Xero:      {connection.state.label}{where}")
    if connection.message:
        _say(f"           {connection.message}")
    payment_accounts = "".join(
        f", {method} {code}" for method, code in sorted(connection.payment_accounts.items())
    )
    _say(
        f"Accounts:  income {connection.income_account_code}, payments "
        f"{connection.bank_account_code}{payment_accounts}, tax {connection.tax_type}, "
        f"unused credit {connection.advance_account_code}; invoices dated by "
        f"{connection.invoice_date_basis.label.lower()}"
    )
    done = status.counts.get(JobState.DONE, 0)
    _say(
        f"Queue:     {status.waiting} waiting, {status.parked} refused, "
        f"{status.held} held, {done} sent"
    )
    if status.stalled_note:
        _say(f"           {status.stalled_note}")
    for job in status.attention:
        verdict = {JobState.PARKED: "refused", JobState.HELD: "held"}.get(job.state, "waiting")
        _say(f"  {job.id}  {job.label} ({verdict}): {job.reason}")
    return 0


def _connect(database: Database, args: argparse.Namespace) -> int:
    import webbrowser

    from desktop.xero.connect import connect
    from desktop.xero.endpoints import client_id_from_environment
    from desktop.xero.errors import XeroError
    from desktop.xero.identity import Tenant

    def choose(tenants: Sequence[Tenant]) -> Tenant:
        if args.organisation is None:
            if len(tenants) > 1:
                names = ", ".join(t.name for t in tenants)
                raise XeroError(f"Choose an organisation with --organisation ({names}).")
            return tenants[0]
        for tenant in tenants:
            if args.organisation.casefold() in (tenant.name.casefold(), tenant.tenant_id):
                return tenant
        raise XeroError(f"No organisation called “{args.organisation}” in that Xero login.")

    def show(url: str) -> object:
        if args.no_browser or not webbrowser.open(url):
            _say(f"Open this address to connect Frontdesk to Xero:\n{url}")
        else:
            _say("Xero's sign-in page is open in your browser; waiting for you to allow access…")
        return True

    client_id = args.client_id or client_id_from_environment()
    connection = connect(database, client_id, open_browser=show, choose_tenant=choose)
    _say(
        f"Connected to {connection.tenant_name}. Check the accounts with `frontdesk xero accounts`."
    )
    return 0


def _accounts(database: Database, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from desktop.services import xero_settings
    from desktop.xero.chart import read_chart
    from desktop.xero.worker import build_channel

    ctx = _context(database)
    connection = xero_settings.get_connection(ctx)
    api = build_channel(database).api
    chart = read_chart(api)
    tax_types = {str(t.tax_type) for t in api.call("get_tax_rates").tax_rates or []}
    codes = {account.code for account in chart}
    if args.income or args.bank or args.tax_type or args.advance or args.invoice_date:
        income = args.income or connection.income_account_code
        bank = args.bank or connection.bank_account_code
        tax = args.tax_type or connection.tax_type
        advance = args.advance or connection.advance_account_code
        problems = [
            f"no account {code} in {connection.tenant_name}"
            for code in (income, bank)
            if code not in codes
        ]
        if tax not in tax_types:
            problems.append(f"no tax type {tax}")
        advance_problem = xero_settings.advance_account_problem(
            replace(connection, advance_account_code=advance), chart
        )
        if advance_problem:
            problems.append(advance_problem)
        if problems:
            sys.stderr.write(f"frontdesk: error: {'; '.join(problems)}\n")
            return EXIT_FAILURE
        basis = xero_settings.InvoiceDateBasis(args.invoice_date or connection.invoice_date_basis)
        xero_settings.set_account_mapping(
            ctx,
            income_account_code=income,
            bank_account_code=bank,
            tax_type=tax,
            advance_account_code=advance,
            invoice_date_basis=basis,
        )
        _say(
            f"Invoices go to {income} ({tax}), dated by {basis.label.lower()}; payments into "
            f"{bank}; unused credit to {advance}."
        )
        return 0
    for account in chart:
        if account.kind in ("REVENUE", "SALES", "OTHERINCOME", "BANK", "CURRLIAB"):
            _say(f"  {account.code:>6}  {account.kind:<8} {account.name}")
    _say(f"Tax types: {', '.join(sorted(tax_types))}")
    problem = xero_settings.advance_account_problem(connection, chart)
    if problem:
        _say(f"Check: {problem}")
    return 0


def _reconcile(database: Database, _args: argparse.Namespace) -> int:
    """Every difference with a suggested fix; non-zero when there is any (for cron)."""
    from desktop.services import xero_settings
    from desktop.services.xero_settings import ConnectionState
    from desktop.xero.reconcile import reconcile_with_xero
    from desktop.xero.worker import build_channel

    if xero_settings.read_connection(database).state is ConnectionState.DISCONNECTED:
        sys.stderr.write("frontdesk: error: Xero is not connected; run `frontdesk xero connect`.\n")
        return EXIT_FAILURE
    result = reconcile_with_xero(_context(database), build_channel(database).api)
    for difference in result.differences:
        _say(difference.text)
    _say(
        f"Checked {result.documents} documents for {result.patients} patients: "
        f"{len(result.differences)} difference(s)."
    )
    return 0 if result.clean else EXIT_FAILURE


def _send_history(database: Database, args: argparse.Namespace) -> int:
    from datetime import date

    from desktop.domain.errors import InvalidInput
    from desktop.services import xero_history

    try:
        since = date.fromisoformat(args.since)
    except ValueError as exc:
        raise InvalidInput(f"“{args.since}” is not a date; write it as 2026-07-01.") from exc
    ctx = _context(database)
    if not args.send:
        plan = xero_history.plan_history(ctx, since)
        if not plan.total:
            _say(f"Nothing from {since:%d/%m/%Y} on is waiting to go to Xero.")
            return 0
        _say(f"Would send to Xero, oldest first (from {since:%d/%m/%Y}):")
        for line in plan.lines():
            _say(f"  {line}")
        _say("Nothing has been sent. Run again with --send to send them.")
        return 0
    plan, _changes = xero_history.send_history(ctx, since)
    _say(
        f"Queued {plan.total} document(s) for Xero; `frontdesk xero sync` sends them "
        "(the app and the worker do by themselves)."
    )
    return 0


def _report_line(report: DrainReport) -> str:
    return (
        f"Sent {report.delivered}, retrying {report.retrying}, "
        f"refused {report.parked}, held {report.held}."
    )


def _sync(database: Database, args: argparse.Namespace) -> int:
    import time
    from datetime import UTC, datetime, timedelta

    from desktop.domain.outbox import Channel, JobState
    from desktop.services import xero_settings
    from desktop.services.xero_settings import ConnectionState
    from desktop.xero.worker import build_channel, sync_once

    if xero_settings.read_connection(database).state is ConnectionState.DISCONNECTED:
        sys.stderr.write("frontdesk: error: Xero is not connected; run `frontdesk xero connect`.\n")
        return EXIT_FAILURE
    channel = build_channel(database)
    report = sync_once(channel)
    if not args.once:
        # Without --once, also wait out short backoffs until nothing is left soon.
        horizon = timedelta(minutes=2)
        while True:
            due = channel.queue.next_due_at(Channel.XERO)
            now = datetime.now(UTC)
            if due is None or due - now > horizon:
                break
            time.sleep(max(0.5, (due - now).total_seconds()))
            more = sync_once(channel)
            if not more.attempted:
                break
            report.delivered += more.delivered
            report.parked += more.parked
            report.retrying = more.retrying
            report.held = more.held
    _say(_report_line(report))
    stalled = xero_settings.queue_status(_context(database)).stalled_note
    if stalled:
        _say(f"Waiting: {stalled}.")
    connection = xero_settings.read_connection(database)
    if connection.state is ConnectionState.NEEDS_RECONNECT:
        sys.stderr.write(f"frontdesk: error: {connection.message}\n")
        return EXIT_FAILURE
    parked = channel.queue.counts(Channel.XERO).get(JobState.PARKED, 0)
    if parked:
        sys.stderr.write(
            f"frontdesk: error: Xero refused {parked} job(s); see `frontdesk xero status`.\n"
        )
        return EXIT_FAILURE
    return 0


def _retry(database: Database, args: argparse.Namespace) -> int:
    from desktop.domain.errors import InvalidInput
    from desktop.services import xero_settings

    ctx = _context(database)
    if args.job:
        try:
            job_id = uuid.UUID(args.job)
        except ValueError as exc:
            raise InvalidInput(
                f"“{args.job}” is not a job id (see `frontdesk xero status`)."
            ) from exc
        xero_settings.retry_job(ctx, job_id)
        _say("Queued again; it goes with the next sync.")
        return 0
    status = xero_settings.queue_status(ctx)
    for job in status.attention:
        xero_settings.retry_job(ctx, job.id)
    _say(f"Queued {len(status.attention)} job(s) again; they go with the next sync.")
    return 0


def _worker(database: Database, _args: argparse.Namespace) -> int:
    from desktop.xero.worker import build_channel, run_worker

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def on_report(report: DrainReport) -> None:
        if report.attempted or report.errors:
            _say(_report_line(report))
            for error in report.errors:
                _say(f"  {error}")

    _say("Sending to Xero as work arrives; Ctrl-C to stop.")
    try:
        run_worker(build_channel(database), stop, on_report=on_report)
    except KeyboardInterrupt:
        stop.set()
    return 0


def _disconnect(database: Database, _args: argparse.Namespace) -> int:
    from desktop.services import xero_settings

    xero_settings.disconnect(_context(database))
    _say("Frontdesk no longer sends to Xero. Jobs already queued are kept for a reconnect.")
    return 0
