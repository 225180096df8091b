"""The clinic's Xero sender and message sender, run beside `frontdesk server`.

Desks following a server queue nothing outward themselves; the documents and
messages they push land in the server's outbox, and these two senders deliver
them from the server machine (the Xero tokens live there).

Every server instance may run them: the outbox hands a job to one sender only
(short leases, `SKIP LOCKED` on PostgreSQL) and the reminder sweep skips the
appointments another sweep holds, so several instances on one database still
send each document and each message once. `frontdesk server --no-senders`
leaves sending to another instance, or to `frontdesk xero worker` and
`frontdesk messages send-due` run against the same database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from desktop.services.context import ServiceContext
from desktop.services.messaging.send_due import SendDueLoop, SendDueReport
from desktop.services.outbox_dispatch import DrainReport
from desktop.store.database import Database
from desktop.xero.channel import XeroChannel
from desktop.xero.worker import XeroBackgroundWorker, build_channel, start_background_worker

log = logging.getLogger(__name__)

# Xero may be connected while the server runs (a desk hands its tokens over, or
# `frontdesk xero connect` against this database): the sender looks this often.
LOOK_FOR_XERO_EVERY = timedelta(seconds=30)


class ClinicSenders:
    """Starts and stops the Xero worker and the message loop on the server's database."""

    def __init__(
        self,
        database: Database,
        *,
        xero_channel: Callable[[Database], XeroChannel] = build_channel,
        messages: SendDueLoop | None = None,
        on_xero_report: Callable[[DrainReport], None] | None = None,
        look_for_xero_every: timedelta = LOOK_FOR_XERO_EVERY,
    ) -> None:
        self.database = database
        self.xero_channel = xero_channel
        self.messages = messages or SendDueLoop(
            ServiceContext.for_system(database), on_report=_log_messages, on_error=_log_error
        )
        self.on_xero_report = on_xero_report or _log_xero
        self.look_for_xero_every = look_for_xero_every
        self.xero: XeroBackgroundWorker | None = None
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    def start(self) -> None:
        self.xero = start_background_worker(
            self.database, self.on_xero_report, build=self.xero_channel
        )
        self.messages.start()
        self._watch = threading.Thread(target=self._keep_xero_awake, name="xero-watch", daemon=True)
        self._watch.start()
        log.info("Sending to Xero and sending messages from this server.")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._watch is not None:
            self._watch.join(timeout)
        self.messages.stop(timeout)
        if self.xero is not None:
            self.xero.stop(timeout)

    def __enter__(self) -> ClinicSenders:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _keep_xero_awake(self) -> None:
        while not self._stop.wait(self.look_for_xero_every.total_seconds()):
            assert self.xero is not None
            try:
                self.xero.wake()  # starts the worker once Xero is connected
            except Exception:  # the database may be briefly away; look again later
                log.exception("Could not look for a Xero connection")


def _log_xero(report: DrainReport) -> None:
    if report.attempted or report.errors:
        log.info(
            "Xero: %d sent, %d to retry, %d refused, %d held",
            report.delivered,
            report.retrying,
            report.parked,
            report.held,
        )
    for error in report.errors:
        log.warning("Xero: %s", error)


def _log_messages(report: SendDueReport) -> None:
    if report.anything:
        log.info("Messages: %s", report.summary())
    for line in report.parked:
        log.warning("Messages: failed: %s", line)


def _log_error(error: Exception) -> None:
    log.error("Messages: %s", error)
