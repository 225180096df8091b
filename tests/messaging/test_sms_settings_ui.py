"""Settings ▸ Messaging ▸ SMS with Twilio or ClickSend, offscreen: choose one, save,
send a test SMS, see the balance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget

from desktop.domain.clinic_time import clinic_zone
from desktop.services import calendar
from desktop.services.messaging import clicksend_sms
from desktop.services.messaging.replies import record_reply
from desktop.services.messaging.settings import SmsProvider
from desktop.services.messaging.twilio_sms import API_URL_ENV
from desktop.services.messaging.twilio_sms import BILLING_PAGE as TWILIO_BILLING
from desktop.ui.change_bus import ChangeBus
from desktop.ui.messaging import MessageLogWidget, MessagingSettingsPage
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.theme import apply_theme
from tests.fakes import clicksend as clicksend_double
from tests.fakes.clicksend import FakeClickSend
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def page(qtbot, qapp: QApplication, messaging: Messaging) -> Iterator[MessagingSettingsPage]:  # type: ignore[no-untyped-def]
    style, sheet, palette = qapp.style().name(), qapp.styleSheet(), qapp.palette()
    apply_theme(qapp, "light")
    caller = ServiceCaller(messaging.ctx, ChangeBus(), None)
    clinic = calendar.main_clinic(messaging.ctx)
    shown = MessagingSettingsPage(caller, clinic, secrets=messaging.secrets, now=messaging.clock)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    settle(qtbot)  # what is saved is read in the background
    shown.tabs.setCurrentIndex(2)
    yield shown
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        yield fake
        assert fake.violations == []


@pytest.fixture
def clicksend(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClickSend]:
    with FakeClickSend() as fake:
        monkeypatch.setenv(clicksend_sms.API_URL_ENV, fake.url)
        yield fake
        assert fake.violations == []


def shot(widget: QWidget, folder: Path, name: str) -> None:
    assert widget.grab().save(str(folder / f"{name}.png"))


def choose_twilio(page: MessagingSettingsPage, token: str) -> None:
    twilio_at = next(
        i for i in range(page.provider.count()) if page.provider.itemData(i) == "twilio"
    )
    page.provider.setCurrentIndex(twilio_at)
    page.account.setText(ACCOUNT_SID)
    page.api_key.setText(token)
    page.sender_id.setText(CLINIC_NUMBER)
    page.test_number.setText("0412 345 678")


def test_choosing_twilio_shows_its_fields_and_saves_the_token_in_the_keyring(
    qtbot, page: MessagingSettingsPage, messaging: Messaging, twilio: FakeTwilio
) -> None:  # type: ignore[no-untyped-def]
    assert page.provider.currentData() == "relay"  # this clinic had a relay: not the first item
    assert page.gateway_url.isVisible() and not page.account.isVisible()
    choose_twilio(page, AUTH_TOKEN)
    assert page.account.isVisible() and not page.gateway_url.isVisible()
    assert page.provider_form.labelForField(page.api_key).text() == "Auth token"
    assert page.save()
    settle(qtbot)
    saved = messaging.settings()
    assert (saved.sms_provider, saved.sms_account) == (SmsProvider.TWILIO, ACCOUNT_SID)
    assert messaging.secrets.sms_api_key(messaging.clinic_id) == AUTH_TOKEN
    # Unchanged: what the person did not touch.
    assert saved.sms_template == messaging.settings().sms_template
    assert saved.reminders_by_email


def test_send_test_sms_texts_the_number_through_twilio(
    qtbot, page: MessagingSettingsPage, twilio: FakeTwilio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose_twilio(page, AUTH_TOKEN)
    page.test_button.click()
    settle(qtbot)
    assert page.test_result.text().startswith("Test SMS sent to 0412 345 678 through Twilio (SM")
    [sms] = twilio.sent
    assert (sms.to, sms.from_) == ("+61412345678", CLINIC_NUMBER)
    assert page.test_button.isEnabled()
    shot(page, tmp_path, "sms_settings_test_sent")


def test_a_refused_auth_token_is_said_under_the_button(
    qtbot, page: MessagingSettingsPage, twilio: FakeTwilio, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose_twilio(page, "not-the-token")
    page.test_button.click()
    settle(qtbot)
    said = page.test_result.text()
    assert said.startswith(
        "The test SMS was not sent. Twilio refused the account SID or auth token"
    )
    assert "20003" in said
    assert said.endswith(". Check the account SID and auth token above.")  # on that page
    assert "Settings ▸" not in said
    assert twilio.sent == []
    shot(page, tmp_path, "sms_settings_refused")


def test_a_landline_is_refused_before_anything_is_sent(
    qtbot, page: MessagingSettingsPage, twilio: FakeTwilio
) -> None:  # type: ignore[no-untyped-def]
    choose_twilio(page, AUTH_TOKEN)
    page.test_number.setText("02 9555 1234")
    page.test_button.click()
    settle(qtbot)
    assert page.test_result.text() == "“02 9555 1234” is not a mobile number to send a test to."
    assert twilio.state.requests == []


def test_the_patient_card_shows_what_the_patient_replied(
    qtbot, messaging: Messaging, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    ana = m.c.patients[3]  # not the first patient
    record_reply(
        m.ctx.database, m.clinic_id, "0400 111 222", "Running late", "SM" + "4" * 32, m.clock()
    )
    widget = MessageLogWidget(
        ServiceCaller(m.ctx, ChangeBus(), None), clinic_zone("Australia/Sydney")
    )
    qtbot.addWidget(widget)
    widget.set_patient(ana.id)
    settle(qtbot)  # read in the background
    assert widget.replies.text().endswith("— Patient replied: Running late")
    assert not widget.replies.isHidden()
    widget.set_patient(m.c.patients[0].id)
    assert widget.replies.isHidden()  # at once: nothing of Ana's while Sam's log loads
    settle(qtbot)
    assert widget.replies.isHidden()


def test_the_balance_is_twilios_with_the_clinics_warning_and_top_up_opens_billing(
    qtbot,
    page: MessagingSettingsPage,
    twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    choose_twilio(page, AUTH_TOKEN)
    page.low_credit.setValue(5)
    assert page.save()
    settle(qtbot)
    assert page.balance.text() == "Balance: 12.34 USD"
    twilio.state.balance = "3.10"
    page.low_credit.setValue(5)
    assert page.save()
    settle(qtbot)
    assert page.balance.text() == "Balance: 3.10 USD — low, top it up soon."
    page.top_up_button.click()
    assert opened == [TWILIO_BILLING]
    shot(page, tmp_path, "sms_settings_balance_low")


def choose_clicksend(page: MessagingSettingsPage, key: str) -> None:
    at = next(i for i in range(page.provider.count()) if page.provider.itemData(i) == "clicksend")
    page.provider.setCurrentIndex(at)
    page.account.setText(clicksend_double.USERNAME)
    page.api_key.setText(key)
    page.sender_id.setText(clicksend_double.CLINIC_NUMBER)
    page.test_number.setText("0412 345 678")


def test_choosing_clicksend_names_its_fields_and_keeps_the_key_in_the_keyring(
    qtbot, page: MessagingSettingsPage, messaging: Messaging, clicksend: FakeClickSend
) -> None:  # type: ignore[no-untyped-def]
    choose_clicksend(page, clicksend_double.API_KEY)
    form = page.provider_form
    assert (form.labelForField(page.account).text(), form.labelForField(page.api_key).text()) == (
        "Username",
        "API key",
    )
    assert page.account.isVisible() and not page.gateway_url.isVisible()
    assert page.top_up_button.isVisible()
    assert page.save()
    settle(qtbot)
    saved = messaging.settings()
    assert (saved.sms_provider, saved.sms_account) == (
        SmsProvider.CLICKSEND,
        clicksend_double.USERNAME,
    )
    assert messaging.secrets.sms_api_key(messaging.clinic_id) == clicksend_double.API_KEY
    page.load()
    assert page.provider.currentData() == "clicksend"  # shown again as saved


def test_send_test_sms_texts_the_number_through_clicksend(
    qtbot, page: MessagingSettingsPage, clicksend: FakeClickSend, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose_clicksend(page, clicksend_double.API_KEY)
    page.test_button.click()
    settle(qtbot)
    assert page.test_result.text().startswith("Test SMS sent to 0412 345 678 through ClickSend (")
    [sms] = clicksend.sent
    assert (sms.to, sms.from_) == ("+61412345678", clicksend_double.CLINIC_NUMBER)
    shot(page, tmp_path, "clicksend_test_sent")


def test_a_refused_clicksend_key_is_said_under_the_button(
    qtbot, page: MessagingSettingsPage, clicksend: FakeClickSend, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    choose_clicksend(page, "not-the-key")
    page.test_button.click()
    settle(qtbot)
    assert page.test_result.text() == (
        "The test SMS was not sent. ClickSend refused the username or API key: "
        "Invalid credentials (UNAUTHORIZED). Check the username and API key above."
    )
    assert page.test_result.objectName() == "formError"
    assert clicksend.sent == []
    shot(page, tmp_path, "clicksend_refused")


def test_the_clicksend_balance_warns_and_top_up_opens_clicksends_billing(
    qtbot,
    page: MessagingSettingsPage,
    clicksend: FakeClickSend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    clicksend.state.balance = "4.500000"
    choose_clicksend(page, clicksend_double.API_KEY)
    page.low_credit.setValue(10)
    assert page.save()
    settle(qtbot)
    assert page.balance.text() == "Balance: 4.50 AUD — low, top it up soon."
    page.top_up_button.click()
    assert opened == [clicksend_sms.BILLING_PAGE]
