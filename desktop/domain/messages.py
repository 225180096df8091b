"""Patient messages, pure: reminder templates, SMS length and cost, addresses, opt-outs.

Nothing here sends anything. The services render a template with the facts of
one appointment, count what an SMS will cost before charging credit for it, and
ask whether a patient may be contacted on a channel at all.

SMS length follows GSM 03.38 / 3GPP 23.038: a text made only of GSM-7 characters
fits 160 septets in one message, or 153 per part once it is split (the other 7
carry the concatenation header); the extension characters (``€ [ ] { } \\ ^ ~ |``
and form feed) take two septets. Any other character turns the whole text into
UCS-2: 70 UTF-16 code units in one message, 67 per part; characters outside the
Basic Multilingual Plane (most emoji) are surrogate pairs and take two units.
Phones never split an escape sequence or a surrogate pair across two parts, so
parts are filled greedily and such a pair moves whole to the next part.
"""

from __future__ import annotations

import difflib
import enum
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.domain import fields, phones
from desktop.domain.clinic_time import require_utc, to_local
from desktop.domain.errors import InvalidInput
from desktop.domain.outbox import Channel

# --------------------------------------------------------------------------- templates

PLACEHOLDERS: dict[str, str] = {
    "first_name": "the patient's first name",
    "date": "the appointment's day, in the clinic's time zone (Tuesday 3 March)",
    "time": "the appointment's start, in the clinic's time zone (9:30 am)",
    "practitioner": "who the appointment is with",
    "location": "the clinic (location) the appointment is at",
    "address": "the clinic's street address",
    "clinic_phone": "the clinic's phone number, for changes and cancellations",
}


class TemplateError(InvalidInput):
    """A template that cannot be saved: an unknown placeholder or a stray brace."""


@dataclass(frozen=True, slots=True)
class Template:
    """A checked template: only known placeholders, each written plainly as {name}."""

    text: str

    @classmethod
    def parse(cls, text: str, what: str = "The template") -> Template:
        """Check a template typed by a person; the refusal says exactly what to fix."""
        if not text.strip():
            raise TemplateError(f"{what} is empty.")
        for name in _fields(text, what):
            if name not in PLACEHOLDERS:
                raise TemplateError(_unknown_placeholder(name, what))
        return cls(text)

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(_fields(self.text, "The template"))

    def render(self, values: Mapping[str, str]) -> str:
        """The text with each placeholder replaced; {{ and }} stand for literal braces."""
        pieces: list[str] = []
        for literal, name, _spec, _conversion in string.Formatter().parse(self.text):
            pieces.append(literal)
            if name is not None:
                pieces.append(values[name])
        return "".join(pieces)


def _fields(text: str, what: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(
            f"{what} has a “{{” or “}}” without its partner. Placeholders look like "
            "{first_name}; write {{ or }} for a brace on its own."
        ) from exc
    names: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise TemplateError(
                f"{what}: write placeholders plainly, like {{{name}}}, without “:” or “!”."
            )
        names.append(name)
    return names


def _unknown_placeholder(name: str, what: str) -> str:
    shown = "{" + name + "}" if name else "{}"
    known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
    close = difflib.get_close_matches(name, list(PLACEHOLDERS), n=1)
    hint = f" Did you mean {{{close[0]}}}?" if close else ""
    return f"{what} uses {shown}, which Frontdesk does not know.{hint} Use one of: {known}."


@dataclass(frozen=True, slots=True)
class ReminderFacts:
    """What a reminder says about one appointment; times are shown in the clinic's zone."""

    first_name: str
    starts_at: datetime
    zone: ZoneInfo
    practitioner: str
    location: str
    address: str
    clinic_phone: str

    def values(self) -> dict[str, str]:
        local = to_local(self.starts_at, self.zone)
        return {
            "first_name": self.first_name,
            "date": format_day(local),
            "time": format_time(local),
            "practitioner": self.practitioner,
            "location": self.location,
            "address": self.address,
            "clinic_phone": self.clinic_phone,
        }


def format_day(local: datetime) -> str:
    """“Tuesday 3 March” — how an Australian clinic writes a day in a reminder."""
    return f"{local:%A} {local.day} {local:%B}"


def format_time(local: datetime) -> str:
    """“9:30 am”, “12:00 pm” — a 12-hour clock, as patients read it."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


DEFAULT_SMS_TEMPLATE = (
    "Hi {first_name}, a reminder of your appointment with {practitioner} at {location} "
    "on {date} at {time}. To change or cancel, please call {clinic_phone}."
)
DEFAULT_EMAIL_SUBJECT = "Your appointment on {date} at {time}"
DEFAULT_EMAIL_BODY = (
    "Hi {first_name},\n\n"
    "This is a reminder of your appointment with {practitioner} at {location} "
    "on {date} at {time}.\n\n"
    "If you need to change or cancel it, please call us on {clinic_phone}.\n\n"
    "See you soon,\n{location}\n{address}\n"
)

# --------------------------------------------------------------------------- SMS length

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class SmsEncoding(enum.StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsLength:
    """How long a text is as an SMS, and so how many credits it costs (one per part)."""

    encoding: SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    units_left: int  # room in the last part before the text costs one more

    def describe(self) -> str:
        parts = "1 SMS" if self.segments == 1 else f"{self.segments} SMS"
        return f"{parts} · {self.encoding.value} · {self.units} characters, {self.units_left} left"


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force a text into UCS-2 (e.g. ’ or an emoji), first seen first."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION:
            seen.setdefault(ch, None)
    return list(seen)


def sms_length(text: str) -> SmsLength:
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return _length(SmsEncoding.GSM7, widths, 160, 153)
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return _length(SmsEncoding.UCS2, widths, 70, 67)


def _length(encoding: SmsEncoding, widths: list[int], single: int, part: int) -> SmsLength:
    units = sum(widths)
    if units <= single:
        return SmsLength(encoding, units, 1 if units else 0, single - units)
    segments, used = 1, 0
    for width in widths:  # an escape pair or surrogate pair is never split between parts
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return SmsLength(encoding, units, segments, part - used)


# --------------------------------------------------------------------------- addresses

# Phone numbers are read by `phonenumbers` (desktop.domain.phones); kept here by name
# for the callers that ask whether a patient can be texted.
sms_number = phones.sms_number


def is_email_address(text: str) -> bool:
    return fields.is_email_address(text)


# --------------------------------------------------------------------------- opt-outs

MESSAGE_CHANNELS = (Channel.SMS, Channel.EMAIL)


@dataclass(frozen=True, slots=True)
class OptOuts:
    """The channels a patient asked not to be contacted on (per patient, per channel)."""

    channels: frozenset[Channel] = frozenset()

    def allows(self, channel: Channel) -> bool:
        return channel not in self.channels

    def with_choice(self, channel: Channel, opted_out: bool) -> OptOuts:
        if channel not in MESSAGE_CHANNELS:
            raise InvalidInput(f"Patients cannot opt out of {channel.value}.")
        changed = self.channels | {channel} if opted_out else self.channels - {channel}
        return OptOuts(frozenset(changed))


# --------------------------------------------------------------------------- timing

SHORTEST_LEAD = timedelta(hours=1)
LONGEST_LEAD = timedelta(days=7)
# A reminder that would arrive closer to the appointment than this is not worth
# sending (the patient booked it a moment ago, or the clinic just switched reminders on).
MINIMUM_NOTICE = timedelta(hours=2)


def check_lead_time(lead: timedelta) -> timedelta:
    if not SHORTEST_LEAD <= lead <= LONGEST_LEAD:
        raise InvalidInput("Reminders go between 1 hour and 7 days before the appointment.")
    return lead


def reminder_send_at(
    starts_at: datetime,
    lead: timedelta,
    now: datetime,
    minimum_notice: timedelta = MINIMUM_NOTICE,
) -> datetime | None:
    """When to send a reminder: `lead` before the start; at once for an appointment
    booked inside the lead time; never when the appointment is too close or past."""
    start, now = require_utc(starts_at), require_utc(now)
    due = start - lead
    if due >= now:
        return due
    if start - now >= minimum_notice:
        return now
    return None
