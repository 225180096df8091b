"""The week's fast constructors build the same values the entities' own would."""

from __future__ import annotations

import dataclasses
import pickle
import uuid
from datetime import UTC, datetime

import pytest

from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Attendance,
    CancellationReason,
)
from desktop.store.mapping import _positional, _stored_uuid

PLACE = Attendance(
    uuid.uuid4(), uuid.uuid4(), "Sam Lee", AppointmentStatus.CANCELLED, CancellationReason.SICK
)
WHEN = datetime(2031, 4, 5, 15, 30, tzinfo=UTC)
APPOINTMENT = Appointment(
    *(uuid.uuid4() for _ in range(4)),
    "Reformer",
    AppointmentKind.CLASS,
    "#7fb3d5",
    WHEN,
    WHEN.replace(hour=16),
    AppointmentStatus.BOOKED,
    None,
    "",
    3,
    (PLACE,),
    "Bring a towel",
    None,
    "",
    True,
    4,
    uuid.uuid4(),
)


def in_order(entity: object) -> tuple[object, ...]:
    return tuple(getattr(entity, f.name) for f in dataclasses.fields(entity))


@pytest.mark.parametrize("expected", [APPOINTMENT, PLACE], ids=["appointment", "attendance"])
def test_the_positional_constructor_builds_an_ordinary_frozen_entity(expected) -> None:
    entity = type(expected)
    built = _positional(entity)(*in_order(expected))
    assert type(built) is entity
    assert built == expected
    assert hash(built) == hash(expected)
    assert repr(built) == repr(expected)
    assert pickle.loads(pickle.dumps(built)) == expected
    assert dataclasses.replace(built) == expected
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.patient_name = "Someone else"


@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
class Watched:
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    name: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a name is needed")


def test_what_cannot_take_the_shortcut_is_built_by_the_entity_itself() -> None:
    # A different layout (a weak-reference slot) cannot be swapped: the class is used.
    assert _positional(Watched) is Watched
    # A check after __init__ would be skipped: refused outright.
    with pytest.raises(TypeError, match="not a plain dataclass"):
        _positional(Checked)


def test_a_stored_id_decodes_to_the_same_uuid() -> None:
    for made in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        decoded = _stored_uuid(made.hex)
        assert type(decoded) is uuid.UUID
        assert (decoded, str(decoded), hash(decoded)) == (made, str(made), hash(made))
        assert decoded.is_safe is uuid.SafeUUID.unknown
        assert pickle.loads(pickle.dumps(decoded)) == made
    already = uuid.uuid4()
    assert _stored_uuid(already) is already  # PostgreSQL's driver hands UUIDs over
