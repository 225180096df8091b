"""An administrator's desk hands the messaging secrets to the server (PUT /v1/messaging/secrets).

With a server, the server's sender sends every message, so the Twilio auth token /
SMS key and the mail password must be on the server machine. The desk hands them
over; the server keeps them in its keyring (or, without one, an owner-only file
beside its Xero token file) and never answers with them.
"""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QLabel

from desktop.domain.roles import SYSTEM, Actor, Role
from desktop.server.guards import ActingAs
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.secrets import SECRETS_FILE_NAME, MessagingSecrets
from desktop.services.messaging.settings import SmsProvider
from desktop.services.messaging.twilio_sms import API_URL_ENV
from desktop.store.locations import data_folder
from desktop.sync.client import ServerProtocolError
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessagingSettingsPage
from desktop.ui.service_caller import ServiceCaller
from desktop.xero.tokens import TOKEN_FILE_ENV
from tests.auth.keyrings import BrokenKeyring
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture
from tests.messaging.conftest import (  # noqa: F401 - the mail and SMS servers
    Messaging,
    SmtpEndpoint,
    clock,
    configure,
    secrets,
    sms_gateway,
    smtp_server,
)
from tests.messaging.helpers import Clock, MemoryKeyring
from tests.sync.harness import PASSWORD, Desk, ServerSide, make_desk, table_contents

pytestmark = pytest.mark.postgres


@pytest.fixture
def twilio_on_server(
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    clock: Clock,  # noqa: F811
    secrets: MessagingSecrets,  # noqa: F811
    smtp_server: SmtpEndpoint,  # noqa: F811
    sms_gateway: FakeSmsGateway,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Messaging, FakeTwilio]]:
    """Reminders by Twilio set up on the server, with no auth token anywhere yet."""
    m = Messaging(
        server.ctx, clinic_on_server, clock, secrets, smtp_server.handler, sms_gateway,
        smtp_server.port,
    )  # fmt: skip
    configure(m)
    server.app.state.sms_secrets = secrets  # the server machine's keyring
    with FakeTwilio(clock=clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        m.save(
            sms_provider=SmsProvider.TWILIO, sms_account=ACCOUNT_SID, sms_sender_id=CLINIC_NUMBER
        )
        secrets.set_sms_api_key(m.clinic_id, "")  # the relay key configure() left
        yield m, fake
        assert fake.violations == []


def signed_in(server: ServerSide, username: str) -> httpx.Client:
    token = httpx.post(
        f"{server.url}/v1/sessions", json={"username": username, "password": PASSWORD}
    ).json()["token"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def test_an_admin_desk_hands_over_the_twilio_token_and_the_server_sends_with_it(
    server: ServerSide, desks: list[Desk], twilio_on_server: tuple[Messaging, FakeTwilio]
) -> None:
    m, twilio = twilio_on_server
    front, back = desks
    assert front.api.messaging_secrets() == {"smtp_password_set": False, "sms_secret_set": False}

    answer = front.api.keep_messaging_secrets({"sms_secret": AUTH_TOKEN})

    assert answer == {
        "smtp_password_set": False,
        "sms_secret_set": True,
        "kept_in": "keyring",
        "secrets_file": None,
    }
    assert m.secrets.sms_api_key(m.clinic_id) == AUTH_TOKEN  # on the server machine
    assert back.api.messaging_secrets()["sms_secret_set"]  # every admin desk sees it is set
    m.reminder_time(m.book(9, 30))
    report = m.send_due()  # the server's sender
    assert report.sms_sent == 1
    [sms] = twilio.sent
    assert sms.from_ == CLINIC_NUMBER and "Hi Sam" in sms.body

    # A field left out stays as it is; the mail password is set on its own.
    answer = front.api.keep_messaging_secrets({"smtp_password": "mail-pass-9"})
    assert (answer["smtp_password_set"], answer["sms_secret_set"]) == (True, True)
    assert m.secrets.smtp_password(m.clinic_id) == "mail-pass-9"
    assert m.secrets.sms_api_key(m.clinic_id) == AUTH_TOKEN


def test_the_secret_never_comes_back_from_the_server(
    server: ServerSide, desks: list[Desk], twilio_on_server: tuple[Messaging, FakeTwilio]
) -> None:
    front, back = desks
    admin = signed_in(server, "admin")
    answers = [
        admin.put("/v1/messaging/secrets", json={"sms_secret": AUTH_TOKEN}),
        admin.get("/v1/messaging/secrets"),
        admin.get("/v1/sms/balance"),
    ]
    for desk in (front, back):
        desk.sync()
    seen = [answer.text for answer in answers] + [
        json.dumps(table_contents(db), default=str)
        for db in (front.database, back.database, server.database)
    ]
    assert all(AUTH_TOKEN not in text for text in seen)
    assert answers[0].status_code == 200 and answers[1].json()["sms_secret_set"] is True


def test_only_an_administrator_hands_over_secrets(
    tmp_path: Path, server: ServerSide, twilio_on_server: tuple[Messaging, FakeTwilio]
) -> None:
    m, _ = twilio_on_server
    server.add_user("pat", Role.PRACTITIONER, practitioner_id=m.c.alice.id)
    practitioner = signed_in(server, "pat")
    put = practitioner.put("/v1/messaging/secrets", json={"sms_secret": "stolen"})
    assert put.status_code == 403
    assert put.json()["message"] == "Only an administrator can set the messaging secrets."
    assert practitioner.get("/v1/messaging/secrets").status_code == 403
    assert m.secrets.sms_api_key(m.clinic_id) is None  # nothing changed
    reception = make_desk(tmp_path, "reception-desk", server, username="reception")
    with pytest.raises(ServerProtocolError, match="403"):
        reception.api.keep_messaging_secrets({"sms_secret": "stolen"})
    reception.close()
    assert httpx.get(f"{server.url}/v1/messaging/secrets").status_code == 401


def test_without_a_keyring_the_server_keeps_them_in_an_owner_only_file(
    tmp_path: Path,
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A headless server has no keyring and, usually, no FRONTDESK_XERO_TOKEN_FILE:
    the secrets go to the owner-only file in its data folder, and the answer says so."""
    monkeypatch.delenv(TOKEN_FILE_ENV, raising=False)
    server.app.state.sms_secrets = MessagingSecrets(fail.Keyring())  # no keyring here
    admin = signed_in(server, "admin")
    kept = admin.put("/v1/messaging/secrets", json={"sms_secret": AUTH_TOKEN})
    assert kept.status_code == 200, kept.text
    file = data_folder() / SECRETS_FILE_NAME
    assert kept.json() == {
        "smtp_password_set": False,
        "sms_secret_set": True,
        "kept_in": "file",
        "secrets_file": str(file),
    }
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    fresh = MessagingSecrets(fail.Keyring())  # what the server's sender reads
    assert fresh.sms_api_key(clinic_on_server.clinic.id) == AUTH_TOKEN
    assert admin.get("/v1/messaging/secrets").json()["sms_secret_set"] is True
    cleared = admin.put("/v1/messaging/secrets", json={"sms_secret": ""})
    assert cleared.json()["sms_secret_set"] is False
    assert fresh.sms_api_key(clinic_on_server.clinic.id) is None

    # With a Xero token file named, the secrets file sits beside it.
    monkeypatch.setenv(TOKEN_FILE_ENV, str(tmp_path / "private" / "xero-tokens.json"))
    beside = admin.put("/v1/messaging/secrets", json={"smtp_password": "mail-pass-9"})
    assert beside.json()["secrets_file"] == str(tmp_path / "private" / SECRETS_FILE_NAME)
    assert fresh.smtp_password(clinic_on_server.clinic.id) == "mail-pass-9"


def test_a_keyring_that_refuses_falls_back_to_the_file_and_the_file_is_read_first(
    server: ServerSide, clinic_on_server: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked keyring (a Secret Service with no one to unlock it) refuses: the
    secret is still kept, in the file; once the keyring works again a new secret goes
    there and the file's older copy no longer shadows it."""
    monkeypatch.delenv(TOKEN_FILE_ENV, raising=False)
    clinic_id = clinic_on_server.clinic.id
    server.app.state.sms_secrets = MessagingSecrets(BrokenKeyring())
    admin = signed_in(server, "admin")
    kept = admin.put("/v1/messaging/secrets", json={"sms_secret": AUTH_TOKEN})
    assert kept.status_code == 200, kept.text
    assert kept.json()["kept_in"] == "file" and kept.json()["sms_secret_set"] is True
    assert MessagingSecrets(BrokenKeyring()).sms_api_key(clinic_id) == AUTH_TOKEN

    unlocked = MemoryKeyring()
    server.app.state.sms_secrets = MessagingSecrets(unlocked)
    assert MessagingSecrets(unlocked).sms_api_key(clinic_id) == AUTH_TOKEN  # from the file
    again = admin.put("/v1/messaging/secrets", json={"sms_secret": "newer-token"})
    assert again.json()["kept_in"] == "keyring"
    assert MessagingSecrets(unlocked).sms_api_key(clinic_id) == "newer-token"
    file = data_folder() / SECRETS_FILE_NAME
    assert AUTH_TOKEN not in file.read_text()  # not left behind in the file


def settings_page(desk: Desk, actor: Actor, keyring: MessagingSecrets):  # type: ignore[no-untyped-def]
    ctx = ServiceContext(desk.database, ActingAs(actor))
    caller = ServiceCaller(ctx, ChangeBus(), None)
    clinic = calendar.main_clinic(ctx)
    return MessagingSettingsPage(
        caller, clinic, secrets=keyring, server=lambda: desk.api, server_url=desk.api.base_url
    )


def test_settings_at_an_admin_desk_hand_the_key_to_the_server_not_the_desks_keyring(
    qtbot,
    tmp_path: Path,
    server: ServerSide,
    desks: list[Desk],
    twilio_on_server: tuple[Messaging, FakeTwilio],
) -> None:  # type: ignore[no-untyped-def]
    m, _ = twilio_on_server
    front, back = desks
    for desk in desks:
        desk.sync()
    desk_keyring = MessagingSecrets(MemoryKeyring())
    page = settings_page(front, SYSTEM, desk_keyring)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    settle(qtbot)
    page.tabs.setCurrentIndex(2)
    assert page.api_key.isEnabled() and not page.test_button.isEnabled()
    # The page asked the server: nothing is set there yet, and it says so.
    assert page.api_key.placeholderText() == "Twilio auth token: not set on the server"
    assert page.smtp_password.placeholderText() == "Mail password: not set on the server"
    assert page.grab().save(str(tmp_path / "desk_secrets_not_set_on_server.png"))
    page.api_key.setText(AUTH_TOKEN)
    assert page.save()
    settle(qtbot)
    assert page.status.text().endswith("Kept on the server, in its keyring."), page.status.text()
    assert page.api_key.text() == ""
    assert page.api_key.placeholderText() == (
        "Twilio auth token: set on the server — type to replace"
    )
    assert page.smtp_password.placeholderText() == "Mail password: not set on the server"
    assert m.secrets.sms_api_key(m.clinic_id) == AUTH_TOKEN  # on the server machine
    assert desk_keyring.sms_api_key(m.clinic_id) is None  # never in the desk's keyring
    assert m.secrets.smtp_password(m.clinic_id) is None  # an empty field changed nothing
    assert page.grab().save(str(tmp_path / "desk_secrets_kept_on_server.png"))

    # Another administrator's desk opening the page sees it set, not its value.
    other = settings_page(back, SYSTEM, MessagingSecrets(MemoryKeyring()))
    qtbot.addWidget(other)
    other.show()
    settle(qtbot)
    assert other.api_key.placeholderText() == page.api_key.placeholderText()
    assert other.api_key.text() == ""


def test_settings_at_a_desk_that_cannot_ask_the_server_say_it_is_not_known(
    qtbot, desks: list[Desk], twilio_on_server: tuple[Messaging, FakeTwilio]
) -> None:  # type: ignore[no-untyped-def]
    front, _ = desks
    ctx = ServiceContext(front.database, ActingAs(SYSTEM))
    page = MessagingSettingsPage(
        ServiceCaller(ctx, ChangeBus(), None),
        calendar.main_clinic(ctx),
        secrets=MessagingSecrets(MemoryKeyring()),
        server=lambda: None,  # not connected just now
        server_url=front.api.base_url,
    )
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    assert page.api_key.placeholderText() == (
        "Twilio auth token: not known: the server could not be asked"
    )


def test_settings_at_a_receptionists_desk_keep_the_secret_fields_off(
    qtbot, server: ServerSide, desks: list[Desk], clinic_on_server: ClinicFixture
) -> None:  # type: ignore[no-untyped-def]
    front, _ = desks
    reception = Actor(user_id=uuid.uuid4(), name="Rae", role=Role.RECEPTIONIST)
    page = settings_page(front, reception, MessagingSecrets(MemoryKeyring()))
    qtbot.addWidget(page)
    page.show()
    assert not page.api_key.isEnabled() and not page.smtp_password.isEnabled()
    settle(qtbot)
    assert page.api_key.placeholderText() == "On the server: an administrator sets it"
    note = page.findChildren(QLabel)[0].text()
    assert "Only an administrator can change them." in note
