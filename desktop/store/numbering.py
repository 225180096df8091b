"""Document numbers that never collide across desks, online or offline.

Invoices (FD-000123), credit lots (FDC-000012) and everything numbered after
them (payments FD-000123-P1, refunds -R1, credit applications FDC-000012-A1 …)
are printed on receipts, so a number is final the moment it is made — even on a
desk that is offline. Asking the server for each number would stop billing when
the internet drops, and renumbering later would change printed receipts.

So each desk that follows a server numbers in its *own series*: when it first
syncs, the server gives it a desk code (A, B, … Z, AA, AB …; see
`desktop/server/desks.py`), and the desk counts its own invoices and lots in
that series: FD-B-000123, FDC-B-000012. Numbers made after a parent carry the
code of the desk that made them (FD-A-000123-P2B: the second payment on desk A's
invoice, taken at desk B), because two desks may each add "the second payment"
to the same invoice while offline. The database's unique constraints on every
number stand behind the scheme, on the server and on each desk.

A store of its own — the embedded desk, or the server's database when a service
runs there (the CLI, the server-side senders) — has the empty series and keeps
today's look (FD-000123, FD-000123-P1). A replica that has not yet been given its
code (a desk upgraded while offline) refuses to make numbers until it syncs once,
rather than risk a number another desk may also print.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.domain.errors import InvalidInput
from desktop.store.sync_models import SyncStateRow


class NoDeskCode(InvalidInput):
    """A replica asked for a number before the server gave it its desk code."""


def desk_series(session: Session) -> str:
    """ "" on a store of its own; the desk's code on a replica of the clinic's server."""
    state = session.get(SyncStateRow, 1)
    if state is None:
        return ""
    if not state.desk_code:
        raise NoDeskCode(
            "This computer has not been given its desk letter by the clinic's server yet, "
            "so it cannot number invoices or credit. Connect to the server once, then try again."
        )
    return state.desk_code


def next_in_series(
    session: Session,
    sequence: InstrumentedAttribute[int],
    series: InstrumentedAttribute[str],
    lock_key: int,
) -> tuple[str, int]:
    """(series, next sequence in it); callers hold a write transaction."""
    code = desk_series(session)
    if session.get_bind().dialect.name == "postgresql":
        # Two writers on the server database must not pick the same number.
        session.execute(text(f"SELECT pg_advisory_xact_lock({lock_key})"))
    current: Any = session.execute(
        select(func.max(sequence)).where(series == code)
    ).scalar_one_or_none()
    return code, (current or 0) + 1
