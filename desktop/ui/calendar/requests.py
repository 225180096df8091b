"""What the user asked for on the calendar, in wall-clock terms (the panel makes instants)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.domain.appointments import Appointment
from desktop.domain.people import Practitioner


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """Book here: a practitioner's day from a wall-clock minute (end None: type's length)."""

    practitioner: Practitioner
    day: date
    start_minute: int
    end_minute: int | None = None


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """Put this appointment here (a move, a resize, or both)."""

    appointment: Appointment
    practitioner: Practitioner
    day: date
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class Slot:
    """The keyboard's place on the grid: a column and a wall-clock minute."""

    column: int
    minute: int
