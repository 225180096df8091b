"""`frontdesk user …` on the command line, and the demo clinic's sign-ins."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop import cli
from desktop.auth import Passwords
from desktop.auth.errors import SessionExpired
from desktop.domain.roles import Role
from desktop.services import calendar
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import DEMO_USERS, load_demo_clinic
from desktop.store.database import Database
from tests.helpers import templates
from tests.test_cli import frontdesk, one_line_error


def test_the_demo_clinic_ships_the_readme_sign_ins(ctx: ServiceContext) -> None:
    load_demo_clinic(ctx, patients=12)
    accounts = Accounts(ctx.database)
    sarah = next(p for p in calendar.practitioners(ctx) if p.name == "Sarah Chen")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    roles = {}
    for username, _name, _role, password, _practitioner in DEMO_USERS:
        assert f"`{username}`" in readme and f"`{password}`" in readme
        signed_in = accounts.sign_in(username, password)
        roles[username] = (signed_in.user.role, signed_in.user.practitioner_id)
    assert roles == {
        "admin": (Role.ADMIN, None),
        "reception": (Role.RECEPTIONIST, None),
        "sarah": (Role.PRACTITIONER, sarah.id),
    }


def test_user_add_and_list_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    added = subprocess.run(
        [
            *frontdesk_command(),
            "--database-url",
            url,
            "user",
            "add",
            "--role",
            "receptionist",
            "--name",
            "Dana Desk",
            "--password-stdin",
            "Dana",
        ],
        input="front desk password\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert "Added dana (Dana Desk, receptionist)." in added.stdout
    listed = frontdesk("--database-url", url, "user", "list")
    assert "dana" in listed.stdout and "receptionist" in listed.stdout
    database = Database(url)
    signed_in = Accounts(database).sign_in("dana", "front desk password")
    assert signed_in.user.display_name == "Dana Desk"
    database.dispose()


def frontdesk_command() -> list[str]:
    import sys

    return [sys.executable, "-m", "desktop"]


def test_user_add_refusals_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    line = one_line_error(frontdesk("--database-url", url, "user", "add", "--role", "chef", "x"))
    assert "invalid choice: 'chef'" in line
    line = one_line_error(
        frontdesk("--database-url", url, "user", "add", "--role", "practitioner", "pat")
    )
    assert "--practitioner NAME" in line


def test_user_add_asks_for_the_password_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = templates.migrated_sqlite(tmp_path / "clinic.sqlite3")
    database = Database(url)
    load_demo_clinic(ServiceContext.for_system(database), patients=12)
    answers = iter(["too short", "too short"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    add = ["--database-url", url, "user", "add", "--role", "practitioner"]
    assert cli.main([*add, "--practitioner", "tom nguyen", "tom"]) == cli.EXIT_FAILURE
    assert "at least 10 characters" in capsys.readouterr().err
    answers = iter(["tom's password", "tom's pasword"])
    assert cli.main([*add, "--practitioner", "Tom Nguyen", "tom"]) == cli.EXIT_FAILURE
    assert "not the same" in capsys.readouterr().err
    answers = iter(["tom's password", "tom's password"])
    assert cli.main([*add, "--practitioner", "Tom Nguyen", "tom"]) == 0
    tom = Accounts(database, passwords=Passwords.cheapest()).sign_in("tom", "tom's password")
    assert tom.user.role is Role.PRACTITIONER and tom.user.practitioner_id is not None
    answers = iter(["a new password", "a new password"])
    assert cli.main(["--database-url", url, "user", "set-password", "TOM"]) == 0
    assert "signed out everywhere" in capsys.readouterr().out
    signed_in = Accounts(database).sign_in("tom", "a new password")
    assert cli.main(["--database-url", url, "user", "sign-out", "Tom"]) == 0
    assert "Signed tom out everywhere (1 sign-in(s) ended" in capsys.readouterr().out
    with pytest.raises(SessionExpired):
        Accounts(database).authenticator.check(signed_in.token)
    assert cli.main(["--database-url", url, "user", "sign-out", "nobody"]) == cli.EXIT_FAILURE
    assert "no user called “nobody”" in capsys.readouterr().err
    database.dispose()


def test_a_desk_that_follows_a_server_refuses_before_asking_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: users are managed on the server; a desk says so before anyone types."""
    from desktop.sync.state import bind_replica

    url = templates.migrated_sqlite(tmp_path / "desk.sqlite3")
    database = Database(url)
    bind_replica(database, "https://frontdesk.clinic.example")
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "x")
    add = ["--database-url", url, "user", "add", "--role", "admin", "boss"]
    assert cli.main(add) == cli.EXIT_FAILURE
    assert "follows the clinic's server, which keeps the users" in capsys.readouterr().err
    assert asked == []
    database.dispose()
