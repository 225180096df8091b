"""`frontdesk server` at the command line: help, and one-line refusals."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import frontdesk, one_line_error


def test_server_help_lists_its_options() -> None:
    result = frontdesk("server", "--help")
    assert result.returncode == 0
    for option in ("--database-url", "--host", "--port", "--rate-limit-token", "--no-rate-limits"):
        assert option in result.stdout


def test_the_server_refuses_an_embedded_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    line = one_line_error(frontdesk("server", "--database-url", url))
    assert "needs a PostgreSQL database" in line


def test_a_malformed_limit_is_a_usage_error() -> None:
    line = one_line_error(frontdesk("server", "--rate-limit-token", "lots"))
    assert "is not a limit like 600/60" in line


def test_run_takes_a_server_address() -> None:
    assert "--server URL" in frontdesk("run", "--help").stdout
