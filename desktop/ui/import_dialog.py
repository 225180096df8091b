"""File ▸ Import…: patients or appointments from another system's CSV export.

Choose the file and what it holds; the *Columns* table shows each column of the
file with an example value and, in a dropdown, the field it fills (recognised
columns are filled in, the rest can be chosen by hand or ignored). *Preview*
runs the import as a dry run and lists every row as created, skipped or refused;
*Import* then writes exactly what was previewed, in one transaction. Changing the
file, a column or "skip bad rows" asks for a new preview first, so nothing is
imported that the user has not seen.

Reading the file, the preview and the import run in the background
(`ServiceCaller.in_background`): a large export takes seconds to check, and the
window stays live meanwhile. A newer read or preview supersedes an older one, and
a preview that finishes after the user changed a column is dropped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.csv_import import FIELDS, ColumnMapping, ImportKind
from desktop.services.importing import ImportReport, ImportSource, Outcome, read_source, run_import
from desktop.ui.background_ops import runner
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.combo import select_data

IGNORE = ""  # the dropdown's "ignore this column" choice
_OUTCOME_COLOURS = {
    Outcome.CREATED: "#1e7b34",
    Outcome.SKIPPED: "#6b6b6b",
    Outcome.REFUSED: "#b3261e",
}
_KIND_NAMES = {ImportKind.PATIENTS: "Patients", ImportKind.APPOINTMENTS: "Appointments"}


def ask_open_path(parent: QWidget | None) -> Path | None:
    """The file to import (module level, so tests choose it instead of a file dialog)."""
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Import a CSV file", "", "CSV files (*.csv *.txt);;All files (*)"
    )
    return Path(chosen) if chosen else None


def _grid(name: str, headings: list[str]) -> QTableWidget:
    grid = QTableWidget(0, len(headings))
    grid.setObjectName(name)
    grid.setHorizontalHeaderLabels(headings)
    grid.verticalHeader().setVisible(False)
    grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    grid.horizontalHeader().setStretchLastSection(True)
    return grid


class ImportDialog(QDialog):
    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import from another system")
        self.caller = caller
        self.source: ImportSource | None = None
        self.previewed: ImportReport | None = None
        self.imported: ImportReport | None = None
        self.working = False  # a read, preview or import is on its way

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("A CSV export from Cliniko or a similar system")
        self.choose = QPushButton("&Choose file…")
        self.choose.clicked.connect(self.choose_file)
        self.kind = QComboBox()
        self.kind.setObjectName("importKind")
        for kind, name in _KIND_NAMES.items():
            self.kind.addItem(name, kind.value)
        self.kind.currentIndexChanged.connect(self._reload)
        top = QHBoxLayout()
        file_label = QLabel("&File")
        file_label.setBuddy(self.choose)
        top.addWidget(file_label)
        top.addWidget(self.path, 1)
        top.addWidget(self.choose)
        top.addSpacing(12)
        holds = QLabel("&Holds")
        holds.setBuddy(self.kind)
        top.addWidget(holds)
        top.addWidget(self.kind)

        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a5300;")
        self.note.hide()

        self.columns = _grid("importColumns", ["Column in the file", "Example", "Fills"])
        self.columns.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.columns.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.columns.horizontalHeader().setStretchLastSection(False)
        self.columns.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.ResizeToContents
        )
        self.rows = _grid("importPreview", ["Line", "Result", "Row", "Why"])
        for column in (0, 1, 2):
            self.rows.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.summary = QLabel("Choose a file, check its columns, then Preview.")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: 600;")

        column_box = QGroupBox("Columns")
        QVBoxLayout(column_box).addWidget(self.columns)
        preview_box = QGroupBox("Preview")
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.summary)
        preview_layout.addWidget(self.rows)
        split = QSplitter()
        split.addWidget(column_box)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        self.skip_bad_rows = QCheckBox("&Skip bad rows (import the rest, leave refused rows out)")
        self.skip_bad_rows.toggled.connect(self._forget_preview)
        self.preview_button = QPushButton("&Preview")
        self.preview_button.clicked.connect(self.preview)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.run)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_bad_rows, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1100, 620)
        self._update_buttons()

    # --- the file and its columns -------------------------------------------------

    @property
    def chosen_kind(self) -> ImportKind:
        return ImportKind(self.kind.currentData())

    def choose_file(self) -> None:
        path = ask_open_path(self)
        if path is not None:
            self.load(path)

    def load(self, path: Path) -> None:
        self.path.setText(str(path))
        self._reload()

    def _reload(self) -> None:
        self.source = None
        self.imported = None
        self._forget_preview()
        self._show_columns()
        if not self.path.text():
            return
        path, kind = Path(self.path.text()), self.chosen_kind
        self._busy("Reading the file…")
        self.caller.in_background(
            lambda: read_source(path, kind),
            key=self._key("read"),
            title="Import",
            refresh_on_refusal=False,
            on_error=self._failed,
        ).success(self._read).run()

    def _read(self, source: ImportSource) -> None:
        self.source = source
        self._show_columns()
        self._idle("Check the columns, then Preview.")

    def _show_columns(self) -> None:
        self.columns.setRowCount(0)
        source = self.source
        self.note.setText(source.note if source else "")
        self.note.setVisible(bool(source and source.note))
        if source is None:
            return
        first = source.table.rows[0].cells if source.table.rows else ()
        self.columns.setRowCount(len(source.mapping.headers))
        for index, (header, key) in enumerate(
            zip(source.mapping.headers, source.mapping.fields, strict=True)
        ):
            self.columns.setItem(index, 0, QTableWidgetItem(header or f"(column {index + 1})"))
            example = first[index] if index < len(first) else ""
            self.columns.setItem(index, 1, QTableWidgetItem(example.replace("\n", " ")))
            self.columns.setCellWidget(index, 2, self._field_picker(key))

    def _field_picker(self, key: str | None) -> QComboBox:
        picker = QComboBox()
        picker.addItem("— ignore —", IGNORE)
        for item in FIELDS[self.chosen_kind]:
            picker.addItem(item.label, item.key)
        select_data(picker, key or IGNORE)
        picker.currentIndexChanged.connect(self._forget_preview)
        return picker

    def picker(self, column: int) -> QComboBox:
        widget = self.columns.cellWidget(column, 2)
        assert isinstance(widget, QComboBox)
        return widget

    def mapping(self) -> ColumnMapping | None:
        """The columns as the user has them now (dropdowns included)."""
        if self.source is None:
            return None
        headers = self.source.mapping.headers
        fields = tuple(self.picker(i).currentData() or None for i in range(len(headers)))
        return ColumnMapping(self.chosen_kind, headers, fields)

    # --- preview and import -------------------------------------------------------

    def preview(self) -> None:
        """Check every row (a dry run); the result is shown when it arrives."""
        self._start(dry_run=True, doing="Checking every row…")

    def run(self) -> None:
        """Import what the preview showed."""
        if self.previewed is not None:
            self._start(dry_run=False, doing="Importing…")

    def _start(self, *, dry_run: bool, doing: str) -> None:
        source, mapping, skip = self.source, self.mapping(), self.skip_bad_rows.isChecked()
        if source is None or mapping is None:
            return
        ctx = self.caller.ctx
        self._busy(doing)
        if not dry_run:
            for control in self._inputs():
                control.setEnabled(False)  # what is being imported stays as shown
        self.caller.in_background(
            lambda: run_import(ctx, source, mapping, dry_run=dry_run, skip_bad_rows=skip),
            key=self._key("preview") if dry_run else None,  # an import is never superseded
            title="Import",
            refresh_on_refusal=False,
            on_error=self._failed,
        ).success(self._finished).run()

    def _inputs(self) -> list[QWidget]:
        return [self.choose, self.kind, self.columns, self.skip_bad_rows]

    def _finished(self, report: ImportReport) -> None:
        self.working = False
        for control in self._inputs():
            control.setEnabled(True)
        if report.dry_run:
            self.previewed, self.imported = report, None
        else:
            self.imported, self.previewed = report, None
            self.caller.publish(report.changes)
        self._show_report(report)

    def _key(self, what: str) -> str:
        return f"import-{what}-{id(self)}"

    def _busy(self, doing: str) -> None:
        self.working = True
        self.summary.setText(doing)
        self._update_buttons()

    def _idle(self, text: str) -> None:
        self.working = False
        self.summary.setText(text)
        self._update_buttons()

    def _failed(self, _exc: Exception) -> None:
        for control in self._inputs():
            control.setEnabled(True)
        self._idle("")  # the message box has said why

    def _forget_preview(self) -> None:
        runner().cancel(self._key("preview"))  # a preview of other columns is of no use now
        self.working = False
        self.previewed = None
        self.rows.setRowCount(0)
        if self.imported is None:
            self.summary.setText("Check the columns, then Preview." if self.source else "")
        self._update_buttons()

    def _show_report(self, report: ImportReport) -> None:
        self.rows.setRowCount(len(report.rows))
        for index, row in enumerate(report.rows):
            result = QTableWidgetItem(report.verb(row).capitalize())
            result.setForeground(QColor(_OUTCOME_COLOURS[row.outcome]))
            cells = [QTableWidgetItem(str(row.row)), result]
            cells += [QTableWidgetItem(row.summary), QTableWidgetItem(row.reason)]
            for column, cell in enumerate(cells):
                cell.setToolTip(row.reason or row.summary)
                self.rows.setItem(index, column, cell)
        self.rows.resizeRowsToContents()
        text = report.headline()
        if report.refused and not report.imported and not self.skip_bad_rows.isChecked():
            text += " " + report.blocked_message("tick “Skip bad rows”")
        elif not report.dry_run and report.imported:
            text += " Done."
        self.summary.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.preview_button.setEnabled(self.source is not None and not self.working)
        report = self.previewed
        self.import_button.setEnabled(
            report is not None
            and not self.working
            and report.count(Outcome.CREATED) > 0
            and (not report.refused or self.skip_bad_rows.isChecked())
        )
