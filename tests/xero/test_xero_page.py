"""The Xero page: connection state, queue counts, refusals with Retry; offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.domain.billing import Invoice
from desktop.domain.outbox import JobState
from desktop.services import xero_settings
from desktop.services.xero_settings import InvoiceDateBasis
from desktop.store.database import Database
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.xero_page import DesktopXeroActions, XeroPage, xero_badge_text
from desktop.xero.endpoints import API_URL_ENV, IDENTITY_URL_ENV
from tests.helpers import templates
from tests.helpers.background import off_gui_thread, settle
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    """Screens are checked on SQLite; the store is checked on both elsewhere."""
    db = Database(templates.migrated(sqlite_url))
    yield db
    db.dispose()


def _page(qtbot, xero: ConnectedClinic, monkeypatch: pytest.MonkeyPatch) -> XeroPage:
    """The page as the app builds it: its real actions, aimed at the Xero fake."""
    monkeypatch.setenv(API_URL_ENV, xero.fake.base_url)
    monkeypatch.setenv(IDENTITY_URL_ENV, xero.fake.base_url)
    caller = ServiceCaller(xero.ctx, ChangeBus(), None)
    page = XeroPage(caller)
    assert isinstance(page.xero_actions, DesktopXeroActions)
    qtbot.addWidget(page)
    page.resize(980, 640)
    settle(qtbot)  # the page reads the queue in the background
    return page


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from desktop.ui import operations

    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _p, _t, text: shown.append(text))
    return shown


def _a_refused_payment(xero: ConnectedClinic) -> Invoice:
    for i in range(3):
        paid(xero, invoiced(xero, patient=i, hour=9 + i))
    xero.sync_until_quiet()
    xero.fake.set_lock_date(date(2099, 6, 30))
    refused = paid(xero, invoiced(xero, patient=3, hour=14), 5000)
    xero.sync_until_quiet()
    return refused


def test_refusals_are_listed_with_xeros_words_and_retry_sends_them(
    qtbot, xero: ConnectedClinic, errors: list[str], shots: Path, monkeypatch
) -> None:
    refused = _a_refused_payment(xero)
    page = _page(qtbot, xero, monkeypatch)
    assert page.state.text() == "Connected to Frontdesk Test Clinic"
    assert page.refused.number.text() == "1"
    # The invoice Xero refused, in Xero's words; its payment waits, with our note.
    assert page.table.rowCount() == 2
    assert page.table.item(0, 0).text() == f"Invoice {refused.number}"
    assert page.table.item(0, 1).text() == "Refused"
    assert page.table.item(0, 2).text().startswith("The document date cannot be before the period")
    assert page.table.item(0, 3).text() == ""
    assert page.table.item(1, 0).text() == f"Payment {refused.number}-P1"
    assert page.table.item(1, 1).text() == "Waiting"
    assert page.table.item(1, 2).text() == ""  # Xero has said nothing about it
    assert page.table.item(1, 3).text() == f"Waits for Invoice {refused.number}: Xero refused it."
    assert page.table.cellWidget(1, 4) is None  # it goes when the invoice does
    assert off_gui_thread(lambda: xero_badge_text(xero.ctx)) == "Xero: 1 waiting, 1 refused"

    page.show()
    qtbot.waitExposed(page)
    page.grab().save(str(shots / "xero_page.png"))

    xero.fake.set_lock_date(None)
    retry = page.table.cellWidget(0, 4).findChild(QPushButton)
    assert isinstance(retry, QPushButton)
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert page.table.rowCount() == 0 and page.empty.isVisibleTo(page)
    assert not xero.jobs(JobState.PARKED)

    with qtbot.waitSignal(page.changed, timeout=10_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    settle(qtbot)  # and the page's counts are read again in the background
    # The real worker, on the page's background thread, sent the payment to Xero.
    assert page.busy.text() == "Sent 2, refused 0, retrying later 0."  # the waiting one too
    assert page.waiting.number.text() == "0"
    in_xero = xero.fake.invoice_by_number(refused.number)
    assert [p.amount for p in xero.fake.payments_for_invoice(in_xero)] == [Decimal("50.00")]
    assert off_gui_thread(lambda: xero_badge_text(xero.ctx)) == "Xero: up to date"
    assert errors == []


def test_before_connecting_the_page_offers_to_connect(qtbot, ctx, errors: list[str]) -> None:
    page = XeroPage(ServiceCaller(ctx, ChangeBus(), None))
    qtbot.addWidget(page)
    settle(qtbot)
    assert page.state.text() == "Not connected"
    assert page.connect_button.text() == "Connect to Xero…"
    assert not page.sync_button.isEnabled()
    assert off_gui_thread(lambda: xero_badge_text(ctx)) == "Xero: not connected"


def test_account_mapping_is_saved_from_the_page(
    qtbot, xero: ConnectedClinic, errors: list[str], monkeypatch
) -> None:
    page = _page(qtbot, xero, monkeypatch)
    page.save_accounts("260", "091", "OUTPUT")
    settle(qtbot)
    assert "account 260 (OUTPUT)" in page.mapping.text()
    assert "account 091" in page.mapping.text()
    page.save_accounts("", "091", "OUTPUT")
    settle(qtbot)
    assert errors == ["Choose the income account for Xero."]


def test_income_in_advance_is_chosen_from_the_organisations_chart(
    qtbot, xero: ConnectedClinic, errors: list[str], tmp_path: Path, monkeypatch
) -> None:
    """Issue 12/13: Settings ▸ Xero ▸ Accounts offers the chart's current liabilities."""
    xero.fake.add_account(code="2350", name="Unearned session income", type="CURRLIAB")
    xero.fake.add_account(code="2360", name="Pass sales not yet used", type="CURRLIAB")
    page = _page(qtbot, xero, monkeypatch)
    page.resize(1366, 768)
    page.accounts_button.click()
    settle(qtbot)
    dialog = page.accounts_dialog
    assert dialog is not None
    offered = [dialog.advance.itemData(i) for i in range(dialog.advance.count())]
    assert offered == ["2350", "2360", "800", "820", "835"]  # current liabilities only
    assert dialog.advance_code() == "835"  # the default, as saved
    assert not dialog.problem.isVisible()
    dialog.grab().save(str(tmp_path / "xero-accounts.png"))

    dialog.advance.setCurrentIndex(offered.index("2360"))
    dialog.invoice_date.setCurrentIndex(1)
    dialog.accept()
    settle(qtbot)

    connection = xero_settings.get_connection(xero.ctx)
    assert connection.advance_account_code == "2360"
    assert connection.invoice_date_basis is InvoiceDateBasis.RAISED
    assert connection.income_account_code == "200"  # untouched
    assert "Unused credit → account 2360" in page.mapping.text()
    page.grab().save(str(tmp_path / "xero-page.png"))
    assert errors == []


def test_a_saved_account_missing_from_the_chart_is_flagged(
    qtbot, xero: ConnectedClinic, errors: list[str], monkeypatch
) -> None:
    _change_advance(xero, "836")
    page = _page(qtbot, xero, monkeypatch)
    page.refresh()
    settle(qtbot)
    page.accounts_button.click()
    settle(qtbot)
    dialog = page.accounts_dialog
    assert dialog is not None
    assert dialog.advance_code() == "836"  # kept, not silently replaced
    assert "has no account 836" in dialog.problem.text()


def _change_advance(xero: ConnectedClinic, code: str) -> None:
    xero_settings.set_account_mapping(
        xero.ctx,
        income_account_code="200",
        bank_account_code="090",
        tax_type="EXEMPTOUTPUT",
        advance_account_code=code,
    )


def test_the_page_says_when_a_stopped_sender_holds_jobs(
    qtbot, xero: ConnectedClinic, tmp_path: Path, monkeypatch
) -> None:
    """Issue 13, defect 2: the page and the status bar say why jobs wait and until when."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from desktop.domain.outbox import Channel
    from desktop.store.outbox import OutboxQueue
    from desktop.store.outbox_models import OutboxJobRow
    from tests.helpers.clinic import ZONE

    invoiced(xero)
    now = datetime.now(UTC)
    claimed = OutboxQueue(xero.database).claim_due(Channel.XERO, now)
    retry_at = now + timedelta(seconds=10)  # renewed 20 s ago, then it was killed
    with xero.database.write_session() as session:
        session.execute(update(OutboxJobRow).values(claimed_until=retry_at))
        session.commit()
    local = retry_at.astimezone(ZONE)
    note = f"{len(claimed)} held by a sender that stopped; retrying at {local:%H:%M}"

    page = _page(qtbot, xero, monkeypatch)
    page.show()
    assert note in page.detail.text()
    assert note in off_gui_thread(lambda: xero_badge_text(xero.ctx))
    page.grab().save(str(tmp_path / "xero-stalled.png"))
