"""Importing patients and appointments from another system's CSV export.

One import is one unit of work: every row is checked and written inside a single
transaction, which is committed only when the whole file is acceptable — or, when
the user asked to skip bad rows, with the refused rows left out. A dry run takes
exactly the same path and rolls back, so its report is what the real run will do.

* **Who**: receptionists and administrators (receptionists register patients and
  book for every practitioner anyway); a practitioner account is refused. The
  command line acts as the clinic itself, as for `frontdesk demo`.
* **Already there** (skipped, never created twice): a patient with the same
  first and last name and date of birth, the same email, or the same id from the
  old system; an appointment of the same patient with the same practitioner at
  the same start (for a class: the patient already in that class session).
* **Booking rules** hold for every imported appointment: inactive practitioners
  and retired types are refused, classes keep their capacity, and a double
  booking is refused with the clash named — except when it is wholly in the
  past, where it is history, not a booking decision: it is imported marked as an
  accepted double booking (as a receptionist's "book anyway"). Working hours are
  not checked: the old system already accepted those times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktop.domain.csv_import import (
    ColumnMapping,
    ImportKind,
    SourceRow,
    SourceTable,
    check_header,
    decode,
    guess_mapping,
    mapped_by_hand,
    read_table,
)
from desktop.domain.errors import DomainError, InvalidInput, PermissionDenied
from desktop.domain.roles import Role
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.importing.appointments import AppointmentImporter
from desktop.services.importing.patients import PatientImporter
from desktop.services.importing.report import ImportReport, Outcome, RowOutcome
from desktop.services.importing.rows import WriteFailed, writing

__all__ = ["ImportReport", "ImportSource", "Outcome", "RowOutcome", "read_source", "run_import"]

# Alternatives: each group needs one of its fields mapped before an import can run.
REQUIRED: Mapping[ImportKind, tuple[tuple[str, ...], ...]] = {
    ImportKind.PATIENTS: (("first_name",), ("last_name",)),
    ImportKind.APPOINTMENTS: (
        ("patient", "patient_last_name", "patient_email", "patient_source_id"),
        ("practitioner",),
        ("appointment_type",),
        ("start",),
    ),
}


@dataclass(frozen=True, slots=True)
class ImportSource:
    """A file read and its columns recognised: what the dialog shows before importing."""

    path: Path
    table: SourceTable
    mapping: ColumnMapping
    note: str = ""  # e.g. the encoding had to be guessed


def read_source(
    path: Path, kind: ImportKind, choices: Mapping[str, str] | None = None
) -> ImportSource:
    """Read a CSV export and recognise its columns (plus the user's own choices)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    decoded = decode(data)
    table = read_table(decoded.text)
    mapping = mapped_by_hand(guess_mapping(kind, table.headers), choices or {})
    return ImportSource(path, table, mapping, decoded.note)


def run_import(
    ctx: ServiceContext,
    source: ImportSource,
    mapping: ColumnMapping | None = None,
    *,
    dry_run: bool,
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Check every row, and write them all in one transaction (unless a dry run or blocked)."""
    actor = ctx.actor()
    if actor.role is Role.PRACTITIONER:
        raise PermissionDenied("Only a receptionist or an administrator can import.")
    mapping = mapping or source.mapping
    check_header(mapping, REQUIRED[mapping.kind])
    with ctx.unit_of_work() as uow:
        importer: _Importer
        if mapping.kind is ImportKind.PATIENTS:
            importer = PatientImporter(uow.session)
        else:
            importer = AppointmentImporter(uow, ctx.now())
        outcomes = tuple(_take(importer, row, mapping.values(row)) for row in source.table.rows)
        with writing("The import"):
            uow.session.flush()  # rows are written together, after every check
        created = any(o.outcome is Outcome.CREATED for o in outcomes)
        blocked = any(o.outcome is Outcome.REFUSED for o in outcomes) and not skip_bad_rows
        imported = not dry_run and not blocked and created
        if imported:
            uow.commit()
    changes = importer.changes if imported else Changes()
    return ImportReport(
        mapping.kind, outcomes, dry_run, imported, skip_bad_rows, source.note, changes
    )


class _Importer(Protocol):
    changes: Changes

    def take(self, row: SourceRow, values: dict[str, str]) -> RowOutcome:
        """Check one row and, if it is to be created, add it to the session (unflushed)."""
        ...


def _take(importer: _Importer, row: SourceRow, values: dict[str, str]) -> RowOutcome:
    try:
        return importer.take(row, values)
    except WriteFailed:
        raise
    except DomainError as exc:
        return RowOutcome(row.number, Outcome.REFUSED, _describe(values), str(exc))


def _describe(values: Mapping[str, str]) -> str:
    """What a refused row is, in the file's own words."""
    names = [values.get(key, "") for key in ("first_name", "last_name")]
    names += [values.get(key, "") for key in ("patient_first_name", "patient_last_name")]
    name = values.get("patient") or " ".join(filter(None, names)) or "(no name)"
    when = values.get("start", "")
    return f"{name}, {when}" if when else name
