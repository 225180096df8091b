"""Buying SMS credit (with its receipt in the same transaction) and saving the settings."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

import pytest
from keyring.backends import fail
from sqlalchemy import func, select

from desktop.domain.errors import InvalidInput, PermissionDenied, StaleEdit
from desktop.domain.messages import TemplateError
from desktop.domain.money import Money
from desktop.domain.outbox import Channel, JobState
from desktop.domain.roles import Actor, Role
from desktop.services.context import ServiceContext
from desktop.services.messaging import credits
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.message_log import clinic_messages
from desktop.services.messaging.records import Purpose
from desktop.services.messaging.secrets import (
    SMS_API_KEY_ENV,
    MessagingSecrets,
    SecretsUnavailable,
)
from desktop.services.messaging.settings import MessagingSettings, get_settings
from desktop.store.messaging_models import SmsCreditPurchaseRow
from desktop.store.outbox_models import OutboxJobRow
from tests.messaging.conftest import Messaging

BUNDLE = credits.SmsBundle(500, Money(4500))


def count(m: Messaging, model: type) -> int:
    with m.ctx.database.reading() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_buying_credit_records_it_raises_the_balance_and_queues_the_receipt(
    messaging: Messaging,
) -> None:
    m = messaging
    bought = credits.buy_sms_credits(m.ctx, m.clinic_id, BUNDLE, clock=m.clock)
    assert bought.balance == 500 and bought.changes.billing
    assert (bought.purchase.credits, bought.purchase.amount) == (500, Money(4500))
    assert bought.purchase.purchased_by == "Frontdesk"
    assert bought.purchase.purchased_at == m.clock.now
    assert credits.purchases(m.ctx, m.clinic_id) == [bought.purchase]
    credits.buy_sms_credits(m.ctx, m.clinic_id, BUNDLE, clock=m.clock)
    assert credits.sms_balance(m.ctx, m.clinic_id) == 1000
    receipts = clinic_messages(m.ctx, m.clinic_id, Purpose.RECEIPT)
    assert len(receipts) == 2
    [job, _] = m.queue.jobs(Channel.EMAIL)
    assert (job.kind, job.subject_id, job.state) == (
        "email.receipt",
        bought.purchase.id,
        JobState.PENDING,
    )


def test_a_purchase_and_its_receipt_are_one_transaction(
    messaging: Messaging, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    real = credits.add_message

    def receipt_then_failure(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(credits, "add_message", receipt_then_failure)
    with pytest.raises(RuntimeError):
        credits.buy_sms_credits(m.ctx, m.clinic_id, BUNDLE, clock=m.clock)
    assert credits.sms_balance(m.ctx, m.clinic_id) == 0
    assert count(m, SmsCreditPurchaseRow) == 0
    assert count(m, OutboxJobRow) == 0


def test_no_purchase_without_a_billing_address_for_its_receipt(messaging: Messaging) -> None:
    m = messaging
    m.save(billing_email="")
    with pytest.raises(InvalidInput, match="billing email address"):
        credits.buy_sms_credits(m.ctx, m.clinic_id, BUNDLE, clock=m.clock)
    assert count(m, SmsCreditPurchaseRow) == 0


def test_practitioners_cannot_buy_credit(messaging: Messaging) -> None:
    class Practitioner:
        def current_actor(self) -> Actor:
            return Actor(None, "Alice Physio", Role.PRACTITIONER, messaging.c.alice.id)

    ctx = ServiceContext(messaging.ctx.database, Practitioner())
    with pytest.raises(PermissionDenied):
        credits.buy_sms_credits(ctx, messaging.clinic_id, BUNDLE)


@pytest.mark.parametrize(
    ("balance", "warning", "held", "text"),
    [
        (500, 50, 0, ""),
        (50, 50, 0, "SMS credit low: 50 left."),
        (1200, 2000, 0, "SMS credit low: 1,200 left."),
        (0, 50, 0, "No SMS credit left: SMS reminders will wait until credit is bought."),
        (1, 50, 3, "SMS credit used up: 3 SMS are waiting. Buy SMS credit in Messaging settings."),
    ],
)
def test_low_credit_warning(balance: int, warning: int, held: int, text: str) -> None:
    assert credits.low_credit_text(balance, warning, held) == text


# --------------------------------------------------------------------------- settings


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
