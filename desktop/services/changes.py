"""What a use case changed, so every screen refreshes from one event (Anki's pattern)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Changes:
    appointments: bool = False
    patients: bool = False
    practitioners: bool = False
    appointment_types: bool = False
    clinic: bool = False
    billing: bool = False
    outbox: bool = False
    sign_in_policy: bool = False  # idle timeout / session lifetime: the idle lock re-reads it
    wait_list: bool = False
    ids: frozenset[UUID] = field(default_factory=frozenset)

    def __or__(self, other: Changes) -> Changes:
        merged = {
            f.name: getattr(self, f.name) or getattr(other, f.name)
            for f in fields(self)
            if f.name != "ids"
        }
        return Changes(**merged, ids=self.ids | other.ids)

    @property
    def anything(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "ids")
