"""Unhandled exceptions: logged, shown once in a readable dialog, and the app carries on."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from desktop import logs
from desktop.ui import crash
from desktop.ui.crash import CrashDialog, CrashReport

pytestmark = pytest.mark.qt_no_exception_capture  # our hook, not pytest-qt's, gets them


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    path = logs.setup_logging(tmp_path / "log" / "frontdesk.log")
    yield path
    for handler in [h for h in root.handlers if isinstance(h, logs._FrontdeskFileHandler)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def reports(qapp, log_file: Path) -> Iterator[list[CrashReport]]:
    shown: list[CrashReport] = []
    before = (sys.excepthook, threading.excepthook)
    crash.install_crash_handler("sqlite:///clinic.sqlite3", show=shown.append)
    yield shown
    sys.excepthook, threading.excepthook = before


def failing_button(message: str) -> QPushButton:
    def fail() -> None:
        raise RuntimeError(message)

    button = QPushButton("Book")
    button.clicked.connect(fail)
    return button


def test_a_failing_slot_shows_the_dialog_once_logs_and_the_app_goes_on(
    qtbot, reports, log_file
) -> None:
    button = failing_button("could not book Samira Leontes")
    qtbot.addWidget(button)
    button.click()
    assert [r.summary for r in reports] == ["RuntimeError: could not book Samira Leontes"]
    assert reports[0].log_path == log_file
    assert "in fail" in reports[0].details

    button.click()  # the same failure again (a repaint, say): logged, not shown again
    assert len(reports) == 1

    def fail_elsewhere() -> None:
        raise KeyError("practitioner")

    other = QPushButton("Move")
    qtbot.addWidget(other)
    other.clicked.connect(fail_elsewhere)
    other.click()  # a different failure: shown
    assert [r.summary for r in reports][1:] == ["KeyError: 'practitioner'"]

    logs.protect_names(["Samira Leontes"])
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert text.count("CRITICAL") == 3
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: could not book" in text


def test_a_failure_in_a_worker_thread_reaches_the_gui_thread(qtbot, reports) -> None:
    def work() -> None:
        raise ValueError("worker failed")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    QCoreApplication.processEvents()  # delivers the queued report
    assert [r.summary for r in reports] == ["ValueError: worker failed"]


def test_a_failing_dialog_does_not_loop(qtbot, log_file) -> None:
    def broken_dialog(report: CrashReport) -> None:
        raise OSError("no display")

    before = sys.excepthook
    handler = crash.install_crash_handler(show=broken_dialog)
    try:
        button = failing_button("first")
        qtbot.addWidget(button)
        button.click()
    finally:
        sys.excepthook = before
    assert handler.failures == 1
    for h in logging.getLogger().handlers:
        h.flush()
    assert "Could not show the crash dialog" in log_file.read_text(encoding="utf-8")


def test_the_dialog_reads_well_and_copies_diagnostics(qtbot, log_file, shots) -> None:
    logging.getLogger("desktop.test").info("Booked 0412 345 678 for samira.leontes@example.com")
    report = CrashReport(
        "KeyError: 'practitioner'",
        'Traceback (most recent call last):\n  File "calendar.py", line 12, in drop\n'
        "KeyError: 'practitioner' (patient samira.leontes@example.com)\n",
        log_file,
        "postgresql+psycopg://clinic:secret@db.local/frontdesk",
    )
    dialog = CrashDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(shots / "crash-dialog.png"))
    dialog.details_button.click()
    assert dialog.details.isVisible()
    dialog.grab().save(str(shots / "crash-dialog-details.png"))

    dialog.copy_diagnostics()
    copied = QGuiApplication.clipboard().text()
    assert "Frontdesk" in copied and f"Log file: {log_file}" in copied
    assert "KeyError: 'practitioner'" in copied
    for secret in ("secret", "0412 345 678", "samira.leontes@example.com"):
        assert secret not in copied
    assert dialog.copy_button.text() == "Copied"
