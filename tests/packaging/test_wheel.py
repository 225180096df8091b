"""`pip install .` (not editable) gives a working app: build the wheel, install it, run it.

The wheel is built from a copy of the checkout without build isolation (the
build tools are already here), and installed into a fresh venv with --no-index
--no-deps: offline. Its dependencies come from the environment running the
tests, handed to the new venv by a .pth file; everything of Frontdesk's own —
code, migrations, icons, styles, demo data — must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("desktop", "resources"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    out = tmp_path / "dist"
    built = run(
        sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--no-build-isolation",
        "--no-index", "-q", "-w", out,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("frontdesk-*.whl")
    return wheel


def test_the_installed_wheel_runs_and_passes_the_smoke_test(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    )
    # The dependencies, from the test's own environment (offline).
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheel,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    # pip compiles what it installs: no start-up waits for Python to compile a module.
    package = site / "desktop"
    uncompiled = [
        source.relative_to(site)
        for source in package.rglob("*.py")
        if not list(source.parent.glob(f"__pycache__/{source.stem}.*.pyc"))
    ]
    assert uncompiled == []

    elsewhere = tmp_path / "elsewhere"  # nowhere near the checkout
    elsewhere.mkdir()
    where = run(python, "-c", "import desktop; print(desktop.__file__)", cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout + where.stderr

    version = run(env_dir / "bin" / "frontdesk", "--version", cwd=elsewhere)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("frontdesk ")

    smoke = run(env_dir / "bin" / "frontdesk", "run", "--smoke-test", cwd=elsewhere)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "icons render" in smoke.stdout
    assert "Smoke test passed" in smoke.stdout
    resources = run(
        python, "-c", "from desktop.resources import resources_dir; print(resources_dir())",
        cwd=elsewhere,
    )  # fmt: skip
    assert Path(resources.stdout.strip()) == env_dir / "share" / "frontdesk" / "resources"
