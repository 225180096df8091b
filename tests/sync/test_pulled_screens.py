"""What another desk did reaches this desk's open window after a real sync pass: the
pass's own report says what it brought, and the window reloads what shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.services import booking
from desktop.sync.runner import SyncState, SyncStatus
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk
from tests.ui.calendar_support import open_window, scene_of

pytestmark = pytest.mark.postgres


def test_another_desks_booking_appears_on_this_desks_open_calendar(
    qtbot, tmp_path: Path, desks: list[Desk], clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    settings = QSettings(str(tmp_path / "back.ini"), QSettings.Format.IniFormat)
    window = open_window(qtbot, back.ctx, settings)
    booked = booking.book_appointment(
        front.ctx,
        booking.BookingRequest(
            c.clinic.id, c.bob.id, c.consult.id, c.at(11), patient_id=c.patients[1].id
        ),
    ).appointment
    front.sync()  # pushed to the server
    report = back.engine.run_pass()  # the back desk pulls it …
    assert booked.id not in scene_of(window).items_by_id
    # … and its runner reports the pass as it always does (desktop.sync.runner).
    window.sync.signals.report_status(
        SyncStatus(SyncState.SYNCED, pulled=frozenset(report.pull.entities))
    )
    settle(qtbot)
    assert booked.id in scene_of(window).items_by_id
