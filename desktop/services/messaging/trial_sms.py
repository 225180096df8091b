"""*Send test SMS*: one text through the provider as set up on the screen, before saving.

It uses the settings as typed (and the secret as typed, or the saved one), so a
clinic finds a wrong auth token or sender while setting up, not at 3 am. The
answer is a sentence for the settings page; a refusal carries the provider's words.
"""

from __future__ import annotations

import uuid

from desktop.domain.errors import InvalidInput
from desktop.domain.phones import display_phone, sms_number
from desktop.services.context import ServiceContext
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.settings import MessagingSettings
from desktop.services.messaging.sms_channel import provider_for
from desktop.services.messaging.sms_gateway import CredentialsRefused, SmsGatewayError
from desktop.services.patients import home_region


def send_test_sms(
    ctx: ServiceContext,
    settings: MessagingSettings,
    to: str,
    *,
    secret: str | None = None,
    secrets: MessagingSecrets | None = None,
    clinic_name: str = "",
) -> str:
    ctx.actor()
    with ctx.database.reading() as session:
        region = home_region(session)
    number = sms_number(to, region)
    if number is None:
        raise InvalidInput(f"“{to.strip()[:40]}” is not a mobile number to send a test to.")
    settings = settings.checked()
    provider = settings.sms_provider
    if not settings.sms_configured:
        raise InvalidInput(f"Fill in the {provider.label} details above first.")
    secret = secret or (secrets or MessagingSecrets()).sms_api_key(settings.clinic_id)
    if not secret:
        raise InvalidInput(f"Enter the {provider.label} {provider.secret_label.lower()} first.")
    text = f"Test message from {clinic_name or 'Frontdesk'}: SMS reminders are set up."
    client = provider_for(settings, secret)
    try:
        provider_id = client.send(number, text, f"test-{uuid.uuid4()}", settings.sms_sender_id)
    except CredentialsRefused as exc:  # the person is on the page with those fields
        labels = (provider.account_label, provider.secret_label)
        fields = " and ".join(_in_sentence(label) for label in labels if label)
        raise InvalidInput(
            f"The test SMS was not sent. {exc.refusal} Check the {fields} above."
        ) from exc
    except SmsGatewayError as exc:
        raise InvalidInput(f"The test SMS was not sent. {exc.reason}") from exc
    finally:
        client.close()
    return f"Test SMS sent to {display_phone(number, region)} through {provider.label} ({provider_id})."


def _in_sentence(label: str) -> str:
    """A field's label inside a sentence: "Auth token" -> "auth token", "API key" stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]
