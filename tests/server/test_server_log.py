"""A server error reaches Frontdesk's log, without the values of the failed statement."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.test_logs import log_file, written

pytestmark = pytest.mark.postgres

__all__ = ["log_file"]  # the fixture, used by name below


def test_a_server_error_is_logged_without_usernames_or_passwords(make_api, log_file: Path) -> None:
    api = make_api()
    with api.database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE users RENAME TO users_gone"))
    answer = api.client.post(
        "/v1/sessions", json={"username": "secret-user-name", "password": "secret-password-1"}
    )
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal_error"
    assert "users" not in answer.text  # no SQL for the client either
    log = written(log_file)
    assert "POST /v1/sessions failed" in log
    assert "UndefinedTable" in log
    assert "secret-user-name" not in log
    assert "secret-password-1" not in log
