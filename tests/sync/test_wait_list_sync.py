"""The wait list travels between desks through a real server on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.wait_list import NAMED_RANGES, WaitWishes
from desktop.services import wait_list
from desktop.services.wait_list import WaitListRequest
from desktop.sync import conflicts
from desktop.sync.state import pending_count
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide, table_contents

pytestmark = pytest.mark.postgres


def test_an_entry_made_on_one_desk_is_offered_on_the_other_and_removed_everywhere(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    wishes = WaitWishes(frozenset({c.bob.id}), time_ranges=(NAMED_RANGES["Mornings"],))
    saved = wait_list.add_entry(
        front.ctx, WaitListRequest(c.patients[2].id, wishes, urgent=True, note="knee")
    )
    front.sync()
    back.sync()
    start = c.at(9)
    found = wait_list.matches_for_slot(back.ctx, c.bob.id, start, start + timedelta(minutes=30))
    assert [(e.id, e.urgent, e.note, e.wishes) for e in found] == [
        (saved.entry.id, True, "knee", wishes)
    ]

    wait_list.remove_entry(back.ctx, saved.entry.id)
    back.sync()
    front.sync()
    assert wait_list.current_entries(front.ctx) == []
    assert table_contents(front.database) == table_contents(server.database)
    assert pending_count(front.database) == 0


def test_the_server_refuses_an_entry_whose_wishes_cannot_be_read(
    desks: list[Desk], clinic_on_server: ClinicFixture
) -> None:
    front, _ = desks
    saved = wait_list.add_entry(front.ctx, WaitListRequest(clinic_on_server.patients[0].id))
    from desktop.store.wait_list_models import WaitListEntryRow

    # A desk of another version (or a hand-edited file) stores a weekday that is none.
    with front.database.write_session() as session:
        row = session.get(WaitListEntryRow, saved.entry.id)
        assert row is not None
        row.weekdays = [9]
        session.commit()
    front.sync()
    refused = conflicts.open_conflicts(front.database)
    assert any("wait-list entry" in c.summary for c in refused), refused


def test_the_sms_offers_setting_made_on_a_desk_reaches_the_server_that_sends(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    from desktop.services.wait_list_offers import WaitListSettings, get_settings, save_settings

    front, back = desks
    clinic_id = clinic_on_server.clinic.id
    save_settings(front.ctx, WaitListSettings(clinic_id, offer_by_sms=True, offer_to=2))
    front.sync()
    back.sync()
    for ctx in (server.ctx, back.ctx):
        stored = get_settings(ctx, clinic_id)
        assert (stored.offer_by_sms, stored.offer_to) == (True, 2)


def test_booking_from_the_list_is_one_group_refused_whole_when_the_slot_went_meanwhile(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    from sqlalchemy import select

    from desktop.services.booking import BookingRequest
    from desktop.store.sync_models import SyncMutationRow
    from tests.sync.test_convergence import book, converged, day

    front, back = desks
    c = clinic_on_server
    saved = wait_list.add_entry(front.ctx, WaitListRequest(c.patients[2].id))
    front.sync()
    back.sync()
    taken = book(back, c, 10)  # the other desk fills the slot first
    back.sync()
    request = BookingRequest(c.clinic.id, c.alice.id, c.consult.id, c.at(10))
    wait_list.book_entry(front.ctx, saved.entry.id, request)  # front has not pulled yet
    with front.database.reading() as session:
        groups = set(session.execute(select(SyncMutationRow.group_id)).scalars())
    assert len(groups) == 1  # the booking and the entry's removal travel together

    front.sync()

    assert conflicts.open_conflicts(front.database) != []
    assert [a.id for a in day(front, c)] == [taken.appointment.id]
    assert [e.id for e in wait_list.current_entries(front.ctx)] == [saved.entry.id]  # waiting
    converged(server, front, back)
