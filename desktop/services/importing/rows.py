"""What the patient and appointment importers share: finding patients, reading values."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desktop.domain.csv_import import normalised_name
from desktop.domain.errors import DomainError, InvalidInput
from desktop.services.patients import PatientDetails
from desktop.store.models import PatientRow

T = TypeVar("T")


class WriteFailed(DomainError):
    """A row passed every check but the database refused it: the whole import stops."""


@contextmanager
def writing(what: str) -> Iterator[None]:
    try:
        yield
    except (DomainError, SQLAlchemyError) as exc:
        raise WriteFailed(
            f"{what} passed every check but could not be saved ({exc}); nothing was imported."
        ) from exc


def parsed(label: str, text: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc}") from None


def check_lengths(model: type[PatientRow], values: Mapping[str, str]) -> None:
    """Refuse a value the database column cannot hold (PostgreSQL would refuse the lot)."""
    for name, value in values.items():
        length = getattr(model.__table__.c[name].type, "length", None)
        if length is not None and len(value) > length:
            label = name.replace("_", " ").capitalize()
            raise InvalidInput(f"{label} is longer than {length} characters.")


def name_key(first: str, last: str) -> tuple[str, str]:
    return normalised_name(first), normalised_name(last)


class PatientIndex:
    """Every patient, findable by name (+ birth date), email or old-system id."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[tuple[str, str], list[PatientRow]] = {}
        self.by_email: dict[str, PatientRow] = {}
        self.by_source: dict[str, PatientRow] = {}
        for row in session.execute(select(PatientRow).order_by(PatientRow.number)).scalars():
            self.add(row)

    def add(self, row: PatientRow) -> None:
        self.by_name.setdefault(name_key(row.first_name, row.last_name), []).append(row)
        if row.email:
            self.by_email.setdefault(row.email.casefold(), row)
        if row.source_id:
            self.by_source.setdefault(row.source_id, row)

    def same_person(self, details: PatientDetails, source_id: str) -> tuple[PatientRow, str] | None:
        if source_id and source_id in self.by_source:
            return self.by_source[source_id], "same patient id in the old system"
        named = self.by_name.get(name_key(details.first_name, details.last_name), [])
        born = [
            row
            for row in named
            if details.date_of_birth and row.date_of_birth == details.date_of_birth
        ]
        if born:
            return born[0], "same name and date of birth"
        if details.email and details.email.casefold() in self.by_email:
            return self.by_email[details.email.casefold()], "same email"
        return None
