"""The messaging screens, offscreen: settings with live preview, the message log.

Screenshots go to each test's own folder (messaging_*.png) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.domain.clinic_time import clinic_zone
from desktop.services import calendar
from desktop.services.messaging.message_log import MessageStatus
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.ui import operations
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessageLogWidget, MessagingSettingsPage
from desktop.ui.messaging import message_log as log_ui
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.theme import apply_theme
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The screens are checked on SQLite; the store tests cover PostgreSQL."""
    return sqlite_url


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    style, sheet, palette = qapp.style().name(), qapp.styleSheet(), qapp.palette()
    apply_theme(qapp, "light")
    yield
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _parent, _title, text: shown.append(text))
    return shown


@pytest.fixture
def caller(messaging: Messaging, themed: None) -> ServiceCaller:
    return ServiceCaller(messaging.ctx, ChangeBus(), None)


def shot(widget: QWidget, folder: Path, name: str) -> None:
    assert widget.grab().save(str(folder / f"messaging_{name}.png"))


def open_settings(qtbot, messaging: Messaging, caller: ServiceCaller) -> MessagingSettingsPage:  # type: ignore[no-untyped-def]
    clinic = calendar.main_clinic(messaging.ctx)
    page = MessagingSettingsPage(caller, clinic, secrets=messaging.secrets, now=messaging.clock)
    qtbot.addWidget(page)
    page.resize(820, 900)
    page.show()
    settle(qtbot)  # what is saved is read in the background
    return page


def test_the_sms_template_previews_live_with_its_cost(
    shots, qtbot, messaging, caller, errors
) -> None:  # type: ignore[no-untyped-def]
    page = open_settings(qtbot, messaging, caller)
    preview = page.sms_editor.preview.text()
    assert preview.startswith("Hi Sam, a reminder of your appointment with Alice Physio")
    assert "on Tuesday 25 February at 9:30 am" in preview  # tomorrow, clinic time
    assert page.sms_editor.count.text().startswith("1 SMS · GSM-7 · ")
    shot(page, shots, "settings_reminders")

    page.sms_editor.field.set_text("Hi {first_name}, it’s your appointment at {time} 😀")
    assert "UCS-2" in page.sms_editor.count.text()
    assert "’ 😀 cannot be sent in the plain SMS alphabet" in page.sms_editor.warning.text()
    page.sms_editor.field.set_text("Hi {first_name}! " + "x" * 160)
    assert page.sms_editor.count.text().startswith("2 SMS · GSM-7 · ")
    assert errors == []


def test_an_unknown_placeholder_is_flagged_while_typing_and_refused_on_save(
    shots, qtbot, messaging, caller, errors
) -> None:  # type: ignore[no-untyped-def]
    page = open_settings(qtbot, messaging, caller)
    page.sms_editor.field.set_text("Hi {firstname}, see you at {time}")
    problem = page.sms_editor.field.problem_label
    assert problem.isVisibleTo(page)
    assert "{firstname}" in problem.text() and "Did you mean {first_name}?" in problem.text()
    assert page.sms_editor.preview.text() == "(fix the template to see the preview)"
    shot(page, shots, "settings_template_problem")
    page.save()
    settle(qtbot)
    assert errors == []  # said once, in the status line beside Save
    assert "{firstname}" in page.status.text()
    assert page.sms_editor.field.text() == "Hi {firstname}, see you at {time}"  # kept
    assert messaging.settings().sms_template != "Hi {firstname}, see you at {time}"

    page.sms_editor.field.set_text("Hi {first_name}, see you at {time}")
    assert not problem.isVisibleTo(page)
    assert page.save()
    settle(qtbot)
    assert messaging.settings().sms_template == "Hi {first_name}, see you at {time}"
    assert page.status.text().startswith("Saved ")


def test_email_and_sms_tabs_keep_secrets_out_of_sight(
    shots, qtbot, messaging, caller, errors
) -> None:  # type: ignore[no-untyped-def]
    page = open_settings(qtbot, messaging, caller)
    page.tabs.setCurrentIndex(1)
    assert page.smtp_host.text() == "127.0.0.1"
    shot(page, shots, "settings_email")
    page.tabs.setCurrentIndex(2)
    assert page.api_key.text() == "" and page.api_key.placeholderText() == "saved — type to replace"
    page.api_key.setText("sk-new")
    assert page.save()
    settle(qtbot)
    assert messaging.secrets.sms_api_key(messaging.clinic_id) == "sk-new"
    assert page.api_key.text() == ""


def test_the_patient_message_log_shows_failures_and_fixes_them(
    shots, qtbot, messaging, caller, errors, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    m.book(11, day=date(2031, 3, 5))  # a later appointment: its reminders are still to come
    appointment = m.book(9, 30)
    m.smtp.unknown_recipients.add("sam.lee@example.com")
    m.reminder_time(appointment)
    m.send_due()
    zone = clinic_zone(m.c.clinic.timezone)
    widget = MessageLogWidget(caller, zone)
    qtbot.addWidget(widget)
    widget.resize(820, 360)
    widget.set_patient(m.c.patients[0].id)
    widget.show()
    assert not widget.no_sms.isEnabled()  # the choices wait for the read
    settle(qtbot)  # the log is read in the background
    statuses = [(e.channel.value, e.status) for e in widget.model.entries]
    assert sorted(statuses) == sorted(
        [
            ("email", MessageStatus.SCHEDULED),
            ("sms", MessageStatus.SCHEDULED),
            ("email", MessageStatus.FAILED),
            ("sms", MessageStatus.SENT),
        ]
    )
    failed_row = next(
        i for i, e in enumerate(widget.model.entries) if e.status is MessageStatus.FAILED
    )
    widget.table.selectRow(failed_row)
    assert widget.fix_button.isEnabled() and widget.retry_button.isEnabled()
    assert "550 5.1.1" in widget.text.toPlainText()
    shot(widget, shots, "patient_log")

    monkeypatch.setattr(log_ui, "ask_address", lambda _p, _c, _current: "sam@lee.example")
    widget.fix_selected()
    assert not widget.fix_button.isEnabled() and not widget.retry_button.isEnabled()
    settle(qtbot)
    m.send_due()
    widget.reload()
    settle(qtbot)
    to_new_address = {
        (e.channel.value, e.status)
        for e in widget.model.entries
        if e.recipient == "sam@lee.example"
    }
    # The retried reminder went there, and the coming one will go there too.
    assert to_new_address == {("email", MessageStatus.SENT), ("email", MessageStatus.SCHEDULED)}
    assert errors == []
    shot(widget, shots, "patient_log_fixed")


def test_a_desk_following_a_server_shares_the_settings_but_keeps_no_secret(
    shots, qtbot, messaging, caller, errors
) -> None:  # type: ignore[no-untyped-def]
    clinic = calendar.main_clinic(messaging.ctx)
    page = MessagingSettingsPage(
        caller, clinic, secrets=messaging.secrets, now=messaging.clock,
        server_url="https://fd.clinic.local",
    )  # fmt: skip
    qtbot.addWidget(page)
    page.resize(1366 // 2, 768)
    page.show()
    settle(qtbot)  # what is saved is read in the background
    note = page.findChildren(QLabel)[0].text()
    assert "follows the server at https://fd.clinic.local" in note
    assert "kept on the server's machine, not here" in note
    assert "Save hands them to the server" in note  # an administrator is signed in
    assert page.smtp_password.isEnabled() and page.api_key.isEnabled()
    assert not page.test_button.isEnabled()  # the server sends every text
    # No server within reach here: the page does not pretend the key is set.
    assert page.api_key.placeholderText() == (
        "Custom relay API key: not known: the server could not be asked"
    )
    page.tabs.setCurrentIndex(2)
    shot(page, shots, "settings_on_a_desk")
    key_before = messaging.secrets.sms_api_key(messaging.clinic_id)
    page.sender_name.setText("Reception")  # the shared settings still save from here
    assert page.save()
    settle(qtbot)
    assert messaging.settings().sender_name == "Reception"
    assert messaging.secrets.sms_api_key(messaging.clinic_id) == key_before
    assert errors == []


@pytest.mark.parametrize("has_keyring", [True, False])
def test_the_page_says_when_there_is_no_keyring_to_keep_secrets(
    shots, qtbot, messaging, caller, errors, has_keyring: bool
) -> None:  # type: ignore[no-untyped-def]
    """Whether there is a keyring is asked in the background with the saved settings
    (finding the keyring can wait on D-Bus): the notes show once it answers."""
    secrets = messaging.secrets if has_keyring else MessagingSecrets(fail.Keyring())
    page = MessagingSettingsPage(
        caller, calendar.main_clinic(messaging.ctx), secrets=secrets, now=messaging.clock
    )
    qtbot.addWidget(page)
    page.resize(820, 900)
    page.show()
    assert page.no_keyring_for_password.isHidden()  # not known yet
    settle(qtbot)
    notes = (page.no_keyring_for_password, page.no_keyring_for_key)
    assert [note.isVisibleTo(page) for note in notes] == [False, False]  # other tabs
    page.tabs.setCurrentIndex(1)
    assert page.no_keyring_for_password.isVisibleTo(page) is not has_keyring
    assert "the password cannot be saved" in page.no_keyring_for_password.text()
    page.tabs.setCurrentIndex(2)
    assert page.no_keyring_for_key.isVisibleTo(page) is not has_keyring
    assert "the key cannot be saved" in page.no_keyring_for_key.text()
    shot(page, shots, f"settings_sms_keyring_{has_keyring}")
