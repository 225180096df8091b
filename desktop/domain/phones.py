"""Phone numbers through `phonenumbers` (Google's libphonenumber), not our own parser.

A number is read as a person types it in the clinic's country (0412 345 678 in
Australia, 021 123 4567 in New Zealand) or with its + prefix from anywhere; it is
stored in E.164 (+61412345678), shown in the national format at home and the
international one otherwise, and only a mobile can take an SMS (a landline or a
1300 number cannot). The clinic's country is the one its time zone lies in
(tzdata's zone.tab), so no one has to set it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from desktop.domain.errors import InvalidInput

# `phonenumbers` (its metadata for every country: 15-20 ms) loads with the first number
# read or shown, not with every module that names this one (the calendar's among them).

DEFAULT_REGION = "AU"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    e164: str  # +61412345678
    region: str  # AU
    mobile: bool

    def display(self, home_region: str = DEFAULT_REGION) -> str:
        """0412 345 678 at home, +64 21 123 4567 from elsewhere."""
        import phonenumbers
        from phonenumbers import PhoneNumberFormat

        style = (
            PhoneNumberFormat.NATIONAL
            if self.region == home_region
            else PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(phonenumbers.parse(self.e164), style)


def parse_phone(text: str, region: str = DEFAULT_REGION) -> PhoneNumber | None:
    """The number `text` names, read in `region`; None when it is not a valid number."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number) or region,
        # The United States (and a few others) cannot tell a mobile from a landline by its digits.
        mobile=phonenumbers.number_type(number)
        in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE),
    )


def stored_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """What to keep for a typed phone: E.164, "" for nothing; a refusal says what is wrong."""
    text = text.strip()
    if not text:
        return ""
    number = parse_phone(text, region)
    if number is None:
        raise InvalidInput(
            f"“{text[:40]}” is not a phone number in {region}. "
            "Write an overseas number with its + and country code (e.g. +64 21 123 4567)."
        )
    return number.e164


def sms_number(text: str, region: str = DEFAULT_REGION) -> str | None:
    """A mobile number in E.164 form, or None when `text` cannot take an SMS."""
    number = parse_phone(text, region)
    return number.e164 if number is not None and number.mobile else None


def display_phone(text: str, home_region: str = DEFAULT_REGION) -> str:
    """A stored number as people read it; anything unreadable is shown as it is."""
    number = parse_phone(text, home_region)
    return number.display(home_region) if number is not None else text


def region_for_zone(zone: str) -> str:
    """The country (ISO 3166 code) an IANA time zone lies in; the default when unknown."""
    return _zone_regions().get(zone, DEFAULT_REGION)


@functools.cache
def _zone_regions() -> dict[str, str]:
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    regions: dict[str, str] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone, *_ = line.split("\t")
        regions[zone] = code
    return regions
