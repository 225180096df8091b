"""A patient's SMS reply reaches the desk: the main window's status bar says who replied
and what, a click opens their card, and STOP or an answer to a wait-list offer does not
ask for a person's attention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.services.messaging.replies import record_reply
from desktop.ui.main_window import MainWindow
from tests.helpers.background import settle
from tests.messaging.conftest import Messaging

ANA = "0400 111 222"  # patient 3
SAM_TOO = "0499 000 111"  # patient 1


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def reply(m: Messaging, sender: str, text: str, n: int, minutes_ago: int = 0) -> None:
    at = m.clock() - timedelta(minutes=minutes_ago)
    record_reply(m.ctx.database, m.clinic_id, sender, text, f"SM{n:032d}", at)


def open_window(qtbot, m: Messaging, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "frontdesk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(m.ctx, settings, now=m.clock)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    settle(qtbot)
    return window


def test_a_reply_shows_in_the_status_bar_and_opens_the_patients_card(
    qtbot, messaging: Messaging, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    reply(m, SAM_TOO, "STOP", 1, minutes_ago=30)  # an opt-out: recorded, nothing to read
    window = open_window(qtbot, m, tmp_path)
    notice = window.replies
    assert notice.isHidden()

    reply(m, ANA, "Running late, there in 10", 2, minutes_ago=20)
    notice.refresh()  # as the status bar's timer does
    settle(qtbot)
    assert notice.isVisible()
    assert notice.text() == "Patient replied: Ana Lima — Running late, there in 10"
    assert window.grab().save(str(tmp_path / "status_bar_patient_replied.png"))

    [open_ana, _separator, mark_read] = notice.menu_.actions()
    assert open_ana.text().endswith("· Ana Lima: Running late, there in 10")
    open_ana.trigger()
    settle(qtbot)
    assert window.patients_window is not None
    card = window.patients_window.card
    assert card.patient is not None and card.patient.id == m.c.patients[3].id

    reply(m, "0411 222 333", "Who is this?", 3, minutes_ago=10)  # a number that is no patient's
    notice.refresh()
    settle(qtbot)
    assert notice.text() == "2 patient replies"
    stranger = notice.menu_.actions()[0]
    assert "+61411222333: Who is this?" in stranger.text() and not stranger.isEnabled()

    mark_read = notice.menu_.actions()[-1]
    assert mark_read.text() == "Mark all as read"
    mark_read.trigger()
    assert notice.isHidden()
    notice.refresh()
    settle(qtbot)
    assert notice.isHidden()  # read on this PC, and remembered
    again = open_window(qtbot, m, tmp_path)
    assert again.replies.isHidden()

    reply(m, ANA, "Can I come Thursday instead?", 4)  # newer: shows again
    again.replies.refresh()
    settle(qtbot)
    assert again.replies.text() == "Patient replied: Ana Lima — Can I come Thursday instead?"
