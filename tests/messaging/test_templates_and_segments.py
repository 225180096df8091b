"""The pure rules of messages: templates, SMS length and cost, addresses, timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.messages import (
    DEFAULT_EMAIL_BODY,
    DEFAULT_EMAIL_SUBJECT,
    DEFAULT_SMS_TEMPLATE,
    OptOuts,
    ReminderFacts,
    SmsEncoding,
    Template,
    TemplateError,
    non_gsm_characters,
    reminder_send_at,
    sms_length,
    sms_number,
)
from desktop.domain.outbox import Channel

SYDNEY = ZoneInfo("Australia/Sydney")


def facts(starts_at: datetime) -> dict[str, str]:
    return ReminderFacts(
        first_name="Sam",
        starts_at=starts_at,
        zone=SYDNEY,
        practitioner="Alice Physio",
        location="Harbourside Physio",
        address="1 Harbour St",
        clinic_phone="02 9555 0000",
    ).values()


def test_a_template_renders_times_in_the_clinics_zone() -> None:
    # 22:30 UTC on 2 March is 9:30 am on Monday 3 March in Sydney (daylight time, UTC+11).
    text = Template.parse(DEFAULT_SMS_TEMPLATE).render(
        facts(datetime(2031, 3, 2, 22, 30, tzinfo=UTC))
    )
    assert text == (
        "Hi Sam, a reminder of your appointment with Alice Physio at Harbourside Physio "
        "on Monday 3 March at 9:30 am. To change or cancel, please call 02 9555 0000."
    )


def test_the_time_follows_daylight_saving_in_the_clinics_zone() -> None:
    # Clocks go back on 6 April 2031 in Sydney: the same UTC hour is an hour earlier locally.
    before = facts(datetime(2031, 4, 4, 23, 0, tzinfo=UTC))
    after = facts(datetime(2031, 4, 7, 23, 0, tzinfo=UTC))
    assert (before["date"], before["time"]) == ("Saturday 5 April", "10:00 am")
    assert (after["date"], after["time"]) == ("Tuesday 8 April", "9:00 am")
    assert facts(datetime(2031, 3, 3, 1, 0, tzinfo=UTC))["time"] == "12:00 pm"


def test_the_default_templates_are_valid() -> None:
    for text in (DEFAULT_SMS_TEMPLATE, DEFAULT_EMAIL_SUBJECT, DEFAULT_EMAIL_BODY):
        assert Template.parse(text).placeholders


def test_an_unknown_placeholder_is_refused_naming_it_and_the_closest_one() -> None:
    with pytest.raises(TemplateError, match=r"uses \{firstname\}.*Did you mean \{first_name\}\?"):
        Template.parse("Hi {firstname}", "The SMS template")
    with pytest.raises(TemplateError, match=r"uses \{\}"):
        Template.parse("Hi {}")
    with pytest.raises(TemplateError, match=r"uses \{first_name.upper\}"):
        Template.parse("Hi {first_name.upper}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Hi {first_name", "without its partner"),
        ("Hi first_name}", "without its partner"),
        ("At {time:%H}", "plainly"),
        ("At {time!r}", "plainly"),
        ("   ", "is empty"),
    ],
)
def test_broken_templates_are_refused_with_a_clear_message(text: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        Template.parse(text)


def test_doubled_braces_are_literal_braces() -> None:
    assert Template.parse("{{first_name}} is {first_name}").render({"first_name": "Sam"}) == (
        "{first_name} is Sam"
    )


# --------------------------------------------------------------------------- SMS length


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", SmsEncoding.GSM7, 0, 0),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("€" * 80, SmsEncoding.GSM7, 160, 1),  # extension characters take two septets
        ("€" * 81, SmsEncoding.GSM7, 162, 2),
        ("[" * 79 + "a" * 2, SmsEncoding.GSM7, 160, 1),
        ("[" * 79 + "a" * 3, SmsEncoding.GSM7, 161, 2),
        ("é" * 160, SmsEncoding.GSM7, 160, 1),  # é is in the GSM-7 alphabet
        ("ш" * 70, SmsEncoding.UCS2, 70, 1),
        ("ш" * 71, SmsEncoding.UCS2, 71, 2),
        ("ш" * 134, SmsEncoding.UCS2, 134, 2),
        ("ш" * 135, SmsEncoding.UCS2, 135, 3),
        ("a" * 69 + "’", SmsEncoding.UCS2, 70, 1),  # one curly quote turns it all UCS-2
        ("a" * 70 + "’", SmsEncoding.UCS2, 71, 2),
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),  # surrogate pairs: two units each
        ("😀" * 36, SmsEncoding.UCS2, 72, 2),
    ],
)
def test_sms_length_and_parts(text: str, encoding: SmsEncoding, units: int, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_between_parts() -> None:
    # 164 septets: part 1 takes the 152 "a"s; "€" (2 septets) would make it 154 > 153,
    # so the whole escape pair moves to part 2.
    text = "a" * 152 + "€" + "a" * 10
    length = sms_length(text)
    assert length.segments == 2
    assert length.units_left == 153 - 12


def test_a_surrogate_pair_is_never_split_between_parts() -> None:
    assert sms_length("ш" * 66 + "😀" + "ш").segments == 1  # 69 units: one message
    # 73 units: after 66 units the emoji's pair (2) would make 68 > 67, so it moves whole.
    text = "ш" * 66 + "😀" + "ш" * 5
    length = sms_length(text)
    assert length.segments == 2
    assert length.units_left == 67 - 7


def test_the_characters_that_make_a_text_expensive_are_named() -> None:
    assert non_gsm_characters("It’s 9:30 — see you 😀 ’") == ["’", "—", "😀"]
    assert non_gsm_characters("Plain [text] with € is fine") == []


def test_describe_says_what_the_receptionist_needs() -> None:
    assert sms_length("a" * 161).describe() == "2 SMS · GSM-7 · 161 characters, 145 left"


# --------------------------------------------------------------------------- addresses & timing


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0412 345 678", "+61412345678"),
        ("+61 412 345 678", "+61412345678"),
        ("61412345678", "+61412345678"),
        ("(04) 1234-5678", "+61412345678"),
        ("02 9555 1234", None),  # a landline cannot take SMS
        ("+64 21 123 4567", "+64211234567"),
        ("", None),
        ("0412 345", None),
    ],
)
def test_mobile_numbers(typed: str, number: str | None) -> None:
    assert sms_number(typed) == number


def test_opt_outs_are_per_channel() -> None:
    choices = OptOuts().with_choice(Channel.SMS, True)
    assert not choices.allows(Channel.SMS) and choices.allows(Channel.EMAIL)
    assert choices.with_choice(Channel.SMS, False).allows(Channel.SMS)


def test_reminder_time() -> None:
    start = datetime(2031, 3, 3, 22, 0, tzinfo=UTC)
    lead = timedelta(hours=24)
    assert reminder_send_at(start, lead, start - timedelta(days=3)) == start - lead
    # Booked inside the lead time: at once, if there is still real notice...
    now = start - timedelta(hours=5)
    assert reminder_send_at(start, lead, now) == now
    # ...and not at all when the appointment is about to start or has passed.
    assert reminder_send_at(start, lead, start - timedelta(minutes=90)) is None
    assert reminder_send_at(start, lead, start + timedelta(hours=1)) is None
