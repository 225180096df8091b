"""The modal guard: a box no test answers fails the test by name instead of hanging."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from desktop.ui import operations, prompts
from tests.helpers import modal_guard

ROOT = Path(__file__).resolve().parents[2]


def test_an_unanswered_box_is_dismissed_at_once_and_named(qtbot) -> None:
    with pytest.MonkeyPatch.context() as patch, modal_guard.guarding(patch) as guard:
        assert not prompts.ask(None, "Delete for good?", "Sam Lee's card goes.", "Delete")
        operations.show_error(None, "Could not save", "The clinic needs a name.")
        dialog = QDialog()
        qtbot.addWidget(dialog)
        dialog.setWindowTitle("Edit appointment")
        assert prompts.run_dialog(dialog) is False
        assert not dialog.isVisible()
        assert QFileDialog.getSaveFileName(None, "Save PDF", "x.pdf") == ("", "")
    assert guard.unanswered == [
        "QMessageBox “Delete for good?”: Sam Lee's card goes.",
        "QMessageBox.warning “Could not save”: The clinic needs a name.",
        "QDialog “Edit appointment”",
        "QFileDialog.getSaveFileName “Save PDF”: x.pdf",
    ]


def test_an_answered_box_never_reaches_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests answer as they always have: by replacing the function the code calls."""
    monkeypatch.setattr(prompts, "ask", lambda *_args: True)
    with pytest.MonkeyPatch.context() as patch, modal_guard.guarding(patch) as guard:
        assert prompts.ask(None, "Delete for good?", "Sam Lee's card goes.")
    assert guard.unanswered == []


def test_a_test_that_leaves_a_box_unanswered_fails_with_its_words(tmp_path: Path) -> None:
    """Through pytest itself, with the project's conftest: the box is named, nothing hangs."""
    (tmp_path / "test_box.py").write_text(
        "from desktop.ui import prompts\n\n"
        "def test_opens_a_box(qtbot):\n"
        "    prompts.ask(None, 'Delete for good?', \"Sam Lee's card goes.\")\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "A modal box opened that the test did not answer" in run.stdout
    assert "QMessageBox “Delete for good?”: Sam Lee's card goes." in run.stdout
