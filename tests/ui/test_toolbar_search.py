"""The patient search box in the main window's toolbar: Ctrl+F, type, choose, act."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.domain.people import Patient
from desktop.services.context import ServiceContext
from desktop.ui.calendar.period import ViewMode
from desktop.ui.dialogs.booking import BookingDialog
from desktop.ui.main_window import MainWindow
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, book_on, make_clinic
from tests.ui.calendar_support import open_window, save_shot


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def _choose_second_sam_lee(qtbot, window: MainWindow, shots: Path) -> Patient:
    """Ctrl+F, type, Down twice in the drop-down, Enter: the second of two namesakes."""
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.patient_search
    assert search.picker.line_edit.hasFocus()
    qtbot.keyClicks(search.picker.line_edit, "sam lee")
    settle(qtbot)
    popup = search.picker.popup()
    assert popup.isVisible() and search.picker.model.rowCount() == 2
    popup.grab().save(str(shots / "toolbar-search-results.png"))
    second = search.picker.model.patient(1)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    settle(qtbot)
    return second


def test_enter_on_a_result_opens_that_patients_card(
    qtbot, local_ctx, clinic, settings, errors, tmp_path: Path
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    second = _choose_second_sam_lee(qtbot, window, tmp_path)
    assert window.patient_search.patient == second
    assert window.patients_window is not None and window.patients_window.isVisible()
    assert window.patients_window.card.patient == second
    assert window.patient_search.actions_button.isEnabled()
    shot = save_shot(window, tmp_path, "toolbar-search.png")
    assert shot.stat().st_size > 0
    assert errors == []


def test_book_from_a_result_fills_the_booking_dialog(
    qtbot, local_ctx, clinic, settings, errors, tmp_path: Path
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    second = _choose_second_sam_lee(qtbot, window, tmp_path)
    window.patient_search.book_action.trigger()
    dialog = window.calendar.dialog
    assert isinstance(dialog, BookingDialog)
    assert dialog.picker.patient == second


def test_next_appointment_jumps_the_calendar_and_selects_it(
    qtbot, local_ctx, clinic: ClinicFixture, settings, errors, tmp_path: Path
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    second = _choose_second_sam_lee(qtbot, window, tmp_path)
    later = DAY + timedelta(days=9)
    book_on(local_ctx, clinic, DAY + timedelta(days=2), clinic.patients[3])
    booked = book_on(local_ctx, clinic, later, second).appointment
    window.patient_search.next_action.trigger()
    settle(qtbot)
    assert window.calendar.period.mode is ViewMode.DAY
    assert window.calendar.period.anchor == later
    scene = window.calendar.scene
    assert scene is not None
    selected = scene.selected_appointment()
    assert selected is not None and selected.id == booked.id


def test_no_next_appointment_is_said_in_the_status_bar(
    qtbot, local_ctx, clinic, settings, errors, tmp_path: Path
) -> None:
    window = open_window(qtbot, local_ctx, settings)
    second = _choose_second_sam_lee(qtbot, window, tmp_path)
    window.patient_search.next_action.trigger()
    settle(qtbot)
    assert window.status_bar.currentMessage() == (
        f"{second.display_name} has no appointment coming up."
    )
    assert window.calendar.period.anchor == DAY
