"""The booking rules again, as database guards, so no writer can bypass the services.

The services check every rule first and give a friendly message; these guards are
the backstop for races and for any client that skips the services. Their messages
carry a marker that desktop.store.integrity turns back into the domain error.

PostgreSQL: an exclusion constraint (no two live, non-overridden appointments of a
practitioner overlap) and a trigger refusing inactive practitioners.
SQLite: triggers doing both (SQLite serialises writers, so a trigger is race-free).
"""

from __future__ import annotations

INACTIVE_MARKER = "FRONTDESK_PRACTITIONER_INACTIVE"
OVERLAP_MARKER = "FRONTDESK_DOUBLE_BOOKING"
OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
TOO_LONG_MARKER = "FRONTDESK_APPOINTMENT_TOO_LONG"
TOO_LONG_CONSTRAINT = "ck_appointments_longest"
# desktop.domain.rules.LONGEST_APPOINTMENT, written out: a migration must not change
# meaning when the domain constant later does (a test keeps the two equal today).
LONGEST_HOURS = 12

_SQLITE_OVERLAP = """
    NEW.status <> 'cancelled' AND NEW.overrides_double_booking = 0 AND EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.practitioner_id = NEW.practitioner_id AND a.id <> NEW.id
          AND a.status <> 'cancelled' AND a.overrides_double_booking = 0
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at)
"""
# Revision 0009 onwards: no appointment is longer than LONGEST_HOURS (guarded below), so
# one that starts more than that before NEW cannot reach it. The bound lets the trigger
# walk ix_appointments_practitioner_starts over a day instead of the whole history. A
# spare minute covers datetime() dropping fractions of a second; a looser bound is
# still sound.
_SQLITE_OVERLAP_BOUNDED = (
    _SQLITE_OVERLAP.rstrip().removesuffix(")")
    + f"\n          AND a.starts_at >= datetime(NEW.starts_at, '-{LONGEST_HOURS} hours', '-1 minute'))"
)
# Revision 0012_noshow onwards: a no-show frees its time like a cancellation (the rest of
# it can go to the wait list), so neither holds time against another booking.
_SQLITE_OVERLAP_NO_SHOW_FREE = _SQLITE_OVERLAP_BOUNDED.replace(
    "status <> 'cancelled'", "status NOT IN ('cancelled', 'no_show')"
)
_SQLITE_TOO_LONG = (
    f"CAST(strftime('%s', NEW.ends_at) AS INTEGER) - CAST(strftime('%s', NEW.starts_at) AS INTEGER)"
    f" > {LONGEST_HOURS * 3600}"
)
_SQLITE_INACTIVE = (
    "NEW.status <> 'cancelled' AND "
    "(SELECT active FROM practitioners WHERE id = NEW.practitioner_id) = 0"
)
_SQLITE_MOVED = (
    "(NEW.practitioner_id <> OLD.practitioner_id OR NEW.starts_at <> OLD.starts_at "
    "OR NEW.ends_at <> OLD.ends_at OR OLD.status = 'cancelled')"
)

_SQLITE_TRIGGERS = {
    "appointments_overlap_insert": ("INSERT", _SQLITE_OVERLAP, OVERLAP_MARKER),
    "appointments_overlap_update": ("UPDATE", _SQLITE_OVERLAP, OVERLAP_MARKER),
    "appointments_inactive_insert": ("INSERT", _SQLITE_INACTIVE, INACTIVE_MARKER),
    "appointments_inactive_update": (
        "UPDATE",
        f"{_SQLITE_INACTIVE} AND {_SQLITE_MOVED}",
        INACTIVE_MARKER,
    ),
}

_SQLITE_BOUNDED_TRIGGERS = {
    "appointments_overlap_insert": ("INSERT", _SQLITE_OVERLAP_BOUNDED, OVERLAP_MARKER),
    "appointments_overlap_update": ("UPDATE", _SQLITE_OVERLAP_BOUNDED, OVERLAP_MARKER),
    "appointments_too_long_insert": ("INSERT", _SQLITE_TOO_LONG, TOO_LONG_MARKER),
    "appointments_too_long_update": ("UPDATE", _SQLITE_TOO_LONG, TOO_LONG_MARKER),
}

_SQLITE_NO_SHOW_FREE_TRIGGERS = {
    "appointments_overlap_insert": ("INSERT", _SQLITE_OVERLAP_NO_SHOW_FREE, OVERLAP_MARKER),
    "appointments_overlap_update": ("UPDATE", _SQLITE_OVERLAP_NO_SHOW_FREE, OVERLAP_MARKER),
}


def _pg_overlap_constraint(held_by: str) -> str:
    return (
        f"ALTER TABLE appointments ADD CONSTRAINT {OVERLAP_CONSTRAINT} "
        "EXCLUDE USING gist (practitioner_id WITH =, "
        "tstzrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE ({held_by} AND NOT overrides_double_booking)"
    )


_PG_INACTIVE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION frontdesk_refuse_inactive_practitioner() RETURNS trigger AS $$
BEGIN
    IF NEW.status <> 'cancelled'
       AND (TG_OP = 'INSERT' OR NEW.practitioner_id <> OLD.practitioner_id
            OR NEW.starts_at <> OLD.starts_at OR NEW.ends_at <> OLD.ends_at
            OR OLD.status = 'cancelled')
       AND NOT (SELECT active FROM practitioners WHERE id = NEW.practitioner_id) THEN
        RAISE EXCEPTION '{INACTIVE_MARKER}: practitioner % is inactive', NEW.practitioner_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _create_sqlite_triggers(triggers: dict[str, tuple[str, str, str]]) -> None:
    from alembic import op  # loaded by migrations only, not by the app

    for name, (event, condition, marker) in triggers.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON appointments "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{marker}'); END"
        )


def _replace_sqlite_triggers(triggers: dict[str, tuple[str, str, str]]) -> None:
    from alembic import op  # loaded by migrations only, not by the app

    for name in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _create_sqlite_triggers(triggers)


def guard_calendar_rules() -> None:
    """Revision 0001's guards (kept as they were: later revisions refine them)."""
    from alembic import op  # loaded by migrations only, not by the app

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _create_sqlite_triggers(_SQLITE_TRIGGERS)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(_pg_overlap_constraint("status <> 'cancelled'"))
        op.execute(_PG_INACTIVE_FUNCTION)
        op.execute(
            "CREATE TRIGGER appointments_refuse_inactive BEFORE INSERT OR UPDATE ON appointments "
            "FOR EACH ROW EXECUTE FUNCTION frontdesk_refuse_inactive_practitioner()"
        )


def drop_calendar_rule_guards() -> None:
    from alembic import op  # loaded by migrations only, not by the app

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS appointments_refuse_inactive ON appointments")
        op.execute("DROP FUNCTION IF EXISTS frontdesk_refuse_inactive_practitioner()")
        op.execute(f"ALTER TABLE appointments DROP CONSTRAINT IF EXISTS {OVERLAP_CONSTRAINT}")


def guard_appointment_length() -> None:
    """Revision 0009: the store refuses appointments longer than LONGEST_HOURS, and the
    SQLite overlap triggers look back only that far (see _SQLITE_OVERLAP_BOUNDED).

    PostgreSQL needs no bound: the exclusion constraint's GiST index already finds
    the overlapping rows of one practitioner without walking their history.
    """
    from alembic import op  # loaded by migrations only, not by the app

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _replace_sqlite_triggers(_SQLITE_BOUNDED_TRIGGERS)
    elif dialect == "postgresql":
        op.execute(
            f"ALTER TABLE appointments ADD CONSTRAINT {TOO_LONG_CONSTRAINT} "
            f"CHECK (ends_at - starts_at <= interval '{LONGEST_HOURS} hours')"
        )


def drop_appointment_length_guard() -> None:
    """Back to revision 0001's guards."""
    from alembic import op  # loaded by migrations only, not by the app

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in _SQLITE_BOUNDED_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        _create_sqlite_triggers(
            {name: _SQLITE_TRIGGERS[name] for name in _SQLITE_BOUNDED_TRIGGERS if "overlap" in name}
        )
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE appointments DROP CONSTRAINT IF EXISTS {TOO_LONG_CONSTRAINT}")


def free_no_show_time() -> None:
    """Revision 0012_noshow: a no-show holds no time against other bookings (as a
    cancellation), so the rest of it can be booked from the wait list."""
    _replace_overlap_guards(_SQLITE_NO_SHOW_FREE_TRIGGERS, "status NOT IN ('cancelled', 'no_show')")


def hold_no_show_time() -> None:
    """Back to revision 0009's guards, where a no-show keeps its time. Fails (and changes
    nothing) if a booking has been made over a no-show since."""
    _replace_overlap_guards(
        {name: _SQLITE_BOUNDED_TRIGGERS[name] for name in _SQLITE_NO_SHOW_FREE_TRIGGERS},
        "status <> 'cancelled'",
    )


def _replace_overlap_guards(triggers: dict[str, tuple[str, str, str]], pg_held_by: str) -> None:
    from alembic import op  # loaded by migrations only, not by the app

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _replace_sqlite_triggers(triggers)
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE appointments DROP CONSTRAINT IF EXISTS {OVERLAP_CONSTRAINT}")
        op.execute(_pg_overlap_constraint(pg_held_by))
