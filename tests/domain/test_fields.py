"""The single-field rules the desk and the server share."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.domain import fields
from desktop.domain.errors import InvalidInput


@pytest.mark.parametrize(
    "instant",
    [datetime(1989, 12, 31, 23, 59, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)],
)
def test_appointments_outside_1990_to_2099_are_refused(instant) -> None:
    with pytest.raises(InvalidInput, match="between 1990 and 2099"):
        fields.ensure_appointment_time(instant)


def test_appointments_at_the_edges_of_the_window_are_fine() -> None:
    fields.ensure_appointment_time(datetime(1990, 1, 1, tzinfo=UTC))
    fields.ensure_appointment_time(datetime(2099, 12, 31, 23, 59, tzinfo=UTC))


def test_birth_dates_in_the_future_or_before_1900_are_refused() -> None:
    today = date(2031, 3, 3)
    with pytest.raises(InvalidInput, match="future"):
        fields.ensure_birth_date(date(2031, 3, 4), today)
    with pytest.raises(InvalidInput, match="before 1900"):
        fields.ensure_birth_date(date(1899, 12, 31), today)
    fields.ensure_birth_date(today, today)
    fields.ensure_birth_date(date(1900, 1, 1), today)


@pytest.mark.parametrize(
    "text", ["a@b.co\r\nBcc: x@evil.com", "not an email", "a@b", "a b@c.com", "<a@b.co>"]
)
def test_only_a_plain_email_address_passes(text) -> None:
    assert not fields.is_email_address(text)
    with pytest.raises(InvalidInput, match="is not an email address"):
        fields.ensure_email(text)


@pytest.mark.parametrize("text", ["a@b.co\r\n", "\na@b.co", " a@b.co", "a@b.co\t"])
def test_a_line_break_or_space_around_an_address_is_refused_where_it_would_be_kept(text) -> None:
    """The desk strips what is typed first; a raw value (a server push) is kept as sent."""
    with pytest.raises(InvalidInput, match="is not an email address"):
        fields.ensure_email(text)
    assert fields.is_email_address(text)  # read from the store, the address itself still goes


def test_real_addresses_pass() -> None:
    for text in ("jo.smith+x@clinic.com.au", "a@b.co", "x@testclinic.example"):
        fields.ensure_email(text)


@pytest.mark.parametrize("text", ["nul\x00", "lone \ud800 surrogate", "\udfff"])
def test_text_a_database_cannot_keep_is_refused(text) -> None:
    with pytest.raises(InvalidInput, match="notes"):
        fields.storable_text(text, "notes")
