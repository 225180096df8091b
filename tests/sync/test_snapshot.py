"""A desk's first sync loads the server's snapshot in one transaction, then pulls after it."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
import uuid
from collections.abc import Callable, Generator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, func, select

from desktop.domain.appointments import CancellationReason
from desktop.domain.billing import PaymentMethod
from desktop.domain.money import Money
from desktop.domain.outbox import Channel
from desktop.server import snapshot as server_snapshot
from desktop.server.rate_limit import Limit, RateLimits
from desktop.services import billing, booking, credit, patients, xero_settings
from desktop.services.patients import PatientDetails
from desktop.store.database import Database
from desktop.store.models import AppointmentRow
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.sync_models import NOT_CLINIC_DATA, PULLED_ONLY, SYNCED_TABLES, SyncChangeRow
from desktop.sync.client import Offline
from desktop.sync.codec import synced_table
from desktop.sync.engine import SyncSettings
from desktop.sync.snapshot import load_snapshot
from desktop.sync.state import load_state
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.helpers.postgres import PostgresServer
from tests.sync.harness import Desk, ServerSide, make_desk, migrated_database, running_server
from tests.sync.test_convergence import book, converged
from tests.sync.test_money_sync import cash, consult, pass_of

pytestmark = pytest.mark.postgres

SNAPSHOT = "/v1/sync/snapshot"
# Text that COPY escapes (backslash, tab, newline, a literal "\N") and that it does not.
AWKWARD = "back\\slash\ttab\nnew line \\N café — 😀"


def stored(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every synced table exactly as SQLite holds it (values and their storage classes)."""
    path = database.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as connection:
        return {
            name: [
                tuple((value, type(value).__name__) for value in row)
                for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY id')
            ]
            for name in SYNCED_TABLES
        }


def synced_rows(database: Database) -> int:
    """The clinic's rows (not the sign-in policy every database has from its migration)."""
    with database.reading() as session:
        return sum(
            int(session.execute(select(func.count()).select_from(synced_table(name))).scalar_one())
            for name in SYNCED_TABLES
            if name not in NOT_CLINIC_DATA
        )


def money_and_oddities(server: ServerSide, c: ClinicFixture) -> None:
    """Something in every kind of column: money, credit, a cancellation, awkward text; and
    the Xero jobs of all that on the server, which stay there (only message jobs sync)."""
    xero_settings.save_connection(
        server.database, client_id="client", connection_key="key", tenant_id="t", tenant_name="T"
    )
    ctx, here = server.ctx, on_server(server)
    paid, _ = billing.invoice_appointment(ctx, consult(here, c, 9).id)
    billing.take_payment(ctx, paid.id, cash(9000))
    part, _ = billing.invoice_appointment(ctx, consult(here, c, 10, 1).id)
    billing.take_payment(ctx, part.id, cash(4000))
    billing.refund(ctx, part.id, Money(1000), PaymentMethod.CASH, "Over\\charged")
    package = pass_of(here, c, 5)
    credit.sell_package(ctx, c.patients[2].id, package.id, PaymentMethod.CARD)
    odd = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            c.clinic.id,
            c.bob.id,
            c.consult.id,
            c.at(13),
            patient_id=c.patients[3].id,
            notes=AWKWARD,
        ),
    ).appointment
    booking.cancel_appointment(ctx, odd.id, CancellationReason.OTHER, "away\tuntil \\N June")


def xero_jobs_on(server: ServerSide) -> int:
    with server.database.reading() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(OutboxJobRow)
                .where(OutboxJobRow.channel == Channel.XERO.value)
            ).scalar_one()
        )


def on_server(server: ServerSide) -> Desk:
    """The server's own services, where the helpers expect a desk (they use only `ctx`)."""
    return _AsDesk(server)  # type: ignore[return-value]


class _AsDesk:
    def __init__(self, server: ServerSide) -> None:
        self.ctx = server.ctx


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes], inner: httpx.SyncByteStream) -> None:
        self.chunks = chunks
        self.inner = inner

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks

    def close(self) -> None:
        self.inner.close()


class SnapshotTap(httpx.BaseTransport):
    """Passes requests on; the snapshot's body goes through `tap` (to cut it, or act midway)."""

    def __init__(
        self, inner: httpx.BaseTransport, tap: Callable[[Iterator[bytes]], Iterator[bytes]]
    ) -> None:
        self.inner = inner
        self.tap = tap

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path != SNAPSHOT:
            return response
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Stream(self.tap(iter(stream)), stream),
            extensions=response.extensions,
        )


def tapped(desk: Desk, tap: Callable[[Iterator[bytes]], Iterator[bytes]]) -> None:
    desk.transport.inner = SnapshotTap(desk.transport.inner, tap)


@pytest.fixture(params=[PULLED_ONLY, frozenset(SYNCED_TABLES)], ids=["copy", "json"])
def sent_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot as served ("copy"), and with every table row by row ("json": how a
    table whose column types COPY cannot carry is sent)."""
    monkeypatch.setattr(server_snapshot, "ROW_BY_ROW", request.param)


@pytest.mark.usefixtures("sent_as")
def test_the_snapshot_stores_exactly_what_pulling_every_change_stores(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    money_and_oddities(server, clinic_on_server)
    bulk = make_desk(tmp_path, "bulk", server)
    paged = make_desk(tmp_path, "paged", server, settings=SyncSettings(snapshot=False))
    bulk.sync()
    paged.sync()
    assert f"GET {SNAPSHOT}" in bulk.transport.requests
    assert f"GET {SNAPSHOT}" not in paged.transport.requests
    assert stored(bulk.database) == stored(paged.database)
    everything = stored(bulk.database)
    assert all(everything[name] for name in ("invoices", "payments", "refunds", "credit_lots"))
    assert not everything["outbox_jobs"] and xero_jobs_on(server)
    converged(server, bulk, paged)
    state = load_state(bulk.database)
    assert state is not None and state.cursor == load_state(paged.database).cursor  # type: ignore[union-attr]
    for desk in (bulk, paged):
        desk.close()


def test_changes_made_during_the_transfer_come_with_the_pull_after_it(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    c = clinic_on_server
    moved = book(on_server(server), c, 9).appointment
    doomed = book(on_server(server), c, 10).appointment
    desk = make_desk(tmp_path, "new", server)
    made: list[object] = []

    def meanwhile(chunks: Iterator[bytes]) -> Iterator[bytes]:
        yield next(chunks)  # the server has fixed its snapshot: now the clinic moves on
        made.append(book(on_server(server), c, 11).appointment)
        booking.move_appointment(
            server.ctx,
            moved.id,
            practitioner_id=c.alice.id,
            starts_at=c.at(14),
            ends_at=c.at(14, 30),
        )
        booking.delete_appointment(server.ctx, doomed.id)
        yield from chunks

    tapped(desk, meanwhile)
    desk.sync()
    assert made
    assert desk.transport.requests.count(f"GET {SNAPSHOT}") == 1
    converged(server, desk)
    desk.close()


def test_a_transfer_cut_off_part_way_leaves_nothing_and_starts_again(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    money_and_oddities(server, clinic_on_server)
    desk = make_desk(tmp_path, "new", server)
    cuts: list[str] = []

    def dropped(chunks: Iterator[bytes]) -> Iterator[bytes]:
        body = b"".join(chunks)
        yield body[: len(body) * 2 // 3]
        cuts.append("dropped")
        raise httpx.ReadError("connection reset")

    def ended_early(chunks: Iterator[bytes]) -> Iterator[bytes]:
        # A clean end of the body, at a line break, before the snapshot's end line.
        body = b"".join(chunks)
        yield body[: body.rindex(b"\n", 0, len(body) - 2) + 1]
        cuts.append("ended early")

    def garbled(chunks: Iterator[bytes]) -> Iterator[bytes]:
        # Gzipped bytes mangled on the way (a proxy): unzipping fails part-way.
        body = b"".join(chunks)
        middle = len(body) // 2
        cuts.append("garbled")  # before: the desk stops reading at the bad bytes
        yield body[:middle] + bytes(64) + body[middle + 64 :]

    inner = desk.transport.inner
    for cut in (dropped, ended_early, garbled):
        desk.transport.inner = SnapshotTap(inner, cut)
        with pytest.raises(Offline):
            desk.sync()
        assert synced_rows(desk.database) == 0
        state = load_state(desk.database)
        assert state is not None and state.cursor == 0
    assert cuts == ["dropped", "ended early", "garbled"]
    desk.transport.inner = inner
    desk.sync()
    converged(server, desk)
    desk.close()


@pytest.mark.usefixtures("sent_as")
def test_a_desk_loading_it_again_keeps_changes_waiting_and_drops_what_the_server_lost(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    """What a desk told to download the clinic again (410) does, before it pushes again."""
    c, here = clinic_on_server, on_server(server)
    gone = book(here, c, 9).appointment
    desk = make_desk(tmp_path, "back", server)
    desk.sync()
    jo = c.patients[2]
    patients.update_patient(
        desk.ctx, jo.id, PatientDetails("Jo", "Citizen", jo.date_of_birth, notes="desk"), 1
    )
    patients.update_patient(
        server.ctx, jo.id, PatientDetails("Jo", "Citizen", jo.date_of_birth, notes="server"), 1
    )
    booking.delete_appointment(server.ctx, gone.id)
    sam = c.patients[1]
    patients.update_patient(
        server.ctx, sam.id, PatientDetails("Sam", "Moved", sam.date_of_birth, notes="server"), 1
    )

    loaded = load_snapshot(desk.database, desk.api, lambda *_: None)

    assert patients.get_patient(desk.ctx, jo.id).notes == "desk"  # still waiting to upload
    assert patients.get_patient(desk.ctx, sam.id).notes == "server"  # nothing waits on it
    with desk.database.reading() as session:
        assert session.get(AppointmentRow, gone.id) is None  # the server no longer has it
    state = load_state(desk.database)
    assert state is not None and state.cursor == loaded.cursor > 0
    desk.close()


def test_loading_it_again_keeps_the_desks_own_rows_of_a_kind_that_never_syncs(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    """The receipt of an SMS credit purchase stays in the desk's message log; a
    message the server no longer has goes."""
    desk = make_desk(tmp_path, "back", server)
    desk.sync()
    own, lost = uuid.uuid4(), uuid.uuid4()
    path = desk.database.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as connection:  # as older rows were written, before the log synced
        connection.execute("PRAGMA foreign_keys = OFF")
        for ident, purchase in ((own, uuid.uuid4().hex), (lost, None)):
            connection.execute(
                "INSERT INTO outgoing_messages (id, clinic_id, job_id, channel, purpose, "
                "purchase_id, recipient, subject, body, segments, provider_id, delivery_status, "
                "delivery_detail, created_at, updated_at, version) VALUES (?, ?, ?, 'sms', "
                "'receipt', ?, '', '', '', 0, '', '', '', '2030-01-01 00:00:00.000000', "
                "'2030-01-01 00:00:00.000000', 1)",
                (ident.hex, clinic_on_server.clinic.id.hex, uuid.uuid4().hex, purchase),
            )

    load_snapshot(desk.database, desk.api, lambda *_: None)

    with sqlite3.connect(path) as connection:
        kept = [row[0] for row in connection.execute("SELECT id FROM outgoing_messages")]
    assert kept == [own.hex]
    desk.close()


def test_only_a_signed_in_user_gets_the_snapshot_and_users_match_the_change_log(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    anonymous = httpx.get(f"{server.url}{SNAPSHOT}")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]
    forged = httpx.get(f"{server.url}{SNAPSHOT}", headers={"Authorization": "Bearer nonsense"})
    assert forged.status_code == 401
    desk = make_desk(tmp_path, "reception", server, username="reception")
    with desk.api.snapshot() as chunks:
        lines = b"".join(chunks).decode().split("\n")
    header = json.loads(lines[0])
    assert header["snapshot"] == 1 and header["cursor"] > 0
    start = next(n for n, line in enumerate(lines) if line.startswith('{"table":"users"'))
    users = [json.loads(line) for line in lines[start + 1 : lines.index("\\.", start)]]
    changes = desk.api.changes(0, 5000)["changes"]
    expected = [change["row"] for change in changes if change["entity"] == "users"]
    assert sorted(users, key=str) == sorted(expected, key=str)
    assert json.loads(lines[-2]) == {"end": True, "rows": header["rows"]}
    desk.close()


def test_a_lapsed_session_is_renewed_before_the_transfer(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    desk = make_desk(tmp_path, "late", server)

    def idle_after_registering(request: httpx.Request) -> bool:
        if request.url.path == "/v1/sync/desk":
            server.clock.advance(timedelta(minutes=20))  # past the idle timeout
        return False

    desk.transport.cut = idle_after_registering
    desk.sync()
    asked = desk.transport.requests
    first = asked.index(f"GET {SNAPSHOT}")
    assert asked[first : first + 3] == [
        f"GET {SNAPSHOT}",
        "POST /v1/sessions/refresh",
        f"GET {SNAPSHOT}",
    ]
    converged(server, desk)
    desk.close()


def test_a_busy_server_is_waited_for_before_the_transfer(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    limits = RateLimits(per_token=Limit(1, 60), per_address=None, sign_in=None)
    with running_server(migrated_database(postgres_server), limits) as server:
        make_clinic(server.ctx)
        desk = make_desk(tmp_path, "busy", server)
        desk.sync()
        assert desk.sleeps and all(s >= 1 for s in desk.sleeps)  # told to wait, and did
        assert f"GET {SNAPSHOT}" in desk.transport.requests
        converged(server, desk)
        desk.close()


def test_an_empty_clinic_is_downloaded_once_and_pulled_after(
    tmp_path: Path, server: ServerSide
) -> None:
    """Its snapshot stands at change 0: the desk must still remember it has taken it."""
    desk = make_desk(tmp_path, "first", server)
    with server.database.engine.begin() as connection:
        # Its accounts are older than its change log (as on an upgraded server).
        connection.execute(delete(SyncChangeRow))
    desk.sync()
    state = load_state(desk.database)
    assert state is not None and state.cursor == 0
    desk.sync()
    asked = desk.transport.requests
    assert asked.count(f"GET {SNAPSHOT}") == 1
    assert asked[-1].startswith("GET /v1/sync/changes")  # the second pass pulled instead
    made = book(on_server(server), make_clinic(server.ctx), 9).appointment
    desk.sync()
    assert asked.count(f"GET {SNAPSHOT}") == 1
    with desk.database.reading() as session:
        assert session.get(AppointmentRow, made.id) is not None
    desk.close()


class AskedEncoding(httpx.BaseTransport):
    """Asks `path` with `accept` as Accept-Encoding (None: as the desk asks) and notes
    each answer's Content-Encoding."""

    def __init__(
        self, inner: httpx.BaseTransport, accept: str | None, path: str = SNAPSHOT
    ) -> None:
        self.inner = inner
        self.accept = accept
        self.path = path
        self.answered: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.path and self.accept is not None:
            request.headers["Accept-Encoding"] = self.accept
        response = self.inner.handle_request(request)
        if request.url.path == self.path:
            self.answered.append(response.headers.get("Content-Encoding"))
        return response


def test_the_snapshot_is_gzipped_when_the_desk_asks_and_loads_the_same_either_way(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    money_and_oddities(server, clinic_on_server)
    zipped = make_desk(tmp_path, "zipped", server)
    plain = make_desk(tmp_path, "plain", server)
    wire: dict[str, int] = {}
    for desk, accept in ((zipped, None), (plain, "identity")):
        asked = AskedEncoding(desk.transport.inner, accept)
        desk.transport.inner = asked

        def counted(chunks: Iterator[bytes], name: str = desk.name) -> Iterator[bytes]:
            for chunk in chunks:  # the bytes on the wire, before the desk unzips them
                wire[name] = wire.get(name, 0) + len(chunk)
                yield chunk

        tapped(desk, counted)
        desk.sync()
        assert asked.answered == (["gzip"] if accept is None else [None])
    assert stored(zipped.database) == stored(plain.database)
    converged(server, zipped, plain)
    assert wire["zipped"] * 3 < wire["plain"]
    for desk in (zipped, plain):
        desk.close()


def test_pulled_pages_are_gzipped_when_the_desk_asks_and_apply_the_same_either_way(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    money_and_oddities(server, clinic_on_server)
    paged = SyncSettings(pull_page=10, snapshot=False)  # pulled page by page, as deltas are
    zipped = make_desk(tmp_path, "zipped", server, settings=paged)
    plain = make_desk(tmp_path, "plain", server, settings=paged)
    for desk, accept in ((zipped, None), (plain, "identity")):
        asked = AskedEncoding(desk.transport.inner, accept, path="/v1/sync/changes")
        desk.transport.inner = asked
        desk.sync()
        assert len(asked.answered) > 1  # several pages
        if accept is None:
            assert asked.answered[0] == "gzip"  # a last page under a packet goes as it is
        else:
            assert set(asked.answered) == {None}
    assert stored(zipped.database) == stored(plain.database)
    converged(server, zipped, plain)
    for desk in (zipped, plain):
        desk.close()


def test_gzipping_streams_as_the_snapshot_is_read_and_closes_it_when_dropped() -> None:
    noise = random.Random(7)
    pieces = [noise.randbytes(server_snapshot.CHUNK_BYTES) for _ in range(4)]  # incompressible
    read: list[int] = []
    closed: list[bool] = []

    def source() -> Generator[bytes]:
        try:
            for piece in pieces:
                read.append(len(piece))
                yield piece
        finally:
            closed.append(True)

    stream = server_snapshot.gzipped(source())
    first = next(stream)
    assert first and len(read) == 1  # sent before the rest is read
    whole = first + b"".join(stream)
    assert gzip.decompress(whole) == b"".join(pieces)
    dropped = server_snapshot.gzipped(source())
    next(dropped)
    dropped.close()  # the client hung up
    assert closed == [True, True]


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        ("gzip, deflate", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_gzip_only_when_the_request_accepts_it(header: str, gzipped: bool) -> None:
    assert server_snapshot.accepts_gzip(header) is gzipped
