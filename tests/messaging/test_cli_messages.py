"""`frontdesk messages send-due --once`: one pass for cron, a non-zero exit when a message failed."""

from __future__ import annotations

import getpass
import io
import stat
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from keyring.backends import fail
from sqlalchemy import select

from desktop.cli import main
from desktop.services.messaging.secrets import (
    SECRETS_FILE_NAME,
    SMS_API_KEY_ENV,
    SMTP_PASSWORD_ENV,
    MessagingSecrets,
)
from desktop.store.locations import data_folder
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.sync_models import SyncStateRow
from desktop.store.unit_of_work import UnitOfWork
from desktop.xero.tokens import TOKEN_FILE_ENV
from tests.auth.keyrings import using_keyring
from tests.messaging.conftest import API_KEY, Messaging


def reminders_due_now(m: Messaging) -> None:
    """Sam's email and SMS reminders, due by the real clock the command runs on."""
    m.book(9, 30)
    with UnitOfWork(m.ctx.database) as uow:
        for job in uow.session.execute(select(OutboxJobRow)).scalars():
            job.next_attempt_at = datetime.now(UTC) - timedelta(minutes=1)
        uow.commit()


@pytest.fixture
def cli_env(messaging: Messaging, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    # The command runs as a server would: no keyring, the gateway key in the environment.
    monkeypatch.setenv(SMS_API_KEY_ENV, API_KEY)
    return ["--database-url", messaging.ctx.database.url, "messages", "send-due", "--once"]


def test_send_due_once_sends_what_is_due_and_exits_zero(
    messaging: Messaging, cli_env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    reminders_due_now(messaging)
    assert main(cli_env) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Sent 1 email and 1 SMS;")
    assert err == ""
    [reminder] = messaging.smtp.received
    assert reminder.rcpt_tos == ["sam.lee@example.com"]
    assert main(cli_env) == 0  # nothing more to do, nothing sent twice
    assert len(messaging.smtp.received) == 1 and len(messaging.gateway.sent) == 1


def test_send_due_once_exits_non_zero_and_says_why_when_a_message_failed(
    messaging: Messaging, cli_env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    messaging.smtp.unknown_recipients.add("sam.lee@example.com")
    reminders_due_now(messaging)
    assert main(cli_env) == 1
    out, err = capsys.readouterr()
    assert "1 message failed" in out
    assert err.strip() == (
        "frontdesk: failed: email reminder to sam.lee@example.com: The mail server "
        "refused sam.lee@example.com: 550 5.1.1 <sam.lee@example.com>: "
        "Recipient address rejected: User unknown"
    )


def test_send_due_names_the_reason_messages_wait(
    messaging: Messaging, cli_env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    messaging.smtp.data_answers.append("451 4.7.1 Greylisted, please try again")
    reminders_due_now(messaging)
    assert main(cli_env) == 0
    _, err = capsys.readouterr()
    assert err.strip() == (
        "frontdesk: will retry: The mail server asked to try later: "
        "451 4.7.1 Greylisted, please try again"
    )


def test_an_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "not-a-db"
    folder.mkdir()
    code = main(["--database-url", f"sqlite:///{folder}", "messages", "send-due", "--once"])
    assert code == 1
    _, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith("frontdesk: error: ")


def test_help_lists_the_messages_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["messages", "--help"])
    assert "send-due" in capsys.readouterr().out


def test_the_loop_runs_passes_until_stopped(messaging: Messaging) -> None:
    from desktop.services.messaging.send_due import SendDueLoop, SendDueReport

    reminders_due_now(messaging)
    reports: list[SendDueReport] = []

    def seen(report: SendDueReport) -> None:
        reports.append(report)
        loop.stop()  # the loop sees the stop before it would wait for the next pass

    loop = SendDueLoop(messaging.ctx, on_report=seen, senders=None, gateways=None)
    loop.run()
    assert [r.emails_sent for r in reports] == [1]


def test_send_due_refuses_on_a_desk_that_follows_a_server(
    messaging: Messaging, cli_env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    reminders_due_now(messaging)
    with messaging.ctx.database.write_session() as session:  # as a desk's replica is marked
        session.add(SyncStateRow(id=1, server_url="https://fd.example", replica_id=uuid.uuid4()))
        session.commit()
    assert main(cli_env) == 1
    _, err = capsys.readouterr()
    assert err.strip() == (
        "frontdesk: this database follows the server at https://fd.example, which sends the "
        "clinic's messages; run this command against the server's database."
    )
    assert not messaging.smtp.received  # the reminder waits for the server's sender


# --- `frontdesk messages set-secret|secrets`: the sending machine's secrets ----------


@pytest.fixture
def headless(messaging: Messaging, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`frontdesk messages` on a server as it usually is: no keyring, nothing in the
    environment."""
    for variable in (SMS_API_KEY_ENV, SMTP_PASSWORD_ENV, TOKEN_FILE_ENV):
        monkeypatch.delenv(variable, raising=False)
    with using_keyring(fail.Keyring()):
        yield ["--database-url", messaging.ctx.database.url, "messages"]


def test_set_secret_reads_stdin_keeps_it_in_the_owner_only_file_and_the_sender_uses_it(
    messaging: Messaging,
    headless: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reminders_due_now(messaging)
    assert main([*headless, "secrets"]) == 0
    assert "Custom relay API key: not set" in capsys.readouterr().out

    monkeypatch.setattr(sys, "stdin", io.StringIO(API_KEY + "\n"))
    assert main([*headless, "set-secret", "sms", "--stdin"]) == 0
    out, err = capsys.readouterr()
    file = data_folder() / SECRETS_FILE_NAME
    assert out.strip() == (
        f"Kept the Custom relay API key for {messaging.c.clinic.name} in the owner-only file "
        f"{file} (this machine has no keyring that would take it)."
    )
    assert err == "" and stat.S_IMODE(file.stat().st_mode) == 0o600
    assert main([*headless, "secrets"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Custom relay API key: set",
        "Mail server password: not set",
    ]
    assert main([*headless, "send-due", "--once"]) == 0
    [sms] = messaging.gateway.sent  # the relay took the key the command kept (else 401)
    assert sms.to == "+61412345678"
    assert API_KEY not in " ".join(sys.argv)

    assert main([*headless, "set-secret", "sms", "--clear"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Removed the Custom relay API key")
    assert MessagingSecrets().sms_api_key(messaging.clinic_id) is None


def test_set_secret_asks_twice_without_echo_and_a_mismatch_changes_nothing(
    messaging: Messaging, headless: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    answers = iter(["mail-pass-1", "mail-pass-2", "mail-pass-9", "mail-pass-9"])

    def typed(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(getpass, "getpass", typed)
    assert main([*headless, "set-secret", "mail"]) == 1
    assert capsys.readouterr().err == (
        "frontdesk: error: The two entries are not the same; nothing was changed.\n"
    )
    assert MessagingSecrets().smtp_password(messaging.clinic_id) is None
    assert main([*headless, "set-secret", "mail"]) == 0
    assert asked[-2:] == ["The mail server password: ", "Again, to be sure: "]
    assert MessagingSecrets().smtp_password(messaging.clinic_id) == "mail-pass-9"


def test_a_secret_is_never_taken_from_the_command_line_and_a_desk_following_a_server_is_refused(
    messaging: Messaging, headless: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main([*headless, "set-secret", "sms", "AC-secret-token"])
    assert usage.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "unrecognized arguments" in line
    assert MessagingSecrets().sms_api_key(messaging.clinic_id) is None

    with messaging.ctx.database.write_session() as session:  # as a desk's replica is marked
        session.add(SyncStateRow(id=1, server_url="https://fd.example", replica_id=uuid.uuid4()))
        session.commit()
    assert main([*headless, "set-secret", "sms", "--clear"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "frontdesk: error: This database follows the server at https://fd.example"
    )
