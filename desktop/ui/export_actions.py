"""Menu and toolbar actions for exports: day sheet (save or print), .ics and CSV.

The main window owns one `ExportActions` and adds its actions where it likes::

    exports = ExportActions(window, ctx, current_day=lambda: window.period.day,
                            current_practitioner=window.selected_practitioner_id)
    file_menu.addActions(exports.actions())
    exports.finished.connect(window.statusBar().showMessage)

Each action asks what it needs (a date range, a practitioner, where to save), runs
the export service as a background operation (so the window stays live while a
month of appointments is written; rule refusals and expired sessions are
handled like every other call) and reports the file once it is written.
"Print day sheet" writes the PDF to a private folder and opens it in the
system's PDF viewer, whose print dialog knows the clinic's printers; only the
latest printed sheet is kept there, because it holds patient information.

The questions are a replaceable `ExportQuestions`, so tests answer them instead
of opening modal dialogs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import platformdirs
from PySide6.QtCore import QDate, QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Practitioner
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.ui import operations
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.icons import icon
from desktop.ui.shortcuts import keys_of
from desktop.ui.widgets.combo import select_data

ICS_WEEKS = 12


@dataclass(frozen=True, slots=True)
class RangeQuestion:
    title: str
    first: date
    last: date
    practitioners: list[Practitioner] | None = None  # None: no practitioner to choose
    practitioner_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RangeAnswer:
    first: date
    last: date
    practitioner_id: uuid.UUID | None = None


def ask_save_path(parent: QWidget | None, title: str, suggested: str, kind: str) -> Path | None:
    """A save-file dialog; `kind` is a filter such as "PDF files (*.pdf)"."""
    folder = Path(platformdirs.user_documents_dir())
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(folder / suggested), kind)
    return Path(chosen) if chosen else None


def ask_range(parent: QWidget | None, question: RangeQuestion) -> RangeAnswer | None:
    dialog = ExportRangeDialog(question, parent)
    return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None


def open_with_system(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


@dataclass
class ExportQuestions:
    """How an export asks the user; tests put answers here instead."""

    save_path: Callable[[QWidget | None, str, str, str], Path | None] = ask_save_path
    date_range: Callable[[QWidget | None, RangeQuestion], RangeAnswer | None] = ask_range
    open_file: Callable[[Path], None] = open_with_system


class ExportActions(QObject):
    """The export actions of one window.

    Signals:
        finished(str): a sentence for the status bar after a file was written.
    """

    finished = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        ctx: ServiceContext,
        current_day: Callable[[], date],
        current_practitioner: Callable[[], uuid.UUID | None] = lambda: None,
        questions: ExportQuestions | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = parent
        self.ctx = ctx
        self.current_day = current_day
        self.current_practitioner = current_practitioner
        self.questions = questions or ExportQuestions()
        self.day_sheet_action = self._action(
            self.tr("Save day sheet as PDF…"), "export", self.save_day_sheet
        )
        self.print_action = self._action(self.tr("Print day sheet…"), "print", self.print_day_sheet)
        self.print_action.setShortcuts(list(keys_of("print_day_sheet")))
        self.ics_action = self._action(
            self.tr("Export practitioner calendar (.ics)…"), "export", self.save_ics
        )
        self.csv_action = self._action(
            self.tr("Export appointments (CSV)…"), "export", self.save_csv
        )

    def _action(self, text: str, icon_name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def actions(self) -> list[QAction]:
        return [self.print_action, self.day_sheet_action, self.ics_action, self.csv_action]

    # --- the exports ------------------------------------------------------------------

    # Each returns the file it is writing (None when the user cancelled; the .ics export
    # asks only once the practitioners are read); `finished` says when it is written.

    def save_day_sheet(self) -> Path | None:
        from desktop.services import exports  # PDF, calendar and CSV writers: first use

        day = self.current_day()
        out = self.questions.save_path(
            self.window,
            self.tr("Save day sheet"),
            f"day-sheet-{day:%Y-%m-%d}.pdf",
            self.tr("PDF files (*.pdf)"),
        )
        if out is None:
            return None
        return self._write(
            out,
            lambda: exports.write_day_sheet(self.ctx, day, out),
            self.tr("Saved the day sheet to {path}"),
        )

    def print_day_sheet(self) -> Path | None:
        from desktop.services import exports  # PDF, calendar and CSV writers: first use

        day = self.current_day()
        folder = Path(platformdirs.user_cache_dir("Frontdesk", appauthor=False)) / "print"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("day-sheet-*.pdf"):
            old.unlink(missing_ok=True)  # yesterday's patient list should not linger
        out = folder / f"day-sheet-{day:%Y-%m-%d}.pdf"
        return self._write(
            out,
            lambda: exports.write_day_sheet(self.ctx, day, out),
            self.tr("Saved the day sheet to {path}"),
            then=self.questions.open_file,
        )

    def save_ics(self) -> None:
        """Read whose calendars there are (in the background), then ask and write."""
        ctx = self.ctx
        BackgroundOp(
            lambda: calendar.practitioners(ctx),
            parent=self.window,
            key=f"ics-practitioners-{id(self)}",
            title=self.tr("Export"),
        ).success(self._ask_ics).run()

    def _ask_ics(self, choices: list[Practitioner]) -> None:
        from desktop.services import exports  # PDF, calendar and CSV writers: first use

        if not choices:
            return
        day = self.current_day()
        question = RangeQuestion(
            self.tr("Export a practitioner's calendar"),
            day,
            day + timedelta(weeks=ICS_WEEKS),
            choices,
            self.current_practitioner() or choices[0].id,
        )
        answer = self.questions.date_range(self.window, question)
        if answer is None or answer.practitioner_id is None:
            return
        chosen = next(p for p in choices if p.id == answer.practitioner_id)
        slug = "-".join(chosen.name.lower().split())
        out = self.questions.save_path(
            self.window,
            self.tr("Save calendar"),
            f"{slug}-{answer.first:%Y-%m-%d}.ics",
            self.tr("Calendar files (*.ics)"),
        )
        if out is None:
            return
        pid = answer.practitioner_id
        self._write(
            out,
            lambda: exports.write_practitioner_ics(self.ctx, pid, answer.first, answer.last, out),
            self.tr("Saved the calendar of {name} to {path}").replace("{name}", chosen.name),
        )

    def save_csv(self) -> Path | None:
        from desktop.services import exports  # PDF, calendar and CSV writers: first use

        day = self.current_day()
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        answer = self.questions.date_range(
            self.window, RangeQuestion(self.tr("Export appointments"), first, last)
        )
        if answer is None:
            return None
        out = self.questions.save_path(
            self.window,
            self.tr("Save appointments"),
            f"appointments-{answer.first:%Y-%m-%d}-to-{answer.last:%Y-%m-%d}.csv",
            self.tr("CSV files (*.csv)"),
        )
        if out is None:
            return None
        return self._write(
            out,
            lambda: exports.write_appointments_csv(self.ctx, answer.first, answer.last, out),
            self.tr("Saved the appointments to {path}"),
        )

    def _write(
        self,
        out: Path,
        export: Callable[[], object],
        done: str,
        then: Callable[[Path], None] | None = None,
    ) -> Path:
        """Start writing `out` in the background; `done` is the status message, with
        {path} for the file, and `then` is called with the file once it is written."""
        title = self.tr("Export")

        def failed(exc: Exception) -> None:
            if isinstance(exc, OSError):  # a full disk or a locked file is not a crash
                reason = exc.strerror or str(exc)
                message = self.tr("Could not write {path}: {reason}")
                operations.show_error(self.window, title, message.format(path=out, reason=reason))

        def written(_result: object) -> None:
            self.finished.emit(done.replace("{path}", str(out)))
            if then is not None:
                then(out)

        BackgroundOp(export, parent=self.window, title=title, reports=(OSError,)).success(
            written
        ).failure(failed).run()
        return out


class ExportRangeDialog(QDialog):
    """From and to dates, and a practitioner when the export is for one."""

    def __init__(self, question: RangeQuestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(question.title)
        self.setMinimumWidth(380)
        form = QFormLayout()
        self.practitioner = QComboBox()
        if question.practitioners is not None:
            for practitioner in question.practitioners:
                self.practitioner.addItem(practitioner.name, practitioner.id)
            select_data(self.practitioner, question.practitioner_id)
            self.practitioner.currentIndexChanged.connect(self._check)
            form.addRow(self.tr("Practitioner"), self.practitioner)
        self.first = date_edit(question.first)
        self.last = date_edit(question.last)
        form.addRow(self.tr("From"), self.first)
        form.addRow(self.tr("To"), self.last)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b42318;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export…"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.first.dateChanged.connect(self._check)
        self.last.dateChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        backwards = self.last.date() < self.first.date()
        unchosen = self.practitioner.count() > 0 and self.practitioner.currentIndex() < 0
        if backwards:
            problem = self.tr("The end date is before the start date.")
        elif unchosen:
            problem = self.tr("Choose the practitioner.")
        else:
            problem = ""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def answer(self) -> RangeAnswer:
        practitioner = self.practitioner.currentData() if self.practitioner.count() else None
        return RangeAnswer(_day(self.first.date()), _day(self.last.date()), practitioner)


def date_edit(day: date) -> QDateEdit:
    """A date field with a calendar pop-up, showing the weekday."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy")
    return edit


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
