from __future__ import annotations

from pathlib import Path

from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import load_demo_clinic
from desktop.ui.calendar.appointment_menus import menu_action
from desktop.ui.main_window import MainWindow
from tests.helpers.background import settle


def demo_window(qtbot, ctx: ServiceContext, settings, *, settled: bool = True) -> MainWindow:  # type: ignore[no-untyped-def]
    """The window on a small demo clinic; `settled`: once its first reads are in."""
    load_demo_clinic(ctx, patients=5)
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    if settled:
        settle(qtbot)
    return window


def test_main_window_opens_on_the_demo_clinic(
    qtbot, local_ctx: ServiceContext, settings, tmp_path: Path
) -> None:
    load_demo_clinic(local_ctx, patients=40)
    window = MainWindow(local_ctx, settings)
    qtbot.addWidget(window)
    settle(qtbot)
    window.show()
    assert "Harbourside Physio & Pilates" in window.heading.text()
    assert window.status_bar.user_label.text() == "Signed in: Frontdesk (admin)"
    assert window.status_bar.store_label.text() == "Local store (SQLite)"
    # What the window works out for itself on a desk alone, never connected to Xero.
    assert window.status_bar.sync_label.text() == "Sync: not set up"
    assert window.status_bar.xero_label.text() == "Xero: not connected"
    window.grab().save(str(tmp_path / "main-window.png"))
    assert (tmp_path / "main-window.png").stat().st_size > 0


def test_session_actions_sit_in_the_file_menu_before_quit(
    qtbot, local_ctx: ServiceContext, settings
) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    calls: list[str] = []
    window.add_session_actions(
        lock=lambda: calls.append("lock"),
        sign_out=lambda: calls.append("sign out"),
        change_password=lambda: calls.append("password"),
    )
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert texts[-4:] == ["&Lock screen", "Change &password…", "Sign &out", "&Quit"]
    by_text = {a.text(): a for a in window.file_menu.actions()}
    for text in ("&Lock screen", "Change &password…", "Sign &out"):
        by_text[text].trigger()
    assert calls == ["lock", "password", "sign out"]


def test_xero_page_and_badge_are_reachable_from_the_main_window(
    qtbot, local_ctx: ServiceContext, settings
) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    assert window.status_bar.xero_label.text().startswith("Xero")
    page = window.open_xero()
    assert page.isVisible()
    assert window.open_xero() is page  # one page, raised again


def test_the_calendar_menu_offers_an_invoice_for_a_patient_appointment(
    qtbot, local_ctx: ServiceContext, settings
) -> None:
    load_demo_clinic(local_ctx, patients=20)
    window = MainWindow(local_ctx, settings)
    qtbot.addWidget(window)
    settle(qtbot)
    snapshot = window.calendar.snapshot
    assert snapshot is not None
    appointment = next(a for a in snapshot.appointments if a.patient_id is not None)
    menu = window.calendar.appointment_menu(appointment)
    requested: list[tuple[object, object]] = []
    window.calendar.invoice_requested.disconnect()
    window.calendar.invoice_requested.connect(lambda a, p: requested.append((a, p)))
    menu_action(menu, "invoice").trigger()
    assert requested == [(appointment.id, appointment.patient_id)]


def test_comparing_with_xero_before_connecting_says_what_to_do(
    qtbot, local_ctx: ServiceContext, settings, errors: list[str]
) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    view = window.open_reconciliation()
    view.run()
    assert not view.run_button.isEnabled()  # asking
    settle(qtbot)
    assert view.result is None
    assert errors == ["Connect Xero first (Settings → Xero…)."]
    assert view.run_button.isEnabled()


def test_server_settings_and_sync_conflicts_open_from_the_settings_menu(
    qtbot, local_ctx: ServiceContext, settings
) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    window.sync.start()
    settle(qtbot)
    assert window.sync.runner is None  # a local-only clinic: nothing to sync with
    labels = [a.text() for a in window.settings_menu.actions()]
    assert "&Server and sync…" in labels
    assert "Sync &conflicts…" in labels
    page = window.open_server_settings()
    assert page.isVisible()
    dialog = window.open_sync_conflicts()
    assert dialog.isVisible()
    dialog.reject()


def test_reminders_page_and_sms_balance_warning(qtbot, local_ctx: ServiceContext, settings) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    window.show()
    page = window.open_messaging()  # the clinic is the calendar's: it opens at once
    assert page is not None and page.isVisible()
    assert page.clinic.name == "Harbourside Physio & Pilates"
    window.status_bar.set_messages_state("SMS balance low: 4.50 AUD left with ClickSend.")
    assert window.status_bar.messages_label.isVisible()
    window.status_bar.set_messages_state("")
    assert not window.status_bar.messages_label.isVisible()


def test_reminders_page_opened_before_the_calendar_loaded_opens_when_the_clinic_arrives(
    qtbot, local_ctx: ServiceContext, settings
) -> None:
    window = demo_window(qtbot, local_ctx, settings, settled=False)
    window.show()
    assert window.calendar.snapshot is None  # still loading
    assert window.open_messaging() is None  # the clinic is read in the background
    assert window.open_messaging() is None  # pressed twice: still one page
    settle(qtbot)
    page = window.messaging_page
    assert page is not None and page.isVisible()
    assert page.clinic.name == "Harbourside Physio & Pilates"
    assert window.findChildren(type(page)) == [page]


def test_exports_are_in_the_file_menu(qtbot, local_ctx: ServiceContext, settings) -> None:
    window = demo_window(qtbot, local_ctx, settings)
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert set(texts) >= {a.text() for a in window.exports.actions()}
    assert window.exports.actions()
