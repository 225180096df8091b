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
    # Brought by a sync pass (another desk's work): screens reload, but nothing here is
    # this desk's to push back to the server.
    from_server: bool = False

    def __or__(self, other: Changes) -> Changes:
        merged = {f: getattr(self, f) or getattr(other, f) for f in _WHAT}
        return Changes(
            **merged,
            ids=self.ids | other.ids,
            from_server=self.from_server and other.from_server,
        )

    @property
    def anything(self) -> bool:
        return any(getattr(self, f) for f in _WHAT)


# The fields that say what changed (not which rows, nor where it came from).
_WHAT = tuple(f.name for f in fields(Changes) if f.name not in ("ids", "from_server"))
