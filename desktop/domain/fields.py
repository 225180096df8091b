"""Checks on single fields, written once and run by the desk's services and the server alike.

A desk validates what its user types; the server validates the same fields again
in whatever a client pushes, with these same functions, so a bad value cannot
reach the shared store by either road.

* Text must be storable: no NUL characters, no lone UTF-16 surrogates (PostgreSQL
  refuses both, and a refusal must be a clear message, not a crash).
* Appointments lie between 1990 and 2100: anything outside is a typing slip,
  and dates near the ends of the calendar overflow when shown in a time zone.
* A date of birth is not in the future and not before 1900.
* An email address is checked by `email-validator` (syntax only, no network):
  no spaces, no line breaks (not even around it), so nothing can be smuggled
  into a mail header.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop.domain.errors import InvalidInput

EARLIEST_APPOINTMENT = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_APPOINTMENT = datetime(2100, 1, 1, tzinfo=UTC)
EARLIEST_BIRTH = date(1900, 1, 1)


def storable_text(text: str, what: str) -> str:
    """`text` unchanged, or InvalidInput when a database could not keep it."""
    if "\x00" in text:
        raise InvalidInput(f"The {what} contains a NUL character.")
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise InvalidInput(f"The {what} contains a broken character (a lone surrogate).")
    return text


def ensure_appointment_time(instant: datetime) -> None:
    """Refuse an appointment time outside 1990–2100 (most likely a typing slip)."""
    if not EARLIEST_APPOINTMENT <= instant < LATEST_APPOINTMENT:
        raise InvalidInput(
            f"Appointments must be between {EARLIEST_APPOINTMENT.year} and "
            f"{LATEST_APPOINTMENT.year - 1}; check the date."
        )


def ensure_birth_date(born: date, today: date) -> None:
    if born > today:
        raise InvalidInput("The date of birth is in the future.")
    if born < EARLIEST_BIRTH:
        raise InvalidInput(f"The date of birth is before {EARLIEST_BIRTH.year}; check the year.")


def is_email_address(text: str) -> bool:
    # Loaded when first needed: compiling its patterns took 12-17 ms of every start-up
    # (the store's checks import this module before the sign-in can be checked).
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def ensure_email(text: str) -> None:
    """Refuse anything but one plain email address (the caller keeps what was typed).

    The value must be the address alone: the desk strips what was typed before it
    asks, so a line break or space around it can only come from a raw push, and
    would be kept in the shared store (and reach exports and Xero) if let by.
    """
    if text != text.strip() or not is_email_address(text):
        shown = "".join(c if c.isprintable() else "?" for c in text[:80])
        raise InvalidInput(f"“{shown}” is not an email address.")
