"""Reading another system's CSV export: decoding, the header, which column is which.

Clinics moving to Frontdesk bring a patients file and an appointments file
exported from Cliniko, Nookal, Halaxy, Power Diary and the like. Every system
names its columns a little differently ("First Name", "first_name", "Given
name"), so a column is recognised by its name with case, spaces and punctuation
ignored, and through a list of common aliases; anything not recognised can be
mapped by hand (the dialog's dropdowns, the CLI's `--map "Column=field"`).

Pure text handling only: no files, no database. `desktop.services.importing`
decides what each row means for the clinic.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.clinic_time import local_to_utc

# The field tables live in csv_fields (the command line loads only those); they are
# named here too, for the readers of files.
from desktop.domain.csv_fields import APPOINTMENT_FIELDS as APPOINTMENT_FIELDS
from desktop.domain.csv_fields import FIELDS as FIELDS
from desktop.domain.csv_fields import PATIENT_FIELDS as PATIENT_FIELDS
from desktop.domain.csv_fields import ImportField as ImportField
from desktop.domain.csv_fields import ImportKind as ImportKind
from desktop.domain.csv_fields import parse_map_option as parse_map_option
from desktop.domain.errors import InvalidInput


def normalised_name(text: str) -> str:
    """ "First Name", "first_name" and "FIRST-NAME " all read "firstname"."""
    return re.sub(r"[\W_]+", "", text.casefold())


def field_named(kind: ImportKind, key: str) -> ImportField:
    for item in FIELDS[kind]:
        if item.key == key:
            return item
    names = ", ".join(item.key for item in FIELDS[kind])
    raise InvalidInput(f"“{key}” is not something a {kind.value} import fills in (use: {names}).")


def _recognise(kind: ImportKind, header: str) -> str | None:
    wanted = normalised_name(header)
    for item in FIELDS[kind]:
        if any(normalised_name(alias) == wanted for alias in item.aliases):
            return item.key
    return None


# --- the file --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    note: str = ""  # said to the user when the encoding had to be guessed


def decode(data: bytes) -> DecodedText:
    """UTF-8 (with or without the BOM Excel writes); otherwise Windows-1252, saying so."""
    try:
        return DecodedText(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    return DecodedText(
        data.decode("cp1252", errors="replace"),
        "The file is not UTF-8, so it was read as Windows-1252 (Western European): "
        "check accented names in the preview, or export the file again as UTF-8.",
    )


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # the line in the file where the row starts (the header is line 1)
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceTable:
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]


def read_table(text: str) -> SourceTable:
    """The header row and the data rows; blank lines are left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    headers: tuple[str, ...] | None = None
    rows: list[SourceRow] = []
    try:
        while True:
            first_line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            cells = tuple(cell.strip() for cell in record)
            if headers is None:
                headers = cells
            else:
                rows.append(SourceRow(first_line, cells))
    except csv.Error as exc:
        raise InvalidInput(f"Line {reader.line_num} of the file is not valid CSV: {exc}.") from exc
    if headers is None:
        raise InvalidInput("The file is empty: it needs a header row naming its columns.")
    return SourceTable(headers, tuple(rows))


# --- which column is which -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """For each column of the file (by position), the field it fills, or None (ignored)."""

    kind: ImportKind
    headers: tuple[str, ...]
    fields: tuple[str | None, ...]

    def unmapped(self) -> list[str]:
        return [h for h, f in zip(self.headers, self.fields, strict=True) if f is None and h]

    def with_field(self, column: int, key: str | None) -> ColumnMapping:
        if key is not None:
            field_named(self.kind, key)
        fields = list(self.fields)
        fields[column] = key
        return ColumnMapping(self.kind, self.headers, tuple(fields))

    def values(self, row: SourceRow) -> dict[str, str]:
        """The row's text per field; a field mapped twice keeps the first non-empty value."""
        found: dict[str, str] = {}
        for key, cell in zip(self.fields, row.cells, strict=False):
            if key is not None and cell and not found.get(key):
                found[key] = cell
        return found


def guess_mapping(kind: ImportKind, headers: Sequence[str]) -> ColumnMapping:
    """Recognise the columns by name; a field claimed twice goes to the first column."""
    taken: set[str] = set()
    fields: list[str | None] = []
    for header in headers:
        key = _recognise(kind, header)
        fields.append(key if key is not None and key not in taken else None)
        if key is not None:
            taken.add(key)
    return ColumnMapping(kind, tuple(headers), tuple(fields))


def mapped_by_hand(mapping: ColumnMapping, choices: Mapping[str, str]) -> ColumnMapping:
    """Apply `{"Column name": "field"}` choices (column names compared loosely)."""
    for column, key in choices.items():
        wanted = normalised_name(column)
        index = next(
            (i for i, h in enumerate(mapping.headers) if normalised_name(h) == wanted), None
        )
        if index is None:
            raise InvalidInput(
                f"The file has no column “{column}” (its columns: {', '.join(mapping.headers)})."
            )
        mapping = mapping.with_field(index, key or None)
    return mapping


def check_header(mapping: ColumnMapping, required: Sequence[Sequence[str]]) -> None:
    """Refuse a file whose first row is data, or that lacks a column the import needs.

    `required` lists alternatives: each inner list needs one of its fields mapped.
    """
    if not any(mapping.fields):
        shown = ", ".join(mapping.headers[:4]) + (" …" if len(mapping.headers) > 4 else "")
        raise InvalidInput(
            f"None of the first row's columns is a name Frontdesk knows ({shown}): "
            "the file needs a header row, or map its columns by hand."
        )
    present = {key for key in mapping.fields if key}
    for choices in required:
        if not present.intersection(choices):
            labels = " or ".join(f"“{field_named(mapping.kind, key).label}”" for key in choices)
            raise InvalidInput(f"No column is mapped to {labels}.")


# --- values ----------------------------------------------------------------------

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?$", re.I)


def parse_day(text: str) -> date:
    """31/12/1980 (day first, as Australian exports write it) or 1980-12-31.

    Two-digit years are refused (is 05 1905 or 2005?), as are days that do not exist.
    """
    text = text.strip()
    day_first, year_first = _DAY_FIRST.match(text), _YEAR_FIRST.match(text)
    if day_first:
        day, month, year = day_first.groups()
        if len(year) == 2:
            raise InvalidInput(f"“{text}” has a two-digit year; write the year in full.")
    elif year_first:
        year, month, day = year_first.groups()
    else:
        raise InvalidInput(f"“{text}” is not a date (write 31/12/1980 or 1980-12-31).")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        hint = " (day first, as 31/12/1980)" if day_first and int(month) > 12 else ""
        raise InvalidInput(f"“{text}” is not a date that exists{hint}.") from None


def parse_wall_time(text: str) -> time:
    """09:30, 9:30 am, 14:05:00."""
    match = _TIME.match(text.strip())
    if match is None:
        raise InvalidInput(f"“{text}” is not a time of day.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    second, meridiem = int(match.group(3) or 0), (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{text}” is not a time of day.")
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidInput(f"“{text}” is not a time of day.")
    return time(hour, minute, second)


def parse_instant(text: str, zone: ZoneInfo, day: date | None = None) -> datetime:
    """A start or end as exports write it, in UTC.

    "31/12/2024 9:30", "2024-12-31 09:30", "2024-12-31T09:30:00+11:00" (an explicit
    offset is kept), or only a time when the day comes from a separate Date column.
    Times without an offset are the clinic's wall-clock time.
    """
    text = text.strip().replace("T", " ", 1) if "T" in text[:11] else text.strip()
    try:
        with_offset = datetime.fromisoformat(text)
    except ValueError:
        with_offset = None
    if with_offset is not None and with_offset.tzinfo is not None:
        return with_offset.astimezone(UTC)
    date_part, _, time_part = text.partition(" ")
    if _DAY_FIRST.match(date_part) or _YEAR_FIRST.match(date_part):
        if not time_part.strip():
            raise InvalidInput(f"“{text}” has a date but no time.")
        return local_to_utc(parse_day(date_part), parse_wall_time(time_part), zone)
    if day is None:
        raise InvalidInput(f"“{text}” is a time without a date (map the Date column too).")
    return local_to_utc(day, parse_wall_time(text), zone)


_STATUSES: Mapping[str, AppointmentStatus] = {
    **dict.fromkeys(
        ("", "booked", "confirmed", "scheduled", "pending", "unconfirmed", "tentative"),
        AppointmentStatus.BOOKED,
    ),
    **dict.fromkeys(("arrived", "checkedin", "waiting", "inroom"), AppointmentStatus.ARRIVED),
    **dict.fromkeys(
        ("completed", "complete", "attended", "finished", "seen", "done"),
        AppointmentStatus.COMPLETED,
    ),
    **dict.fromkeys(
        ("cancelled", "canceled", "cancellation", "latecancellation", "latecancel"),
        AppointmentStatus.CANCELLED,
    ),
    **dict.fromkeys(
        ("noshow", "didnotarrive", "dna", "didnotattend", "missed", "failedtoattend"),
        AppointmentStatus.NO_SHOW,
    ),
}


def parse_status(text: str) -> AppointmentStatus:
    status = _STATUSES.get(normalised_name(text))
    if status is None:
        raise InvalidInput(
            f"“{text}” is not a status Frontdesk knows "
            "(booked, arrived, completed, cancelled or no-show)."
        )
    return status


_NOT_SET = frozenset({"", "false", "no", "n", "0", "f", "none", "null"})


def status_of(values: Mapping[str, str]) -> AppointmentStatus:
    """The status column, overruled by a Cancelled or Did-not-arrive flag column."""
    if normalised_name(values.get("cancelled", "")) not in _NOT_SET:
        return AppointmentStatus.CANCELLED
    if normalised_name(values.get("did_not_arrive", "")) not in _NOT_SET:
        return AppointmentStatus.NO_SHOW
    return parse_status(values.get("status", ""))


def split_full_name(text: str) -> tuple[str, str]:
    """ "Lee, Sam" or "Sam Lee" as (first, last); the last word is the family name."""
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.strip().rpartition(" ")
    return first.strip(), last.strip()
