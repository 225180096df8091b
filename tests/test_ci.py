"""The CI script: it runs the README's test command, and PostgreSQL tests cannot skip there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = """
from tests.helpers import postgres

postgres.find_binaries = lambda: None  # a machine without PostgreSQL
from tests.conftest import postgres_server  # noqa: E402,F401
"""


def _run_without_postgres(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_needs_postgres.py").write_text(
        "def test_needs_postgres(postgres_server):\n    assert postgres_server\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider", "-rs"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        timeout=120,
        check=False,
    )


def test_without_postgres_the_tests_skip_on_a_developer_machine(tmp_path: Path) -> None:
    result = _run_without_postgres(tmp_path, FRONTDESK_REQUIRE_POSTGRES="")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout


def test_without_postgres_the_tests_fail_in_ci(tmp_path: Path) -> None:
    result = _run_without_postgres(tmp_path, FRONTDESK_REQUIRE_POSTGRES="1")
    assert result.returncode == 1, result.stdout
    assert "FRONTDESK_REQUIRE_POSTGRES=1" in result.stdout
    assert "skipped" not in result.stdout


def test_the_ci_script_requires_postgres_and_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"```sh\n(python3 -m venv .*\[test\].*pytest)\n```", readme)
    assert command is not None
    assert command.group(1) in script.splitlines()
    assert "export FRONTDESK_REQUIRE_POSTGRES=1" in script
    assert "apt-get update" in script
    assert script.index("apt-get update") < script.index("apt-get install")
    assert script.index("FRONTDESK_REQUIRE_POSTGRES") < script.index(command.group(1))
