"""A patient's credit as tables: what is left of each package or credit, and each use."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.domain.credit import Application, LotSummary
from desktop.ui.models.rows import RecordTableModel

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class LotTableModel(RecordTableModel[LotSummary]):
    headers = ("Credit", "From", "Left", "Expires")

    def cell(self, summary: LotSummary, column: int, role: int) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        lot = summary.lot
        if lot.sessions is not None:
            left = f"{lot.sessions_left} of {lot.sessions} sessions ({lot.remaining})"
        else:
            left = f"{lot.remaining} of {lot.amount}"
        expires = f"{lot.expires_on:%d/%m/%Y}" if lot.expires_on else "never"
        if summary.expired:
            expires += " (expired)"
        values = (f"{lot.number} {lot.description}", lot.source.label, left, expires)
        return values[column] if 0 <= column < len(values) else None


class CreditUseModel(RecordTableModel[Application]):
    headers = ("Date", "Invoice", "Session", "Amount", "")

    def cell(self, use: Application, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return _RIGHT
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        session = use.type_name
        if use.service_date is not None:
            session = f"{use.type_name} {use.service_date:%d/%m/%Y}"
        values = (
            f"{use.applied_on:%d/%m/%Y}",
            use.invoice_number,
            session,
            str(use.amount),
            "" if use.live else "given back",
        )
        return values[column] if 0 <= column < len(values) else None
