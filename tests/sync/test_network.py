"""A link that drops, a session that lapses, a server that says "slow down"."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from desktop.auth.errors import ExpiryReason, SessionExpired
from desktop.server.rate_limit import Limit, RateLimits
from desktop.services import booking, calendar, patients
from desktop.services.booking import BookingRequest
from desktop.services.patients import PatientDetails
from desktop.store.models import AppointmentRow, PatientRow
from desktop.sync import conflicts
from desktop.sync.client import Offline, ServerCredentials
from desktop.sync.engine import SyncSettings
from desktop.sync.runner import SyncRunner, SyncState
from desktop.sync.state import load_state, pending_count
from tests.helpers.clinic import make_clinic
from tests.sync.harness import (
    PASSWORD,
    Desk,
    make_desk,
    migrated_database,
    running_server,
    table_contents,
)

pytestmark = pytest.mark.postgres


def count(database, model) -> int:  # type: ignore[no-untyped-def]
    with database.reading() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def book_three(desk: Desk, c) -> None:  # type: ignore[no-untyped-def]
    for hour, patient in ((9, 0), (10, 1), (11, 2)):
        booking.book_appointment(
            desk.ctx,
            BookingRequest(
                c.clinic.id, c.alice.id, c.consult.id, c.at(hour), c.patients[patient].id
            ),
        )


def test_a_push_whose_answer_is_lost_is_neither_lost_nor_doubled(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    book_three(front, clinic_on_server)
    front.transport.cut = lambda request: request.url.path == "/v1/sync/push"

    with pytest.raises(Offline):
        front.sync()

    assert front.transport.cuts == 1
    assert count(server.database, AppointmentRow) == 3  # the server did its part …
    assert pending_count(front.database) == 3  # … but the desk never heard back
    front.transport.cut = lambda request: False
    front.sync()  # sent again: answered from the record, applied once
    back.sync()
    assert count(server.database, AppointmentRow) == 3
    assert pending_count(front.database) == 0
    assert conflicts.open_conflicts(front.database) == []
    assert table_contents(front.database) == table_contents(back.database)


def test_a_pull_cut_off_part_way_resumes_and_applies_everything_once(
    tmp_path, server, clinic_on_server
) -> None:
    for i in range(23):
        patients.create_patient(server.ctx, PatientDetails("Many", f"Patient{i:02}"))
    # The paged pull from change 0 (no snapshot), as incremental pulls page.
    desk = make_desk(tmp_path, "fresh", server, settings=SyncSettings(pull_page=5, snapshot=False))
    pages = []

    def third_page(request: httpx.Request) -> bool:
        if request.url.path != "/v1/sync/changes":
            return False
        pages.append(int(request.url.params["since"]))
        return len(pages) == 3  # the server answers the third page; the answer is lost

    desk.transport.cut = third_page
    with pytest.raises(Offline):
        desk.sync()

    state = load_state(desk.database)
    assert state is not None and state.cursor == 0  # nothing applied, cursor not moved
    assert state.staged_cursor == pages[2]  # two pages safely staged
    assert count(desk.database, PatientRow) == 0

    pages.append(-1)  # from now on, nothing is cut
    desk.sync()
    assert pages[4] == pages[2]  # resumed at the lost page, not from the start
    assert count(desk.database, PatientRow) == count(server.database, PatientRow) == 27
    assert table_contents(desk.database) == table_contents(server.database)
    desk.close()


class Switch(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("network unreachable", request=request)
        return self.inner.handle_request(request)


def test_offline_the_desk_keeps_booking_and_catches_up_by_itself(
    desks, server, clinic_on_server
) -> None:
    front, back = desks
    switch = Switch(front.transport.inner)
    front.transport.inner = switch
    statuses = []
    runner = SyncRunner(front.engine, on_status=statuses.append, first_retry=5)
    switch.down = True

    book_three(front, clinic_on_server)
    assert runner.run_once() == 5  # try again soon
    assert runner.status.state is SyncState.OFFLINE
    assert runner.status.text == "Offline — 3 changes waiting to upload"
    assert runner.run_once() == 10  # and back off
    assert [runner.run_once() for _ in range(3)] == [20, 30, 30]  # half a minute at most

    switch.down = False
    assert runner.run_once() == 10  # back in touch: the next pass in 10 seconds
    assert runner.status.state is SyncState.SYNCED
    assert runner.status.pending == 0
    back.sync()
    assert (
        len(
            calendar.appointments_between(back.ctx, clinic_on_server.at(0), clinic_on_server.at(23))
        )
        == 3
    )
    assert [s.state for s in statuses][:2] == [SyncState.SYNCING, SyncState.OFFLINE]


def test_a_local_change_wakes_the_background_sync(desks, server, clinic_on_server) -> None:
    import threading

    front, _back = desks
    synced = threading.Event()

    def on_status(status) -> None:  # type: ignore[no-untyped-def]
        if (
            status.state is SyncState.SYNCED
            and status.pending == 0
            and count(server.database, AppointmentRow)
        ):
            synced.set()

    runner = SyncRunner(front.engine, interval=3600, on_status=on_status)
    runner.start()
    try:
        book_three(front, clinic_on_server)
        assert synced.wait(30)
    finally:
        runner.stop()
    assert count(server.database, AppointmentRow) == 3


def idle_for_twenty_minutes(server) -> None:  # type: ignore[no-untyped-def]
    server.clock.advance(timedelta(minutes=20))  # past the 15-minute idle timeout


def signed_out_by_an_administrator(server) -> None:  # type: ignore[no-untyped-def]
    server.authenticator.end_sessions_of(server.authenticator.users()[0].id)


def first_sync_with_a_lapse(tmp_path, server, lapse, credentials=None):  # type: ignore[no-untyped-def]
    """A fresh desk's first sync in pages of 4 (paged from change 0, without the snapshot, as
    an incremental pull pages); after the first page the session lapses."""
    for i in range(12):
        patients.create_patient(server.ctx, PatientDetails("Many", f"Patient{i:02}"))
    settings = SyncSettings(pull_page=4, snapshot=False)
    desk = make_desk(tmp_path, "late", server, credentials=credentials, settings=settings)
    seen = []

    def lapse_after_first_page(request: httpx.Request) -> bool:
        if request.url.path == "/v1/sync/changes":
            seen.append(request)
            if len(seen) == 1:
                lapse(server)
        return False

    desk.transport.cut = lapse_after_first_page
    return desk


def test_a_token_lapsing_mid_sync_is_refreshed_and_the_pass_goes_on(
    tmp_path, server, clinic_on_server
) -> None:
    desk = first_sync_with_a_lapse(tmp_path, server, idle_for_twenty_minutes)
    desk.sync()
    assert "POST /v1/sessions/refresh" in desk.transport.requests
    assert count(desk.database, PatientRow) == 16
    desk.close()


def test_a_revoked_session_mid_sync_asks_to_sign_in_and_resumes(
    tmp_path, server, clinic_on_server
) -> None:
    asked: list[SessionExpired] = []

    def sign_in_again(expired: SessionExpired) -> bool:
        asked.append(expired)
        desk.api.sign_in("admin", PASSWORD)  # what the sign-in prompt does
        return True

    desk = first_sync_with_a_lapse(
        tmp_path, server, signed_out_by_an_administrator, ServerCredentials(sign_in_again)
    )
    desk.sync()

    assert [e.reason for e in asked] == [ExpiryReason.REVOKED]
    assert count(desk.database, PatientRow) == 16
    desk.close()


def test_with_nobody_to_sign_in_the_caller_gets_session_expired_then_resumes(
    tmp_path, server, clinic_on_server
) -> None:
    desk = first_sync_with_a_lapse(tmp_path, server, signed_out_by_an_administrator)

    with pytest.raises(SessionExpired) as raised:
        desk.sync()
    assert raised.value.reason is ExpiryReason.REVOKED
    staged = load_state(desk.database)
    assert staged is not None and staged.staged_cursor

    desk.api.sign_in("admin", PASSWORD)
    desk.sync()
    assert count(desk.database, PatientRow) == 16
    desk.close()


def test_the_client_waits_as_told_by_429_and_carries_on(tmp_path, postgres_server) -> None:
    limits = RateLimits(per_token=Limit(3, 60), per_address=None, sign_in=None)
    with running_server(migrated_database(postgres_server), limits) as server:
        make_clinic(server.ctx)
        # Many small pages (the snapshot's single request: tests/sync/test_snapshot.py).
        settings = SyncSettings(pull_page=3, snapshot=False)
        desk = make_desk(tmp_path, "busy", server, settings=settings)
        desk.sync()
        assert desk.sleeps  # it was told to wait, and did
        assert all(s >= 1 for s in desk.sleeps)
        assert table_contents(desk.database) == table_contents(server.database)
        desk.close()


def test_the_runner_waits_for_a_sign_in_then_carries_on(desks, server, clinic_on_server) -> None:
    front, _ = desks
    asked: list[SessionExpired] = []
    runner = SyncRunner(front.engine, on_session_expired=asked.append)
    book_three(front, clinic_on_server)
    signed_out_by_an_administrator(server)

    assert runner.run_once() is None  # nothing more until someone signs in
    assert runner.status.state is SyncState.SIGNED_OUT
    assert runner.status.text == "Sign in to the server to keep syncing"
    assert [e.reason for e in asked] == [ExpiryReason.REVOKED]

    front.api.sign_in("admin", PASSWORD)
    runner.signed_in()
    runner.run_once()
    assert runner.status.state is SyncState.SYNCED
    assert count(server.database, AppointmentRow) == 3
