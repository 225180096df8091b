"""The "Xero" page: the connection, the queue, and every job Xero refused, with Retry.

A widget for the main window (the lead places it). It reads everything through
services (`xero_settings`), changes things through `ServiceCaller`, and runs the
slow parts — Xero's sign-in page, a sync over the network — off the GUI thread.
`xero_badge_text` is the status bar's one-line summary.

On a desk that follows a server the queue is the server's (the one Xero sender
runs there): the page reads it and presses Retry through the API
(desktop.sync.remote_xero), always off the GUI thread, and leaves connecting and
the account mapping to the server machine.

Signals:
    changed(Changes): published on the change bus too, after a Retry or a sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.outbox import JobState
from desktop.services import xero_settings
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.outbox_dispatch import DrainReport
from desktop.services.xero_settings import (
    ChartAccount,
    ConnectionState,
    InvoiceDateBasis,
    XeroConnection,
    XeroQueueStatus,
)
from desktop.store.database import Database
from desktop.sync.remote_xero import ServerXeroQueue
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.service_caller import ServiceCaller

_STYLE = """
QLabel#xeroTitle { font-size: 16pt; font-weight: 600; }
QFrame#xeroCard, QFrame#xeroTile {
    border: 1px solid palette(mid); border-radius: 8px; background: palette(base);
}
QLabel#xeroState { font-size: 12pt; font-weight: 600; }
QLabel#xeroDot { font-size: 14pt; }
QLabel#tileNumber { font-size: 20pt; font-weight: 600; }
QLabel#tileCaption { color: palette(dark); }
QLabel#xeroMuted { color: palette(dark); }
QLabel#xeroEmpty { color: palette(dark); padding: 18px; }
QLabel#sectionHeading { font-weight: 600; font-size: 11pt; }
QTableWidget#xeroAttention { border: 1px solid palette(mid); border-radius: 6px; }
QTableWidget#xeroAttention::item { padding: 4px 8px; }
QTableWidget#xeroAttention QHeaderView::section { padding: 4px 8px; }
"""

_DOT_COLOURS = {
    ConnectionState.CONNECTED: "#1e8e3e",
    ConnectionState.NEEDS_RECONNECT: "#c5221f",
    ConnectionState.DISCONNECTED: "#80868b",
}


# The attention table's Status column: what it says, in which colour.
_VERDICTS = {JobState.PARKED: ("Refused", "#c5221f"), JobState.HELD: ("Held", "#b06000")}
_WAITING = ("Waiting", "#5f6368")


def xero_badge_text(ctx: ServiceContext) -> str:
    """For the status bar: "Xero: up to date", "Xero: 3 waiting, 1 refused" …"""
    return xero_settings.badge_text(xero_settings.queue_status(ctx))


class XeroQueueSource(Protocol):
    """Where the page's queue lives: this PC's database, or the clinic's server."""

    remote: bool

    def status(self) -> XeroQueueStatus: ...

    def retry(self, job_id: uuid.UUID) -> Changes: ...


class LocalXeroQueue:
    """This PC's own queue (a PC on its own embedded store)."""

    remote = False

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def status(self) -> XeroQueueStatus:
        return xero_settings.queue_status(self.ctx)

    def retry(self, job_id: uuid.UUID) -> Changes:
        return xero_settings.retry_job(self.ctx, job_id)


class XeroActions(Protocol):
    """The slow, networked actions; run on a background thread."""

    def connect(self) -> object: ...

    def sync_now(self) -> DrainReport: ...

    def chart(self) -> list[ChartAccount]: ...


class DesktopXeroActions:
    """The real ones: Xero's sign-in in the browser, and one pass of the worker."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def connect(self) -> object:
        from desktop.xero.connect import connect
        from desktop.xero.endpoints import client_id_from_environment

        stored = xero_settings.read_connection(self.database).client_id
        return connect(self.database, client_id_from_environment() or stored)

    def sync_now(self) -> DrainReport:
        from desktop.xero.worker import build_channel, sync_once

        return sync_once(build_channel(self.database))

    def chart(self) -> list[ChartAccount]:
        from desktop.xero.chart import read_chart
        from desktop.xero.worker import build_channel

        return read_chart(build_channel(self.database).api)


class _Tile(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("xeroTile")
        self.number = QLabel("0")
        self.number.setObjectName("tileNumber")
        label = QLabel(caption)
        label.setObjectName("tileCaption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addWidget(self.number)
        layout.addWidget(label)

    def set(self, value: int, alarm: str = "") -> None:
        self.number.setText(str(value))
        # Only a count that needs someone is coloured; zero stays quiet.
        self.number.setStyleSheet(f"color: {alarm};" if value and alarm else "")


def _padded(widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(6, 3, 6, 3)
    layout.addWidget(widget)
    return holder


class AccountMappingDialog(QDialog):
    """Settings ▸ Xero ▸ Accounts: where invoices, payments and unused credit go in
    Xero, and the date invoices carry. The income-in-advance account is chosen from
    the organisation's chart (its current liabilities)."""

    def __init__(
        self,
        connection: XeroConnection,
        chart: list[ChartAccount],
        parent: QWidget | None = None,
        *,
        chart_note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Xero accounts")
        self.setMinimumWidth(520)
        self.income = QLineEdit(connection.income_account_code)
        self.bank = QLineEdit(connection.bank_account_code)
        self.tax_type = QLineEdit(connection.tax_type)
        self.advance = QComboBox()
        self.advance.setObjectName("advanceAccount")
        liabilities = [account for account in chart if account.is_current_liability]
        for account in liabilities:
            self.advance.addItem(account.label, account.code)
        if not any(account.code == connection.advance_account_code for account in liabilities):
            # Keep what is saved selectable, so saving other fields never changes it.
            self.advance.insertItem(
                0, f"{connection.advance_account_code} (saved)", connection.advance_account_code
            )
        self.advance.setCurrentIndex(_index_of(self.advance, connection.advance_account_code))
        self.invoice_date = QComboBox()
        self.invoice_date.setObjectName("invoiceDate")
        for basis in InvoiceDateBasis:
            self.invoice_date.addItem(basis.label, basis.value)
        self.invoice_date.setCurrentIndex(
            _index_of(self.invoice_date, connection.invoice_date_basis.value)
        )
        form = QFormLayout()
        form.addRow("&Income account (invoice lines)", self.income)
        form.addRow("&Bank account (payments)", self.bank)
        form.addRow("Income in &advance (unused credit)", self.advance)
        form.addRow("&Tax type", self.tax_type)
        form.addRow("Invoices &dated", self.invoice_date)
        self.problem = QLabel(
            chart_note or xero_settings.advance_account_problem(connection, chart)
        )
        self.problem.setObjectName("accountProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b06000;")
        self.problem.setVisible(bool(self.problem.text()))
        hint = QLabel(
            "Codes as in Xero's chart of accounts. Health services are usually GST-free "
            "(EXEMPTOUTPUT). A pass or money on account is owed to the patient until used, "
            "so it goes to a current liability; each session's share becomes income when "
            "it is used. Dating invoices by the date of service puts income in the period "
            "the service was given."
        )
        hint.setWordWrap(True)
        hint.setObjectName("xeroMuted")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def advance_code(self) -> str:
        return str(self.advance.currentData() or "")

    def date_basis(self) -> InvoiceDateBasis:
        return InvoiceDateBasis(str(self.invoice_date.currentData()))


def _index_of(combo: QComboBox, value: str) -> int:
    """Items carry `str` data; `findData` is not trusted with Qt's variant matching."""
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            return index
    return 0


class XeroPage(QWidget):
    changed = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        actions: XeroActions | None = None,
        parent: QWidget | None = None,
        *,
        source: Callable[[], XeroQueueSource] | None = None,
    ) -> None:
        super().__init__(parent)
        # Asked on every refresh: a PC that starts following a server switches over.
        self.source = source or (lambda: LocalXeroQueue(caller.ctx))
        self.setObjectName("xeroPage")
        self.setStyleSheet(_STYLE)
        self.caller = caller
        self.xero_actions = actions or DesktopXeroActions(caller.ctx.database)
        self._task: BackgroundOp[object] | None = None
        self._chart_task: BackgroundOp[list[ChartAccount]] | None = None
        self.accounts_dialog: AccountMappingDialog | None = None
        self.status: XeroQueueStatus | None = None

        title = QLabel("Xero")
        title.setObjectName("xeroTitle")
        self.busy = QLabel("")
        self.busy.setObjectName("xeroMuted")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.busy)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)
        layout.addLayout(heading)
        layout.addWidget(self._connection_card())
        layout.addLayout(self._tiles())
        layout.addLayout(self._attention_heading())
        layout.addWidget(self._attention_table(), 1)
        self.empty = QLabel("Nothing needs attention. Anything Xero refuses shows up here.")
        self.empty.setObjectName("xeroEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.empty, 1)
        footnote = QLabel(
            "A refused invoice or payment goes again by itself when it is edited; "
            "after fixing the cause in Xero, press Retry."
        )
        footnote.setObjectName("xeroMuted")
        footnote.setWordWrap(True)
        layout.addWidget(footnote)
        caller.bus.changed.connect(self._on_changes)
        self.refresh()

    # ------------------------------------------------------------------ layout

    def _connection_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("xeroCard")
        # As tall as its text: spare height goes to the table, or below it.
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.dot = QLabel("●")
        self.dot.setObjectName("xeroDot")
        self.state = QLabel()
        self.state.setObjectName("xeroState")
        self.detail = QLabel()
        self.detail.setObjectName("xeroMuted")
        self.detail.setWordWrap(True)
        self.mapping = QLabel()
        self.mapping.setObjectName("xeroMuted")
        self.connect_button = QPushButton("Connect to Xero…")
        self.sync_button = QPushButton("Sync now")
        self.accounts_button = QPushButton("Accounts…")
        self.connect_button.clicked.connect(self.start_connect)
        self.sync_button.clicked.connect(self.start_sync)
        self.accounts_button.clicked.connect(self.edit_accounts)
        text = QVBoxLayout()
        line = QHBoxLayout()
        line.addWidget(self.dot)
        line.addWidget(self.state, 1)
        text.addLayout(line)
        text.addWidget(self.detail)
        text.addWidget(self.mapping)
        buttons = QVBoxLayout()
        for button in (self.sync_button, self.connect_button, self.accounts_button):
            button.setMinimumWidth(150)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout(card)
        row.setContentsMargins(16, 14, 16, 14)
        row.addLayout(text, 1)
        row.addLayout(buttons)
        return card

    def _tiles(self) -> QGridLayout:
        self.waiting = _Tile("Waiting to go")
        self.refused = _Tile("Refused by Xero")
        self.held = _Tile("Held (reconnect)")
        self.sent = _Tile("Sent")
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for column, tile in enumerate((self.waiting, self.refused, self.held, self.sent)):
            grid.addWidget(tile, 0, column)
        return grid

    def _attention_heading(self) -> QHBoxLayout:
        label = QLabel("Needs attention")
        label.setObjectName("sectionHeading")
        self.retry_all_button = QPushButton("Retry all")
        self.retry_all_button.clicked.connect(self.retry_all)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addStretch(1)
        row.addWidget(self.retry_all_button)
        return row

    def _attention_table(self) -> QTableWidget:
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("xeroAttention")
        # Xero's own answer and our notes (held, waiting, a mismatch) in columns of their own.
        self.table.setHorizontalHeaderLabels(["What", "Status", "Xero said", "Note", ""])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setMinimumSectionSize(36)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return self.table

    # ------------------------------------------------------------------ state

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.outbox or changes.patients:
            self.refresh()

    def refresh(self) -> None:
        source = self.source()
        if source.remote:
            (
                BackgroundOp(source.status, parent=self, key="xero-page", reports=(Exception,))
                .success(lambda status: self._show(status, remote=True))
                .failure(self._unreachable)
                .run()
            )
            return
        self.caller.in_background(
            source.status, key="xero-page", title="Xero", parent=self
        ).success(lambda status: self._show(status, remote=False)).run()

    def _unreachable(self, reason: Exception) -> None:
        self.busy.setText(f"The server's Xero queue could not be read: {reason}")

    def _show(self, status: XeroQueueStatus, *, remote: bool) -> None:
        self.status = status
        connection = status.connection
        self.dot.setStyleSheet(f"color: {_DOT_COLOURS[connection.state]};")
        if connection.state is ConnectionState.CONNECTED:
            where = " (sent from the clinic's server)" if remote else ""
            self.state.setText(f"Connected to {connection.tenant_name}{where}")
            self.detail.setText(
                xero_settings.badge_text(status).removeprefix("Xero: ").capitalize()
            )
            self.connect_button.setText("Reconnect…")
        elif connection.state is ConnectionState.NEEDS_RECONNECT:
            self.state.setText("Xero needs reconnecting")
            self.detail.setText(
                connection.message
                or "Xero no longer accepts the connection. Nothing waiting has been lost."
            )
            self.connect_button.setText("Reconnect to Xero…")
        elif remote:
            self.state.setText("Not connected")
            self.detail.setText(
                "Connect once for the whole clinic: the clinic's server keeps the connection "
                "and sends every invoice, payment and refund (an administrator connects)."
            )
            self.connect_button.setText("Connect to Xero…")
        else:
            self.state.setText("Not connected")
            self.detail.setText(
                "Connect once and every invoice, payment and refund goes to Xero by itself."
            )
            self.connect_button.setText("Connect to Xero…")
        self.mapping.setText(
            f"Invoices → account {connection.income_account_code} ({connection.tax_type}), "
            f"dated by {connection.invoice_date_basis.label.lower()}   ·   "
            f"Payments → account {connection.bank_account_code}   ·   "
            f"Unused credit → account {connection.advance_account_code}"
        )
        # The server sends, holds the connection and keeps the account mapping.
        for widget in (self.mapping, self.sync_button, self.accounts_button):
            widget.setHidden(remote)
        connected = connection.state is ConnectionState.CONNECTED
        self.sync_button.setEnabled(connected and self._task is None)
        self.connect_button.setEnabled(self._task is None)
        self.waiting.set(status.waiting)
        self.refused.set(status.parked, "#c5221f")
        self.held.set(status.held, "#b06000")
        self.sent.set(status.counts.get(JobState.DONE, 0))
        self._fill_table(status)

    def _fill_table(self, status: XeroQueueStatus) -> None:
        self.table.setRowCount(0)
        for job in status.attention:
            row = self.table.rowCount()
            self.table.insertRow(row)
            verdict, colour = _VERDICTS.get(job.state, _WAITING)
            for column, text in enumerate((job.label, verdict, job.xero_said, job.note)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 1:
                    item.setForeground(QColor(colour))
                self.table.setItem(row, column, item)
            if job.state in _VERDICTS:  # a waiting one goes when the one it waits for does
                button = QPushButton("Retry")
                button.setObjectName(f"retry-{job.id}")
                button.clicked.connect(lambda _=False, job_id=job.id: self.retry(job_id))
                self.table.setCellWidget(row, 4, _padded(button))
        self.table.resizeRowsToContents()
        has_rows = bool(status.attention)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.retry_all_button.setEnabled(has_rows)

    # ------------------------------------------------------------------ actions

    def _publish(self, changes: Changes) -> None:
        self.caller.publish(changes)
        self.changed.emit(changes)

    def retry(self, job_id: uuid.UUID) -> None:
        self._retry([job_id])

    def retry_all(self) -> None:
        if self.status is not None:
            self._retry([job.id for job in self.status.attention])

    def _retry(self, job_ids: list[uuid.UUID]) -> None:
        source = self.source()
        if source.remote:
            BackgroundOp(
                lambda: [source.retry(job_id) for job_id in job_ids],
                parent=self,
                reports=(Exception,),
            ).success(lambda _: self._retried()).failure(self._retry_failed).run()
            return

        # One at a time, in the background; what was retried before a refusal stays retried.
        def retry_each() -> None:
            for job_id in job_ids:
                source.retry(job_id)

        self.caller.in_background(
            retry_each, title="Xero", on_error=lambda _exc: self._retried(), parent=self
        ).success(lambda _none: self._retried()).run()

    def _retried(self) -> None:
        self._publish(Changes(outbox=True))
        self.refresh()

    def _retry_failed(self, reason: Exception) -> None:
        self.busy.setText(str(reason) or type(reason).__name__)
        self.refresh()

    def edit_accounts(self) -> None:
        """Read the chart from Xero (off the GUI thread), then show the dialog."""
        if self.status is None or self._task is not None:
            return
        connected = self.status.connection.state is ConnectionState.CONNECTED
        if not connected:
            self.open_accounts_dialog([], "Connect to Xero to choose from its chart of accounts.")
            return
        self.busy.setText("Reading the chart of accounts from Xero…")
        self._chart_task = (
            BackgroundOp(self.xero_actions.chart, parent=self, reports=(Exception,))
            .success(self.open_accounts_dialog)
            .failure(
                lambda exc: self.open_accounts_dialog(
                    [], f"Xero's chart could not be read ({exc}); the saved codes are kept."
                )
            )
            .run()
        )

    def open_accounts_dialog(self, chart: list[ChartAccount], note: str = "") -> None:
        self.busy.setText("")
        if self.status is None:
            return
        dialog = AccountMappingDialog(self.status.connection, chart, self, chart_note=note)
        dialog.accepted.connect(
            lambda: self.save_accounts(
                dialog.income.text(),
                dialog.bank.text(),
                dialog.tax_type.text(),
                advance=dialog.advance_code(),
                date_basis=dialog.date_basis(),
            )
        )
        self.accounts_dialog = dialog
        dialog.open()

    def save_accounts(
        self,
        income: str,
        bank: str,
        tax_type: str,
        *,
        advance: str | None = None,
        date_basis: InvoiceDateBasis | None = None,
    ) -> None:
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: xero_settings.set_account_mapping(
                ctx,
                income_account_code=income,
                bank_account_code=bank,
                tax_type=tax_type,
                advance_account_code=advance,
                invoice_date_basis=date_basis,
            ),
            title="Xero accounts",
            parent=self,
        ).success(self._accounts_saved).run()

    def _accounts_saved(self, changes: Changes) -> None:
        self._publish(changes)
        self.refresh()

    def start_connect(self) -> None:
        work: Callable[[], object] = self.xero_actions.connect
        source = self.source()
        if isinstance(source, ServerXeroQueue):  # the tokens go to the server's sender
            from desktop.xero.endpoints import client_id_from_environment

            client_id = client_id_from_environment() or (
                self.status.connection.client_id if self.status else ""
            )
            work = partial(source.connect, client_id)
        self._start(work, "Waiting for Xero's sign-in page in your browser…")

    def start_sync(self) -> None:
        self._start(self.xero_actions.sync_now, "Sending to Xero…")

    def _start(self, work: Callable[[], object], message: str) -> None:
        if self._task is not None:
            return
        # Any failure is told in the page's busy line, in a sentence (no message box).
        task = BackgroundOp(work, parent=self, reports=(Exception,))
        self._task = task.success(self._finished).failure(self._failed)
        self.busy.setText(message)
        self.refresh()
        task.run()

    def _finished(self, result: object) -> None:
        self._task = None
        if isinstance(result, DrainReport):
            self.busy.setText(
                f"Sent {result.delivered}, refused {result.parked}, "
                f"retrying later {result.retrying}."
            )
        else:
            self.busy.setText("Connected.")
        self._publish(Changes(billing=True, outbox=True))
        self.refresh()

    def _failed(self, reason: Exception) -> None:
        self._task = None
        self.busy.setText(str(reason) or type(reason).__name__)
        self.refresh()
