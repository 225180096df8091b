"""The `frontdesk` command as a newcomer meets it: real subprocesses, real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def frontdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_and_version() -> None:
    assert "db" in frontdesk("--help").stdout
    assert "upgrade" in frontdesk("db", "--help").stdout
    assert frontdesk("--version").stdout.startswith("frontdesk ")


def test_unknown_option_is_one_line() -> None:
    line = one_line_error(frontdesk("--colour=blue"))
    assert "unrecognized arguments: --colour" in line


def test_demo_then_status_on_the_embedded_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    first = frontdesk("--database-url", url, "demo", "--patients", "50")
    assert first.returncode == 0, first.stderr
    assert "Loaded the demo clinic: 6 practitioners, 50 patients" in first.stdout
    again = frontdesk("--database-url", url, "demo")
    assert again.returncode == 0
    assert "already loaded" in again.stdout
    status = frontdesk("--database-url", url, "db", "status")
    assert "up to date" in status.stdout


def test_default_database_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "xdg-data"
    result = frontdesk("db", "upgrade", env={"XDG_DATA_HOME": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "Frontdesk" / "frontdesk.sqlite3").exists()


def test_corrupt_database_file_is_reported_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    path.write_bytes(b"PK\x03\x04 a zip file, not a database" * 50)
    before = path.read_bytes()
    line = one_line_error(frontdesk("--database-url", f"sqlite:///{path}", "demo"))
    assert "is not a Frontdesk database or is damaged" in line
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert frontdesk("--database-url", url, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "clinic.sqlite3") as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'fffe'")
    line = one_line_error(frontdesk("--database-url", url, "db", "upgrade"))
    assert "newer version of Frontdesk" in line


def test_unreachable_server_is_one_line() -> None:
    line = one_line_error(
        frontdesk("--database-url", "postgresql+psycopg://clinic@127.0.0.1:9/none", "db", "upgrade")
    )
    assert "Cannot open the database" in line
    assert "127.0.0.1" in line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("database_url = ", "not valid TOML"),
        ("colour = 'blue'", "unknown setting"),
        ("database_url = 5", "must be a quoted string"),
    ],
)
def test_corrupt_config_file_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    line = one_line_error(frontdesk("db", "status", env={"FRONTDESK_CONFIG": str(config)}))
    assert message in line
    assert str(config) in line
    assert config.read_text() == content


def test_config_file_selects_the_database(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"database_url = 'sqlite:///{tmp_path / 'from-config.sqlite3'}'\n")
    result = frontdesk("db", "upgrade", env={"FRONTDESK_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-config.sqlite3").exists()


@pytest.mark.parametrize("patients", ["0", "5"])
def test_a_tiny_demo_still_loads(tmp_path: Path, patients: str) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    result = frontdesk("--database-url", url, "demo", "--patients", patients)
    assert result.returncode == 0, result.stderr
    assert f"{patients} patients" in result.stdout
