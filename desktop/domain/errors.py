"""Errors a user can read: every refusal of a rule says what was refused and why."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change. `str(error)` is a sentence fit for a dialog."""


class InvalidInput(DomainError):
    """A value cannot be used as given (an end before its start, an empty name …)."""


class NotFound(DomainError):
    """The thing asked for does not exist (any more)."""


class PractitionerInactive(DomainError):
    """Booking or moving onto a practitioner who has been deactivated."""

    def __init__(self, practitioner_name: str) -> None:
        super().__init__(
            f"{practitioner_name} is inactive and cannot be booked. "
            "The calendar has been refreshed; choose another practitioner."
        )
        self.practitioner_name = practitioner_name


class DoubleBooking(DomainError):
    """The practitioner already has an appointment at that time."""

    def __init__(self, practitioner_name: str, clash: str) -> None:
        super().__init__(f"{practitioner_name} is already booked {clash}.")
        self.practitioner_name = practitioner_name


class ClassFull(DomainError):
    """A class has no places left."""

    def __init__(self, class_name: str, capacity: int) -> None:
        super().__init__(f"{class_name} is full ({capacity} of {capacity} places taken).")
        self.capacity = capacity


class OutsideAvailability(DomainError):
    """The time is outside the practitioner's working hours (can be overridden)."""


class StaleEdit(DomainError):
    """Someone else changed the record since this screen loaded it."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"This {what} was changed by someone else in the meantime. "
            "It has been reloaded; please check it and try again."
        )


class PermissionDenied(DomainError):
    """The signed-in user's role does not allow this change."""


class AppointmentReadOnly(DomainError):
    """The appointment was kept read-only (its practitioner was deactivated)."""
