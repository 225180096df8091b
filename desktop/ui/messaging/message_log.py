"""The patient card's message log: every reminder, where it went, and what became of it,
and the patient's choice not to be sent SMS and/or email (ticked here, in effect at once).

A failed message shows the mail server's or gateway's own reason, and can be
retried — or sent to a corrected address, which is saved on the patient's
record so later messages go there too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.messages import OptOuts
from desktop.domain.outbox import Channel
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging.message_log import (
    MessageLogEntry,
    MessageStatus,
    fix_recipient_and_retry,
    message_log,
    retry_message,
)
from desktop.services.messaging.opt_outs import patient_opt_outs, set_opt_out
from desktop.services.messaging.records import Purpose
from desktop.services.messaging.replies import PatientReply, patient_replies
from desktop.ui.background_ops import runner
from desktop.ui.messaging.formatting import short_when
from desktop.ui.service_caller import ServiceCaller

REPLIES_SHOWN = 3  # the latest few; older ones are in the provider's own log

_STATUS_COLOURS = {
    MessageStatus.DELIVERED: "#1e7b34",
    MessageStatus.SENT: "#1e7b34",
    MessageStatus.FAILED: "#b3261e",
    MessageStatus.UNDELIVERED: "#b3261e",
    MessageStatus.HELD: "#a15c00",
    MessageStatus.RETRYING: "#a15c00",
    MessageStatus.CANCELLED: "#6b7280",
    MessageStatus.NOT_SENT: "#6b7280",
}
# What each kind of message is, in the "Sent by" column (every Purpose has one).
PURPOSE_LABELS = {
    Purpose.REMINDER: "Reminder",
    Purpose.INVOICE_RECEIPT: "Receipt",
    Purpose.RECEIPT: "SMS credit receipt",
    Purpose.WAIT_LIST: "Wait-list offer",
}
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class _PatientMessages:
    opt_outs: OptOuts
    replies: list[PatientReply]
    entries: list[MessageLogEntry]


def _read(ctx: ServiceContext, patient_id: uuid.UUID, include_cancelled: bool) -> _PatientMessages:
    """Everything the log shows of one patient (on a worker thread)."""
    return _PatientMessages(
        patient_opt_outs(ctx, patient_id),
        patient_replies(ctx, patient_id),
        message_log(ctx, patient_id, include_cancelled=include_cancelled),
    )


def ask_address(parent: QWidget | None, channel: Channel, current: str) -> str | None:
    """Module level so offscreen tests answer instead of showing a modal box."""
    what = "mobile number" if channel is Channel.SMS else "email address"
    text, ok = QInputDialog.getText(
        parent,
        "Send to another address",
        f"Correct {what} (saved on the patient's record):",
        text=current,
    )
    return text.strip() if ok and text.strip() else None


class MessageLogModel(QAbstractTableModel):
    HEADERS = ("When", "Sent by", "To", "Status", "Details")

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.entries: list[MessageLogEntry] = []

    def set_entries(self, entries: list[MessageLogEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = _STATUS_COLOURS.get(entry.status)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.detail or entry.body or None
        return None

    def _text(self, entry: MessageLogEntry, column: int) -> str:
        if column == 0:
            if entry.due_at is not None and entry.status is MessageStatus.SCHEDULED:
                return f"Due {short_when(entry.due_at, self.zone)}"
            return short_when(entry.sent_at or entry.due_at or entry.created_at, self.zone)
        if column == 1:
            kind = PURPOSE_LABELS[entry.purpose]
            return f"{'SMS' if entry.channel is Channel.SMS else 'Email'} · {kind}"
        if column == 2:
            return entry.recipient or "—"
        if column == 3:
            return entry.status.label
        return self._details(entry)

    def _details(self, entry: MessageLogEntry) -> str:
        if entry.detail:
            return entry.detail
        if entry.status is MessageStatus.SCHEDULED and entry.appointment_starts_at:
            return f"For the appointment on {short_when(entry.appointment_starts_at, self.zone)}"
        if entry.status is MessageStatus.RETRYING and entry.due_at:
            return f"Next try {short_when(entry.due_at, self.zone)}"
        if entry.segments > 1:
            return f"{entry.segments} SMS parts"
        return entry.subject


class MessageLogWidget(QWidget):
    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient_id: uuid.UUID | None = None
        self.busy = False  # a read or a change is on its way: the buttons wait
        self._key = f"message-log-{id(self)}"
        self.model = MessageLogModel(zone, self)
        heading = QLabel("Messages")
        heading.setObjectName("sectionHeading")
        self.show_cancelled = QCheckBox("Show cancelled")
        self.show_cancelled.toggled.connect(self.reload)
        # The patient's own choice, per channel; it takes effect at once (reminders of
        # that channel not yet sent are withdrawn, and say so in the log below).
        self.no_sms = QCheckBox("No SMS")
        self.no_sms.setObjectName("optOutSms")
        self.no_sms.setToolTip("The patient asked not to be sent SMS messages")
        self.no_email = QCheckBox("No email")
        self.no_email.setObjectName("optOutEmail")
        self.no_email.setToolTip("The patient asked not to be sent emails")
        self.opt_out_boxes = {Channel.SMS: self.no_sms, Channel.EMAIL: self.no_email}
        for channel, box in self.opt_out_boxes.items():
            box.setEnabled(False)
            box.clicked.connect(lambda checked, channel=channel: self.set_opt_out(channel, checked))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # What the patient texted back (newest first): a question, "running late", STOP.
        self.replies = QLabel()
        self.replies.setObjectName("patientReplies")
        self.replies.setWordWrap(True)
        self.replies.setVisible(False)
        self.empty = QLabel("No messages yet.")
        self.empty.setProperty("muted", True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(110)
        self.text.setPlaceholderText("Select a message to read it.")
        self.retry_button = QPushButton("Retry")
        self.fix_button = QPushButton("Change address and retry…")
        self.retry_button.clicked.connect(self.retry_selected)
        self.fix_button.clicked.connect(self.fix_selected)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.no_sms)
        top.addWidget(self.no_email)
        top.addSpacing(16)
        top.addWidget(self.show_cancelled)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.replies)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        caller.bus.changed.connect(self._on_changes)
        self._selection_changed()

    def set_patient(self, patient_id: uuid.UUID | None) -> None:
        if patient_id != self.patient_id:  # nothing of the last patient while this one loads
            self.model.set_entries([])
            self.replies.setVisible(False)
            self.empty.setVisible(False)
            for box in self.opt_out_boxes.values():
                box.setChecked(False)
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        """Read the patient's choices, replies and messages in the background (the newest
        read wins); the boxes and buttons wait, off, until they arrive."""
        self._loading(True)
        patient_id = self.patient_id
        if patient_id is None:
            runner().cancel(self._key)  # a read for the patient shown before
            self._show(None)
            return
        ctx, cancelled = self.caller.ctx, self.show_cancelled.isChecked()
        self.caller.in_background(
            lambda: _read(ctx, patient_id, cancelled),
            key=self._key,
            refresh_on_refusal=False,
            on_error=lambda _exc: self._loading(False),
        ).success(self._show).run()

    def _loading(self, loading: bool) -> None:
        self.busy = loading
        if loading:
            for box in self.opt_out_boxes.values():
                box.setEnabled(False)
        self._selection_changed()

    def _show(self, read: _PatientMessages | None) -> None:
        self.busy = False
        opted = read.opt_outs if read is not None else None
        for channel, box in self.opt_out_boxes.items():
            box.setEnabled(opted is not None)
            box.setChecked(opted is not None and not opted.allows(channel))
        replies = read.replies if read is not None else []
        lines = [
            f"{short_when(reply.received_at, self.model.zone)} — {reply.describe}"
            for reply in replies[:REPLIES_SHOWN]
        ]
        self.replies.setText("\n".join(lines))
        self.replies.setVisible(bool(lines))
        entries = read.entries if read is not None else []
        selected = self.selected()
        self.model.set_entries(entries)
        self.empty.setVisible(not entries)
        if selected is not None:
            for row, entry in enumerate(entries):
                if entry.id == selected.id:
                    self.table.selectRow(row)
        self._selection_changed()

    def set_opt_out(self, channel: Channel, opted_out: bool) -> None:
        """The box was ticked or cleared: record it now (a refusal puts the box back)."""
        if self.patient_id is None:
            return
        ctx, patient_id = self.caller.ctx, self.patient_id
        self._loading(True)
        self.caller.in_background(
            lambda: set_opt_out(ctx, patient_id, channel, opted_out),
            title="Messages",
            on_error=lambda _exc: self.reload(),
        ).success(lambda result: self._changed(result[1])).run()

    def _changed(self, changes: Changes) -> None:
        """Saved: every screen hears of it (and this log reads the patient again)."""
        self.caller.publish(changes)
        self.reload()

    def selected(self) -> MessageLogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entries[rows[0].row()] if rows else None

    def retry_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        ctx = self.caller.ctx
        self._retry(lambda: retry_message(ctx, entry.id))

    def fix_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        address = ask_address(self, entry.channel, entry.recipient)
        if address is None:
            return
        ctx = self.caller.ctx
        self._retry(lambda: fix_recipient_and_retry(ctx, entry.id, address))

    def _retry(self, action: Callable[[], Changes]) -> None:
        """Retry in the background; the buttons wait, off, until the log is read again."""
        self._loading(True)
        self.caller.in_background(
            action, title="Retry message", on_error=lambda _exc: self.reload()
        ).success(self._changed).run()

    def _selection_changed(self, *_: object) -> None:
        entry = self.selected()
        idle = entry is not None and not self.busy
        self.retry_button.setEnabled(idle and entry is not None and entry.can_retry)
        self.fix_button.setEnabled(
            idle and entry is not None and entry.status is MessageStatus.FAILED
        )
        if entry is None:
            self.text.clear()
            return
        lines = [f"Subject: {entry.subject}", ""] if entry.subject else []
        lines.append(entry.body or "(the text is written when the message is sent)")
        if entry.detail:
            lines += ["", f"{entry.status.label}: {entry.detail}"]
        self.text.setPlainText("\n".join(lines))

    def _on_changes(self, changes: Changes) -> None:
        if changes.outbox or changes.patients or changes.appointments:
            self.reload()
