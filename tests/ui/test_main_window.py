from __future__ import annotations

from pathlib import Path

from desktop.services.demo_clinic import load_demo_clinic
from desktop.ui.main_window import MainWindow


def test_main_window_opens_on_the_demo_clinic(qtbot, ctx, tmp_path: Path) -> None:
    load_demo_clinic(ctx, patients=40)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert "Harbourside Physio & Pilates" in window.heading.text()
    window.grab().save(str(tmp_path / "main-window.png"))
    assert (tmp_path / "main-window.png").stat().st_size > 0
