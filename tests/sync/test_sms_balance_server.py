"""The SMS balance on a desk that follows a server: the provider's key is on the server, so
the desk's badge and settings page ask the server (GET /v1/sms/balance), which asks the
provider (the Twilio double, through the real SDK) at most every 15 minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from desktop.domain.errors import InvalidInput
from desktop.services import calendar
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.provider_balance import LowBalanceWatch
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.settings import MessagingSettings, SmsProvider
from desktop.services.messaging.twilio_sms import API_URL_ENV
from desktop.sync import remote_sms
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessagingSettingsPage
from desktop.ui.messaging.status import SmsBalanceLine
from desktop.ui.service_caller import ServiceCaller
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.helpers.background import off_gui_thread, settle
from tests.helpers.clinic import ClinicFixture
from tests.messaging.helpers import MemoryKeyring
from tests.sync.harness import Desk, ServerSide

pytestmark = pytest.mark.postgres


@pytest.fixture
def twilio(server: ServerSide, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=server.clock.now) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        yield fake
        assert fake.violations == []


def balance_asked(fake: FakeTwilio) -> int:
    return sum(path.endswith("/Balance.json") for _, path in fake.state.requests)


def set_up_twilio(server: ServerSide, clinic: ClinicFixture, token: str = AUTH_TOKEN) -> None:
    """Twilio chosen on the server, its auth token in the server machine's keyring only."""
    secrets = MessagingSecrets(MemoryKeyring())
    settings = MessagingSettings(
        clinic.clinic.id,
        sms_provider=SmsProvider.TWILIO,
        sms_account=ACCOUNT_SID,
        sms_sender_id=CLINIC_NUMBER,
        low_credit_warning=5,
    )
    save_settings(server.ctx, settings, sms_api_key=token, secrets=secrets)
    server.app.state.sms_balance_watch = LowBalanceWatch(secrets, server.clock.now)


def test_a_desk_shows_the_balance_the_servers_sender_sees(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture, twilio: FakeTwilio
) -> None:
    set_up_twilio(server, clinic_on_server)
    twilio.state.balance = "3.20"
    front, back = desks
    front.sync()  # the settings reach the desk; the key does not
    badge = SmsBalanceLine(front.ctx, lambda: front.api, clock=server.clock.now)
    assert off_gui_thread(badge.text) == (
        "SMS balance low: 3.20 USD left with Twilio. Top it up: Settings ▸ Reminders and SMS."
    )
    report = remote_sms.balance_report(back.api)  # what Settings ▸ Reminders and SMS shows
    assert report is not None
    assert (report.balance.amount, report.balance.currency) == (Decimal("3.20"), "USD")
    assert report.text == "Balance: 3.20 USD — low, top it up soon."
    assert balance_asked(twilio) == 1  # two desks asked; the server asked Twilio once

    twilio.state.balance = "80.00"  # the clinic topped up at Twilio
    server.clock.advance(timedelta(minutes=5))
    assert off_gui_thread(badge.text).startswith(
        "SMS balance low: 3.20 USD"
    )  # the server's answer, kept
    assert balance_asked(twilio) == 1  # the desk asked again; the server did not ask Twilio
    server.clock.advance(timedelta(minutes=10))
    assert off_gui_thread(badge.text) == ""
    assert balance_asked(twilio) == 2
    body = front.api.sms_balance()
    assert (body["provider"], body["balance"], body["low"]) == ("twilio", "80.00", False)
    assert body["low_threshold"] == 5 and body["problem"] == ""


def test_a_key_the_provider_refuses_is_said_on_the_desk_and_the_badge_stays_quiet(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture, twilio: FakeTwilio
) -> None:
    set_up_twilio(server, clinic_on_server, token="not-the-token")
    front, _ = desks
    front.sync()
    assert (
        off_gui_thread(SmsBalanceLine(front.ctx, lambda: front.api, clock=server.clock.now).text)
        == ""
    )
    with pytest.raises(InvalidInput, match="Twilio refused the account SID or auth token"):
        remote_sms.balance_report(front.api)


def test_the_balance_is_only_for_people_signed_in(server: ServerSide, twilio: FakeTwilio) -> None:
    answer = httpx.get(f"{server.url}/v1/sms/balance")
    assert answer.status_code == 401
    assert balance_asked(twilio) == 0


def test_settings_on_a_desk_show_the_balance_from_the_server(
    qtbot,
    tmp_path: Path,
    desks: list[Desk],
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    twilio: FakeTwilio,
) -> None:  # type: ignore[no-untyped-def]
    set_up_twilio(server, clinic_on_server)
    twilio.state.balance = "3.20"
    front, _ = desks
    front.sync()
    caller = ServiceCaller(front.ctx, ChangeBus(), None)
    clinic = calendar.main_clinic(front.ctx)
    no_key_here = MessagingSecrets(MemoryKeyring())
    page = MessagingSettingsPage(caller, clinic, secrets=no_key_here, server=lambda: front.api)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.tabs.setCurrentIndex(2)
    settle(qtbot)
    assert page.balance.text() == "Balance: 3.20 USD — low, top it up soon."
    assert page.balance.objectName() == "formError"
    assert page.grab().save(str(tmp_path / "desk_balance_from_server.png"))
