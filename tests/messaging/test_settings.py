"""Saving the messaging settings: defaults, refusals that name the field, secrets in the keyring."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

import pytest
from keyring.backends import fail

from desktop.domain.errors import InvalidInput, PermissionDenied, StaleEdit
from desktop.domain.messages import TemplateError
from desktop.domain.roles import Actor, Role
from desktop.services.context import ServiceContext
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.secrets import (
    SMS_API_KEY_ENV,
    MessagingSecrets,
    SecretsUnavailable,
)
from desktop.services.messaging.settings import MessagingSettings, get_settings
from tests.messaging.conftest import Messaging


def test_settings_start_from_sensible_defaults_and_round_trip(unconfigured: Messaging) -> None:
    m = unconfigured
    defaults = get_settings(m.ctx, m.clinic_id)
    assert defaults.version == 0 and not defaults.reminders_by_sms
    assert defaults.reminder_lead == timedelta(hours=24)
    wanted = replace(defaults, sender_address="desk@clinic.example", smtp_host="mail.example")
    saved, changes = save_settings(m.ctx, wanted, secrets=m.secrets, clock=m.clock)
    assert changes.clinic and saved.version == 1
    assert get_settings(m.ctx, m.clinic_id) == saved
    with pytest.raises(StaleEdit):
        save_settings(m.ctx, wanted, secrets=m.secrets, clock=m.clock)  # version 0 is stale now


def test_an_unknown_placeholder_is_refused_when_the_template_is_saved(messaging: Messaging) -> None:
    m = messaging
    before = m.settings()
    with pytest.raises(TemplateError, match=r"The SMS template uses \{appt_time\}"):
        m.save(sms_template="See you at {appt_time}")
    with pytest.raises(TemplateError, match=r"The email subject uses \{name\}"):
        m.save(email_subject="Hello {name}")
    assert m.settings() == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"sms_gateway_url": "http://sms.example.com/v1"}, "must start with https://"),
        ({"smtp_port": 0}, "port must be between 1 and 65535"),
        ({"sender_address": "reception"}, "is not an email address"),
        ({"smtp_host": ""}, "Enter the mail server"),
        ({"reminder_lead": timedelta(minutes=10)}, "between 1 hour and 7 days"),
        ({"sms_sender_id": "Harbourside Physio"}, "up to 11 letters"),
        ({"email_subject": "Line one\nline two"}, "one line"),
        (
            {"smtp_host": "mail.example.com", "smtp_username": "desk"},
            "needs STARTTLS or SSL/TLS",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused(
    messaging: Messaging, change: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        messaging.save(**change)


def test_secrets_live_in_the_keyring_and_a_missing_keyring_is_said_plainly(
    messaging: Messaging, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    assert m.secrets.sms_api_key(m.clinic_id) == "sk-test-0123456789"
    nowhere = MessagingSecrets(fail.Keyring())
    before = m.settings()
    with pytest.raises(SecretsUnavailable, match="no password store \\(keyring\\)") as refused:
        save_settings(
            m.ctx, replace(before, sms_sender_id="Other"), sms_api_key="k", secrets=nowhere
        )
    assert SMS_API_KEY_ENV in str(refused.value)
    assert m.settings() == before  # refused before anything was written
    # Without a keyring a server reads the key from its environment instead.
    assert nowhere.sms_api_key(m.clinic_id) is None
    monkeypatch.setenv(SMS_API_KEY_ENV, "from-the-environment")
    assert nowhere.sms_api_key(m.clinic_id) == "from-the-environment"
    assert os.environ[SMS_API_KEY_ENV] == "from-the-environment"


def test_only_an_administrator_changes_the_settings(messaging: Messaging) -> None:
    class Receptionist:
        def current_actor(self) -> Actor:
            return Actor(None, "Rae", Role.RECEPTIONIST)

    ctx = ServiceContext(messaging.ctx.database, Receptionist())
    with pytest.raises(PermissionDenied):
        save_settings(ctx, messaging.settings(), secrets=messaging.secrets)
    assert isinstance(get_settings(ctx, messaging.clinic_id), MessagingSettings)
