"""The PyInstaller bundle builds and starts. Minutes, so deselected by default.

.venv/bin/python -m pytest -m packaging      # or: packaging/build.sh
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.packaging
def test_the_bundle_builds_and_passes_its_smoke_test() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Smoke test passed: Frontdesk" in result.stdout
    assert "ok  main window shown" in result.stdout
    assert (ROOT / "build" / "dist" / "frontdesk" / "frontdesk").exists()
