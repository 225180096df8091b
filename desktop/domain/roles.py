"""Who is acting, and what their role lets them change."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from desktop.domain.appointments import Appointment


class Role(enum.StrEnum):
    RECEPTIONIST = "receptionist"
    PRACTITIONER = "practitioner"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user a service call is made for."""

    user_id: UUID | None
    name: str
    role: Role
    practitioner_id: UUID | None = None

    def may_edit_calendar_of(self, practitioner_id: UUID) -> bool:
        """Practitioners edit their own day and only read everyone else's."""
        if self.role is Role.PRACTITIONER:
            return self.practitioner_id == practitioner_id
        return True

    def may_change(self, appointment: Appointment) -> bool:
        """Whether to offer editing it: their own calendar, and not kept read-only."""
        return not appointment.read_only and self.may_edit_calendar_of(appointment.practitioner_id)

    @property
    def handles_money_back(self) -> bool:
        """Voiding, refunding, taking credit off an invoice, credit notes: the front
        desk's (or an admin's) call; practitioners review their day."""
        return self.role is not Role.PRACTITIONER

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


SYSTEM = Actor(user_id=None, name="Frontdesk", role=Role.ADMIN)
