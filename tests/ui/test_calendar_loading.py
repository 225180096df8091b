"""Calendar reads run in the background: the new period shows at once, its blocks after.

A "slow database" is a gate on the real SQLite engine: every statement a worker
thread sends waits until the test opens it (the GUI thread's own reads pass).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from desktop.domain.errors import DomainError
from desktop.services import booking
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.ui.calendar.period import Period
from tests.helpers.background import settle
from tests.helpers.clinic import DAY, ClinicFixture, make_clinic
from tests.ui.calendar_support import open_window, save_shot, scene_of

NEXT_DAY = DAY + timedelta(days=1)


class SlowDatabase:
    """Holds the workers' statements until opened; can fail them instead."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.engine = ctx.database.engine
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()
        self.refusal: str | None = None
        event.listen(self.engine, "before_cursor_execute", self._hold)

    def _hold(self, *_args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        self.waiting.set()
        self.gate.wait(10)
        if self.refusal is not None:
            raise DomainError(self.refusal)

    def close(self) -> None:
        self.gate.set()
        event.remove(self.engine, "before_cursor_execute", self._hold)


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


@pytest.fixture
def slow(local_ctx: ServiceContext) -> Iterator[SlowDatabase]:
    database = SlowDatabase(local_ctx)
    yield database
    database.close()


def book_next_day(ctx: ServiceContext, clinic: ClinicFixture) -> uuid.UUID:
    request = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,  # not the first column
        clinic.consult.id,
        clinic.at(9, day=NEXT_DAY),
        patient_id=clinic.patients[1].id,
    )
    return booking.book_appointment(ctx, request).appointment.id


def test_the_next_day_shows_at_once_and_its_blocks_when_they_arrive(
    qtbot, local_ctx, clinic, settings, slow: SlowDatabase, tmp_path
) -> None:
    appointment_id = book_next_day(local_ctx, clinic)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    slow.gate.clear()
    panel.step(1)
    qtbot.waitUntil(slow.waiting.is_set)
    # The read is held: the header and empty columns of the new day are already there.
    assert panel.period.anchor == NEXT_DAY
    assert Period(panel.period.mode, NEXT_DAY).title in window.heading.text()
    scene = scene_of(window)
    assert scene.snapshot.period.anchor == NEXT_DAY
    assert scene.items_by_id == {}
    assert [c.practitioner.name for c in scene.grid.columns] == ["Alice Physio", "Bob Pilates"]
    assert not panel.view.isInteractive()  # an empty column is not a free slot yet
    qtbot.waitUntil(panel.loading_note.isVisible)  # said once the wait is noticeable
    save_shot(window, tmp_path, "loading.png")
    slow.gate.set()
    settle(qtbot)
    assert not panel.loading_note.isVisible()
    assert appointment_id in scene_of(window).items_by_id
    assert panel.view.isInteractive()
    assert panel.view.isVisibleTo(window)


def test_a_load_the_user_has_moved_past_is_dropped(
    qtbot, local_ctx, clinic, settings, slow: SlowDatabase
) -> None:
    book_next_day(local_ctx, clinic)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    seen: list[Period] = []
    panel.loaded.connect(lambda snapshot: seen.append(snapshot.period))
    slow.gate.clear()
    panel.step(1)
    panel.step(1)
    slow.gate.set()
    settle(qtbot)
    assert [p.anchor for p in seen] == [DAY + timedelta(days=2)]
    assert scene_of(window).snapshot.period.anchor == DAY + timedelta(days=2)
    assert scene_of(window).items_by_id == {}  # the next day's block never landed here


def test_a_failed_load_shows_a_sentence_not_a_half_drawn_view(
    qtbot, local_ctx, clinic, settings, slow: SlowDatabase, errors: list[str]
) -> None:
    book_next_day(local_ctx, clinic)
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    slow.refusal = "The clinic's database is busy; try again."
    panel.step(1)
    settle(qtbot)
    assert errors == ["The clinic's database is busy; try again."]
    assert panel.empty.isVisibleTo(window)
    assert not panel.view.isVisibleTo(window)
    assert panel.empty.text() == "The calendar could not be loaded."
    slow.refusal = None
    panel.step(1)
    settle(qtbot)
    assert panel.view.isVisibleTo(window)
