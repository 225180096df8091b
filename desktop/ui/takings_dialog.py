"""File ▸ Day's takings…: what came in and went out, for the desk's close.

A day (or a range) at the top; the figures by payment method and by practitioner
below, with the cash the drawer should hold and the invoices still owing. The
figures load in the background whenever the dates change (newest wins), and
Save PDF… / Save CSV… write the figures on screen in the background too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.changes import Changes
from desktop.services.takings import Takings, TakingsRow, day_takings
from desktop.ui import operations
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.export_actions import ExportQuestions, _day, date_edit
from desktop.ui.service_caller import ServiceCaller

COLUMNS = ("", "Received", "Refunded", "Credit sold", "Net")


class TakingsDialog(QDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        day: date,
        parent: QWidget | None = None,
        questions: ExportQuestions | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.questions = questions or ExportQuestions()
        self.takings: Takings | None = None
        self.setWindowTitle("Day's takings")
        self.first = date_edit(day)
        self.last = date_edit(day)
        self.summary = QLabel("Loading…")
        self.summary.setObjectName("takingsSummary")
        self.summary.setWordWrap(True)
        self.methods = self._table("Method")
        self.people = self._table("Practitioner")
        self.pdf_button = QPushButton("Save PDF…")
        self.csv_button = QPushButton("Save CSV…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.csv_button.clicked.connect(self.save_csv)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        dates = QHBoxLayout()
        for label, edit in (("From", self.first), ("to", self.last)):
            dates.addWidget(QLabel(label))
            dates.addWidget(edit)
        dates.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(dates)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("<b>By payment method</b>"))
        layout.addWidget(self.methods)
        layout.addWidget(QLabel("<b>By practitioner</b>"))
        layout.addWidget(self.people, 1)
        layout.addLayout(buttons)
        self.resize(760, 560)
        self.first.dateChanged.connect(self._first_changed)
        self.last.dateChanged.connect(lambda _d: self.load())
        # A payment taken while the window is open shows up in it.
        caller.bus.changed.connect(self._changed)
        self.load()

    def _table(self, first: str) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels([first, *COLUMNS[1:]])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            # Same widths in both tables, so their figures line up one above the other.
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(column, 120)
        return table

    def _first_changed(self, value: QDate) -> None:
        # A later start than the end moves the end with it: one day is the usual ask.
        if self.last.date() < value:
            self.last.setDate(value)  # which loads
        else:
            self.load()

    def _changed(self, changes: Changes) -> None:
        if changes.billing:
            self.load()

    def period(self) -> tuple[date, date]:
        return _day(self.first.date()), _day(self.last.date())

    def load(self) -> BackgroundOp[Takings]:
        first, last = self.period()
        self._set_saving_enabled(False)
        self.summary.setText("Loading…")
        ctx = self.caller.ctx
        return (
            self.caller.in_background(
                lambda: day_takings(ctx, first, last),
                key=f"takings-{id(self)}",
                title="Day's takings",
                refresh_on_refusal=False,
            )
            .success(self.show_takings)
            .run()
        )

    def show_takings(self, takings: Takings) -> None:
        self.takings = takings
        _fill(self.methods, [*takings.by_method, takings.total])
        self.methods.setFixedHeight(
            self.methods.horizontalHeader().height()
            + sum(self.methods.rowHeight(r) for r in range(self.methods.rowCount()))
            + 2 * self.methods.frameWidth()
        )
        _fill(self.people, list(takings.by_practitioner))
        whose = f" ({takings.only_practitioner} only)" if takings.only_practitioner else ""
        self.summary.setText(
            f"<b>{takings.period}</b>{whose}<br>"
            f"Cash the drawer should hold: <b>{takings.drawer_cash}</b> "
            "(cash in, less cash refunds; the float is extra)<br>"
            f"Invoices still owing for these days: <b>{takings.owing_count}</b>, "
            f"{takings.owing_total} in all"
        )
        self._set_saving_enabled(True)

    def _set_saving_enabled(self, enabled: bool) -> None:
        self.pdf_button.setEnabled(enabled)
        self.csv_button.setEnabled(enabled)

    # --- saving -----------------------------------------------------------------------

    # The writers load reportlab: imported when saving, not when the window opens.

    def save_pdf(self) -> Path | None:
        from desktop.services.takings_files import write_takings_pdf

        return self._save("PDF files (*.pdf)", "pdf", write_takings_pdf)

    def save_csv(self) -> Path | None:
        from desktop.services.takings_files import write_takings_csv

        return self._save("CSV files (*.csv)", "csv", write_takings_csv)

    def _save(
        self, kind: str, suffix: str, write: Callable[[Takings, Path], object]
    ) -> Path | None:
        takings = self.takings
        if takings is None:
            return None
        name = f"takings-{takings.first_day:%Y-%m-%d}"
        if takings.last_day != takings.first_day:
            name += f"-to-{takings.last_day:%Y-%m-%d}"
        out = self.questions.save_path(self, "Save the takings", f"{name}.{suffix}", kind)
        if out is None:
            return None

        def failed(exc: Exception) -> None:
            if isinstance(exc, OSError):  # a full disk or a locked file is not a crash
                reason = exc.strerror or str(exc)
                operations.show_error(self, "Day's takings", f"Could not write {out}: {reason}")

        def written(_result: object) -> None:
            self.summary.setText(f"{self.summary.text()}<br>Saved to {out}")

        BackgroundOp(
            lambda: write(takings, out), parent=self, title="Day's takings", reports=(OSError,)
        ).success(written).failure(failed).run()
        return out


def _fill(table: QTableWidget, rows: list[TakingsRow]) -> None:
    table.setRowCount(len(rows))
    for index, row in enumerate(rows):
        cells = [row.label, row.received, row.refunded, row.credit_sold, row.net]
        for column, value in enumerate(cells):
            item = QTableWidgetItem(str(value))
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.label == "Total":
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(index, column, item)
