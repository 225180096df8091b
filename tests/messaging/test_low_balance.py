"""The provider's low balance reaches the desk: the status bar of the main window warns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.services.messaging.clicksend_sms import API_URL_ENV
from desktop.services.messaging.provider_balance import LowBalanceWatch
from desktop.services.messaging.secrets import SMS_API_KEY_ENV
from desktop.services.messaging.settings import SmsProvider
from desktop.ui.main_window import MainWindow
from tests.fakes.clicksend import API_KEY, CLINIC_NUMBER, USERNAME, FakeClickSend
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging

LOW = "SMS balance low: 4.50 AUD left with ClickSend. Top it up: Settings ▸ Reminders and SMS."


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def clicksend(messaging: Messaging, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClickSend]:
    with FakeClickSend(clock=messaging.clock) as fake:
        monkeypatch.setenv(API_URL_ENV, fake.url)
        messaging.save(
            sms_provider=SmsProvider.CLICKSEND,
            sms_account=USERNAME,
            sms_sender_id=CLINIC_NUMBER,
            low_credit_warning=10,
        )
        messaging.secrets.set_sms_api_key(messaging.clinic_id, API_KEY)
        yield fake
        assert fake.violations == []


def balance_reads(fake: FakeClickSend) -> int:
    return sum(1 for _, path in fake.state.requests if path == "/v3/account")


def test_the_warning_asks_the_provider_now_and_then_not_on_every_refresh(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    m = messaging
    watch = LowBalanceWatch(m.secrets, m.clock)
    assert watch.status_text(m.ctx, m.clinic_id) == ""  # 23.45 AUD: enough
    clicksend.state.balance = "4.500000"
    assert watch.status_text(m.ctx, m.clinic_id) == ""  # seen a moment ago: not asked again
    assert balance_reads(clicksend) == 1
    m.clock.advance(minutes=16)
    assert watch.status_text(m.ctx, m.clinic_id) == LOW
    assert balance_reads(clicksend) == 2
    m.save(low_credit_warning=3)  # the clinic changed its threshold: asked again at once
    assert watch.status_text(m.ctx, m.clinic_id) == ""
    assert balance_reads(clicksend) == 3


def test_a_balance_that_cannot_be_read_says_nothing_in_the_status_bar(
    messaging: Messaging, clicksend: FakeClickSend
) -> None:
    messaging.secrets.set_sms_api_key(messaging.clinic_id, "wrong-key")
    clicksend.state.balance = "0.000000"
    watch = LowBalanceWatch(messaging.secrets, messaging.clock)
    assert watch.status_text(messaging.ctx, messaging.clinic_id) == ""


def test_the_main_windows_status_bar_shows_the_low_balance(
    qtbot,
    messaging: Messaging,
    clicksend: FakeClickSend,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(SMS_API_KEY_ENV, API_KEY)  # the window reads the key as a sender would
    clicksend.state.balance = "4.500000"
    window = MainWindow(
        messaging.ctx, QSettings(str(tmp_path / "frontdesk.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    settle(qtbot)
    label = window.status_bar.messages_label
    assert label.isVisible() and label.text() == LOW
    assert window.grab().save(str(tmp_path / "status_bar_low_balance.png"))
