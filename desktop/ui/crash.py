"""What happens when code fails with an exception nobody caught: log it, say so, keep going.

PySide6 hands an exception raised in a slot or an event handler to
`sys.excepthook` and then carries on with the event loop, so the app can usually
keep running. `install_crash_handler` puts a `CrashHandler` there (and on
`threading.excepthook`). It

* writes the traceback to the log (through the patient-data filter);
* shows a readable dialog — what happened, that Frontdesk is still running, where
  the log is, "Copy diagnostics" for support — once per distinct failure: a
  broken paint handler fails on every repaint, and one dialog is enough;
* never stacks dialogs (failures while one is open are only logged) and moves
  failures from worker threads to the GUI thread before showing anything;
* before a QApplication exists, prints the traceback as Python normally would.

The dialog is a replaceable function (`CrashHandler.show`, or the `show` argument
of `install_crash_handler`), so tests capture reports instead of opening a modal
dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, QThread, QUrl, Signal, qVersion
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.logs import REDACTOR, current_log_file, diagnostics_text

log = logging.getLogger(__name__)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@dataclass(frozen=True, slots=True)
class CrashReport:
    summary: str  # "ValueError: …", as the user may read it
    details: str  # the full traceback
    log_path: Path
    database_url: str | None = None

    def diagnostics(self) -> str:
        """For support: versions, database kind, log tail and the traceback, patient data masked."""
        text = diagnostics_text(self.database_url, qt_version=qVersion())
        return f"{text}\n--- the error ---\n{REDACTOR.redact(self.details)}"


ShowCrash = Callable[[CrashReport], None]


def show_crash_dialog(report: CrashReport) -> None:
    """The default: a modal dialog over the active window."""
    dialog = CrashDialog(report, QApplication.activeWindow())
    dialog.exec()


class _Relay(QObject):
    """Carries a failure from a worker thread to the GUI thread.

    Signals:
        failed(object): the exc_info tuple of an exception raised off the GUI thread.
    """

    failed = Signal(object)


class CrashHandler:
    """The `sys.excepthook` of the running app (see the module docstring)."""

    def __init__(self, show: ShowCrash = show_crash_dialog, database_url: str | None = None):
        self.show = show
        self.database_url = database_url
        self.failures = 0
        self._shown: set[tuple[str, str, int]] = set()
        self._showing = False
        self._relay = _Relay()
        self._relay.failed.connect(self._on_gui_thread)

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt | SystemExit):
            sys.__excepthook__(kind, error, tb)
            return
        self.failures += 1
        log.critical("Unhandled %s", kind.__name__, exc_info=(kind, error, tb))
        app = QCoreApplication.instance()
        if not isinstance(app, QApplication):
            sys.__excepthook__(kind, error, tb)  # no GUI (yet): the terminal is all there is
        elif QThread.currentThread() is not app.thread():
            self._relay.failed.emit((kind, error, tb))
        else:
            self._on_gui_thread((kind, error, tb))

    def from_thread(self, args: threading.ExceptHookArgs) -> None:
        """`threading.excepthook`: a `threading.Thread` that died of an exception."""
        if args.exc_value is not None:
            self(args.exc_type, args.exc_value, args.exc_traceback)

    def _on_gui_thread(self, exc_info: ExcInfo) -> None:
        kind, error, tb = exc_info
        where = _innermost(tb)
        key = (kind.__name__, *where)
        if self._showing or key in self._shown:
            return  # already on screen, or already told: the log has every occurrence
        self._shown.add(key)
        self._showing = True
        try:
            self.show(self._report(kind, error, tb))
        except Exception:  # the dialog failing must not become a crash loop
            log.exception("Could not show the crash dialog")
        finally:
            self._showing = False

    def _report(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> CrashReport:
        summary = "".join(traceback.format_exception_only(kind, error)).strip()
        details = "".join(traceback.format_exception(kind, error, tb))
        return CrashReport(summary, details, current_log_file(), self.database_url)


def _innermost(tb: TracebackType | None) -> tuple[str, int]:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ("", 0)
    return (tb.tb_frame.f_code.co_filename, tb.tb_lineno)


def install_crash_handler(
    database_url: str | None = None, show: ShowCrash | None = None
) -> CrashHandler:
    """Make unhandled exceptions (GUI thread and worker threads) go to a `CrashHandler`."""
    handler = CrashHandler(show or show_crash_dialog, database_url)
    sys.excepthook = handler
    threading.excepthook = handler.from_thread
    return handler


class CrashDialog(QDialog):
    """Says what failed, that the app is still running, and how to get help."""

    def __init__(self, report: CrashReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(self.tr("Frontdesk — something went wrong"))
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(self._heading())
        happened = self.tr("What happened: {error}").format(error=f"<b>{_html(report.summary)}</b>")
        where = self.tr("The log is at {path}.").format(
            path=f"<code>{_html(str(report.log_path))}</code>"
        )
        help_text = self.tr(
            "If this keeps happening, restart Frontdesk and send the diagnostics to support."
        )
        layout.addWidget(self._label(happened))
        layout.addWidget(self._label(f"{where} {help_text}"))
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(180)
        self.details.hide()
        layout.addWidget(self.details)
        layout.addLayout(self._buttons())
        self.continue_button.setFocus()

    def _heading(self) -> QHBoxLayout:
        # Named here, not at the top: naming QStyle builds its hundreds of enum members
        # (5 ms), and this module loads before the sign-in dialog.
        from PySide6.QtWidgets import QStyle

        row = QHBoxLayout()
        symbol = QLabel()
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        symbol.setPixmap(warning.pixmap(40, 40))
        row.addWidget(symbol)
        text = QLabel(
            "<b>"
            + self.tr("Something went wrong, but Frontdesk is still running.")
            + "</b><br>"
            + self.tr(
                "What you were doing last may not have been saved. "
                "Check it on the calendar before carrying on."
            )
        )
        text.setWordWrap(True)
        font = QFont(text.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        text.setFont(font)
        row.addWidget(text, 1)
        return row

    def _label(self, html: str) -> QLabel:
        from PySide6.QtCore import Qt  # not at import: see desktop.ui.signin.relogin

        label = QLabel(html)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("Copy diagnostics"))
        self.copy_button.clicked.connect(self.copy_diagnostics)
        self.folder_button = QPushButton(self.tr("Open log folder"))
        self.folder_button.clicked.connect(self.open_log_folder)
        self.details_button = QPushButton(self.tr("Show details"))
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        quit_button = QPushButton(self.tr("Quit Frontdesk"))
        quit_button.clicked.connect(self.quit_app)
        # Enter and Escape both mean "carry on": quitting is never an accident.
        self.continue_button = QPushButton(self.tr("Continue"))
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        for button in (self.copy_button, self.folder_button, self.details_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        quit_button.setAutoDefault(False)
        row.addStretch(1)
        row.addWidget(quit_button)
        row.addWidget(self.continue_button)
        return row

    def copy_diagnostics(self) -> None:
        QGuiApplication.clipboard().setText(self.report.diagnostics())
        self.copy_button.setText(self.tr("Copied"))

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.log_path.parent)))

    def quit_app(self) -> None:
        self.reject()
        QCoreApplication.exit(1)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText(self.tr("Hide details") if shown else self.tr("Show details"))
        self.adjustSize()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
