"""Frontdesk and Xero compared per patient: every difference and a suggested fix.

The view is given the check to run (`desktop.xero.reconcile.reconcile_with_xero`
bound to the clinic's connection) so it stays free of Xero plumbing; "Check now"
runs it in the background through the ServiceCaller (it makes HTTP calls that
can take a minute), so the window stays live and a failure is a message, not a
crash; Xero being unreachable is said in the summary line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.reconcile import Reconciliation
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.service_caller import ServiceCaller
from desktop.xero.errors import XeroError


class ReconciliationView(QWidget):
    def __init__(
        self,
        caller: ServiceCaller,
        check: Callable[[], Reconciliation],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.check = check
        self.result: Reconciliation | None = None
        self.summary = QLabel("Compare Frontdesk with Xero, patient by patient.")
        self.summary.setObjectName("reconcileSummary")
        self.run_button = QPushButton("Check now")
        self.run_button.setObjectName("reconcileRun")
        self.run_button.clicked.connect(self.run)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("reconcileDifferences")
        self.table.setHorizontalHeaderLabels(["Patient", "Document", "Frontdesk", "Xero", "Fix"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def run(self) -> BackgroundOp[Reconciliation]:
        self.run_button.setEnabled(False)
        self.summary.setText("Asking Xero…")
        return (
            self.caller.in_background(
                self.check,
                title="Compare with Xero",
                refresh_on_refusal=False,
                on_error=self._failed,
                reports=(XeroError,),
            )
            .success(self.show_result)
            .run()
        )

    def _failed(self, exc: Exception) -> None:
        self.run_button.setEnabled(True)
        if isinstance(exc, XeroError):
            self.summary.setText(f"Xero could not be asked: {exc}")
        else:
            self.summary.setText("Compare Frontdesk with Xero, patient by patient.")

    def show_result(self, result: Reconciliation) -> None:
        self.result = result
        self.run_button.setEnabled(True)
        if result.clean:
            self.summary.setText(
                f"Frontdesk and Xero agree ({result.documents} documents, "
                f"{result.patients} patients)."
            )
        else:
            self.summary.setText(
                f"{len(result.differences)} difference(s) in {result.documents} documents."
            )
        self.table.setRowCount(len(result.differences))
        for row, difference in enumerate(result.differences):
            fix = difference.fix
            if difference.pending:
                fix = f"(Xero jobs still waiting) {fix}"
            values = (difference.patient, difference.document, difference.frontdesk,
                      difference.xero, fix)  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
