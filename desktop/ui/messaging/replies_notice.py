"""The status bar's "patient replied" notice: texts patients sent back, for the desk to read.

A reply that is neither STOP (an opt-out, already recorded) nor an answer to a
wait-list offer (the sender settled it) is something a person must read: "Running
late", "Can I move to Thursday?". The notice says "Patient replied: Jo Citizen —
Running late" (or "3 patient replies"); a click lists them, newest first, and
choosing one opens that patient's card. *Mark all as read* hides them on this PC
(remembered); a newer reply shows again. Replies of the last week are shown.

Read in the background after any change and on the status bar's timer, so a reply
the message pass polled, or one the server received and sync brought down, shows
within seconds.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from desktop.domain.clinic_time import clinic_zone
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.ui.messaging.formatting import short_when
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.status_bar import StatusNotice

if TYPE_CHECKING:  # the messaging services (and the SMS SDKs) load with the first read
    from desktop.services.messaging.replies import DeskReply

RECENT = timedelta(days=7)
SHOWN_CHARACTERS = 60


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _who(reply: DeskReply) -> str:
    return reply.patient_name or reply.reply.sender


def _read(ctx: ServiceContext, since: datetime) -> tuple[list[DeskReply], str]:
    """On a worker: the replies to show, and the clinic's time zone to show them in."""
    from desktop.services.messaging.replies import replies_for_desk

    replies = replies_for_desk(ctx, since)
    if not replies:  # the usual answer; and a clinic not set up yet has no zone to read
        return [], "UTC"
    return replies, calendar.main_clinic(ctx).timezone


class RepliesNotice(StatusNotice):
    patient_requested = Signal(object)  # the patient's id

    def __init__(
        self,
        caller: ServiceCaller,
        preferences: Preferences,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("repliesNotice", "Texts patients sent back: click to read them", parent)
        self.caller = caller
        self.preferences = preferences
        self.now = now
        self.replies: list[DeskReply] = []
        self._key = f"replies-{id(self)}"
        caller.bus.changed.connect(lambda _changes: self.refresh())

    def refresh(self) -> None:
        ctx = self.caller.ctx
        since = self.now() - RECENT
        read = self.preferences.replies_read_until
        if read is not None and read > since:
            since = read
        self.caller.in_background(
            lambda: _read(ctx, since),
            key=self._key,
            refresh_on_refusal=False,
        ).success(lambda found: self._show(*found)).run()

    def _show(self, replies: list[DeskReply], zone_name: str) -> None:
        self.replies = replies
        self.menu_.clear()
        if not replies:
            self.hide()
            return
        if len(replies) == 1:
            [only] = replies
            self.setText(f"Patient replied: {_who(only)} — {_short(only.reply.text)}")
        else:
            self.setText(f"{len(replies)} patient replies")
        zone = clinic_zone(zone_name)
        for found in replies:
            label = (
                f"{short_when(found.reply.received_at, zone)} · {_who(found)}: "
                f"{_short(found.reply.text)}"
            )
            action = self.menu_.addAction(label)
            action.setToolTip(found.reply.text)
            patient_id = found.reply.patient_id
            if patient_id is None:
                action.setEnabled(False)  # a number that is no patient's: nobody's card
            else:
                action.triggered.connect(functools.partial(self.open_patient, patient_id))
        self.menu_.addSeparator()
        self.menu_.addAction("Mark all as read", self.mark_read)
        self.show()

    def open_patient(self, patient_id: uuid.UUID) -> None:
        self.patient_requested.emit(patient_id)

    def mark_read(self) -> None:
        if self.replies:
            self.preferences.replies_read_until = max(r.reply.received_at for r in self.replies)
        self.replies = []
        self.menu_.clear()
        self.hide()
