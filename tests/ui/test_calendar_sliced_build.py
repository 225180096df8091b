"""A period's blocks arrive over several event-loop turns, and nothing is lost on the way.

A turn adds one column at least, then more while its time lasts (`SLICE_SECONDS`)
and until enough blocks in view are in (`SHOWN_PER_TURN`). Either limit lowered
to nothing makes a two-column day take two turns; the test then looks between the turns (the first column's blocks are in, the calendar
takes no input yet) and after them (every block, the selection kept, input back).
"""

from __future__ import annotations

import uuid

import pytest
import shiboken6
from PySide6.QtCore import QSettings

from desktop.services.context import ServiceContext
from desktop.ui.calendar import scene as scene_module
from desktop.ui.calendar.items import AppointmentItem
from desktop.ui.calendar.scene import CalendarScene
from desktop.ui.calendar.snapshot import CalendarSnapshot
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture, book_at, make_clinic
from tests.ui.calendar_support import open_window, save_shot, scene_of


@pytest.fixture
def clinic(local_ctx: ServiceContext) -> ClinicFixture:
    return make_clinic(local_ctx)


def book(
    ctx: ServiceContext, clinic: ClinicFixture, practitioner_id: uuid.UUID, hour: int
) -> uuid.UUID:
    patient_id = clinic.patients[1].id
    return book_at(
        ctx, clinic, hour, practitioner_id=practitioner_id, patient_id=patient_id
    ).appointment.id


@pytest.fixture(params=[("SLICE_SECONDS", 0.0), ("SHOWN_PER_TURN", 1)])
def one_block_per_turn(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """One column per turn: no time for more, or one block in view is enough."""
    monkeypatch.setattr(scene_module, *request.param)


def test_a_period_fills_in_column_by_column_and_ends_with_every_block(
    qtbot,
    local_ctx,
    clinic,
    settings,
    one_block_per_turn,
    tmp_path,
) -> None:
    alice_ids = [book(local_ctx, clinic, clinic.alice.id, hour) for hour in (9, 11)]
    bob_id = book(local_ctx, clinic, clinic.bob.id, 10)  # Bob's column is not the first
    window = open_window(qtbot, local_ctx, settings)
    panel = window.calendar
    scene = scene_of(window)
    assert set(scene.items_by_id) == {*alice_ids, bob_id}
    scene.select(bob_id)
    snapshot = scene.snapshot
    seen: list[CalendarSnapshot] = []
    panel.loaded.connect(seen.append)

    panel._loaded(snapshot)  # what a reload's answer does
    # Between turns: the first column is in, the second not yet, and no input is taken.
    assert scene_of(window) is scene
    assert scene.building
    assert set(scene.items_by_id) == set(alice_ids)
    assert not panel.view.isInteractive()
    assert seen == []
    save_shot(window, tmp_path, "half_built.png")

    with qtbot.waitSignal(scene.built):
        pass
    settle(qtbot)
    assert not scene.building
    assert set(scene.items_by_id) == {*alice_ids, bob_id}
    assert scene.selected_appointment() is not None
    assert scene.selected_appointment().id == bob_id  # the selection survives the reload
    assert panel.view.isInteractive()
    assert seen == [snapshot]  # loaded once, when complete
    block = scene.items_by_id[bob_id].sceneBoundingRect()
    column = scene.grid.column_for(snapshot.period.anchor, clinic.bob.id)
    assert column is not None
    assert scene.grid.x_of(column.index) <= block.left() < scene.grid.x_of(column.index + 1)


def half_built(
    qtbot: object, ctx: ServiceContext, clinic: ClinicFixture, settings: QSettings
) -> tuple[CalendarScene, uuid.UUID, uuid.UUID]:
    """Alice's and Bob's blocks, the day reloaded and stopped after its first turn."""
    alice_id = book(ctx, clinic, clinic.alice.id, 9)
    bob_id = book(ctx, clinic, clinic.bob.id, 10)
    scene = scene_of(open_window(qtbot, ctx, settings))
    scene.load(scene.snapshot, scene.grid)
    assert scene.building
    assert set(scene.items_by_id) == {alice_id}
    return scene, alice_id, bob_id


def test_a_change_arriving_mid_build_finishes_the_build_first(
    qtbot, local_ctx, clinic, settings, one_block_per_turn
) -> None:
    scene, alice_id, bob_id = half_built(qtbot, local_ctx, clinic, settings)
    scene.apply([scene.appointments[alice_id]], [])
    assert not scene.building
    assert set(scene.items_by_id) == {alice_id, bob_id}
    assert scene.hit_test(scene.items_by_id[bob_id].sceneBoundingRect().center()) is not None
    settle(qtbot)


def test_a_reload_mid_build_replaces_the_half_built_blocks(
    qtbot, local_ctx, clinic, settings, one_block_per_turn
) -> None:
    scene, alice_id, bob_id = half_built(qtbot, local_ctx, clinic, settings)
    scene.load(scene.snapshot, scene.grid)  # overtaken before its second turn
    settle(qtbot)
    assert set(scene.items_by_id) == {alice_id, bob_id}
    assert len([i for i in scene.items() if isinstance(i, AppointmentItem)]) == 2


def test_the_period_left_behind_is_taken_apart_in_later_turns_then_deleted(
    qtbot, local_ctx, clinic, settings, monkeypatch
) -> None:
    monkeypatch.setattr(scene_module, "TAKEN_OUT_PER_CHECK", 1)
    monkeypatch.setattr(scene_module, "SLICE_SECONDS", 0.0)  # one block per turn
    for hour in (9, 11):
        book(local_ctx, clinic, clinic.alice.id, hour)
    book(local_ctx, clinic, clinic.bob.id, 10)
    window = open_window(qtbot, local_ctx, settings)
    old = scene_of(window)
    blocks = list(old.items_by_id.values())
    assert len(blocks) == 3

    window.calendar.step(1)
    assert scene_of(window) is not old
    assert all(block.scene() is old for block in blocks)  # not in the navigation's turn
    settle(qtbot)
    qtbot.waitUntil(lambda: not shiboken6.isValid(old))
    # Each block was taken out before the scene went (a block deleted with it would raise).
    assert all(block.scene() is None for block in blocks)
    assert scene_of(window).items_by_id == {}  # the next day has no bookings
