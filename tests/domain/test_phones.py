"""Phone numbers through phonenumbers: read in the clinic's country, kept in E.164."""

import pytest

from desktop.domain.errors import InvalidInput
from desktop.domain.phones import (
    display_phone,
    parse_phone,
    region_for_zone,
    sms_number,
    stored_phone,
)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0412 345 678", "+61412345678"),
        ("+61 412 345 678", "+61412345678"),
        ("(0412) 345-678", "+61412345678"),
        ("+64 21 123 4567", "+64211234567"),
    ],
)
def test_a_mobile_typed_any_way_is_one_e164_number(typed, e164):
    assert sms_number(typed, "AU") == e164
    assert stored_phone(typed, "AU") == e164


def test_a_landline_or_1300_number_is_kept_but_cannot_take_sms():
    assert stored_phone("02 9555 1234", "AU") == "+61295551234"
    assert sms_number("02 9555 1234", "AU") is None
    assert sms_number("1300 123 456", "AU") is None


def test_a_number_without_plus_is_read_in_the_clinics_country():
    assert sms_number("021 123 4567", "NZ") == "+64211234567"
    assert sms_number("021 123 4567", "AU") is None


def test_nonsense_is_refused_with_one_clear_message_and_empty_is_nothing():
    assert stored_phone("   ", "AU") == ""
    with pytest.raises(InvalidInput, match="“12” is not a phone number in AU"):
        stored_phone("12", "AU")
    assert parse_phone("call me", "AU") is None


def test_display_is_national_at_home_and_international_from_elsewhere():
    assert display_phone("+61412345678", "AU") == "0412 345 678"
    assert display_phone("+61295551234", "AU") == "(02) 9555 1234"
    assert display_phone("+64211234567", "AU") == "+64 21 123 4567"
    assert display_phone("ring reception", "AU") == "ring reception"


def test_the_clinics_country_comes_from_its_time_zone():
    assert region_for_zone("Australia/Perth") == "AU"
    assert region_for_zone("Pacific/Auckland") == "NZ"
    assert region_for_zone("Europe/London") == "GB"
    assert region_for_zone("Nowhere/Special") == "AU"
