"""A clinic's messaging settings: reminder schedule, templates, mail server, SMS gateway.

`MessagingSettings.checked()` refuses what cannot work (an unknown placeholder,
email reminders without a mail server …) with a sentence naming the field, so
a mistake is caught at the desk, not by a failed send at 3 am. Secrets are not
part of these settings: the SMTP password and the gateway key live in the
keyring (`secrets`). Saving is `configure.save_settings`.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidInput
from desktop.domain.messages import (
    DEFAULT_EMAIL_BODY,
    DEFAULT_EMAIL_SUBJECT,
    DEFAULT_SMS_TEMPLATE,
    Template,
    check_lead_time,
    is_email_address,
    sms_number,
)
from desktop.services.context import ServiceContext
from desktop.store.messaging_models import MessagingSettingsRow

_SENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ]{0,10}$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class SmtpSecurity(enum.StrEnum):
    STARTTLS = "starttls"  # port 587: plain connection upgraded with STARTTLS
    SSL = "ssl"  # port 465: TLS from the first byte
    NONE = "none"  # a relay on this machine or the clinic's network only

    @property
    def label(self) -> str:
        return {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "None (local relay)"}[self.value]


class SmsProvider(enum.StrEnum):
    """Who carries the clinic's texts (and bills the clinic for them)."""

    TWILIO = "twilio"
    CLICKSEND = "clicksend"
    RELAY = "relay"  # a relay the clinic runs, speaking the API in sms_gateway.py

    @property
    def label(self) -> str:
        return {"twilio": "Twilio", "clicksend": "ClickSend", "relay": "Custom relay"}[self.value]

    @property
    def account_label(self) -> str:
        return {"twilio": "Account SID", "clicksend": "Username", "relay": ""}[self.value]

    @property
    def secret_label(self) -> str:
        return {"twilio": "Auth token", "clicksend": "API key", "relay": "API key"}[self.value]


_TWILIO_ACCOUNT = re.compile(r"^AC[0-9a-fA-F]{32}$")
_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}$")


@dataclass(frozen=True, slots=True)
class MessagingSettings:
    clinic_id: uuid.UUID
    reminders_by_sms: bool = False
    reminders_by_email: bool = False
    reminder_lead: timedelta = timedelta(hours=24)
    sms_template: str = DEFAULT_SMS_TEMPLATE
    email_subject: str = DEFAULT_EMAIL_SUBJECT
    email_body: str = DEFAULT_EMAIL_BODY
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_username: str = ""
    sender_address: str = ""
    sender_name: str = ""
    billing_email: str = ""
    sms_gateway_url: str = ""
    sms_sender_id: str = ""
    sms_provider: SmsProvider = SmsProvider.TWILIO
    sms_account: str = ""  # Twilio's account SID, ClickSend's username
    low_credit_warning: int = 50
    version: int = 0  # 0: never saved (these are the defaults)

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.sender_address)

    @property
    def sms_configured(self) -> bool:
        if self.sms_provider is SmsProvider.RELAY:
            return bool(self.sms_gateway_url)
        return bool(self.sms_account and self.sms_sender_id)

    def checked(self) -> MessagingSettings:
        """The settings cleaned up, or a refusal that names the field to fix."""
        s = replace(
            self,
            smtp_host=self.smtp_host.strip(),
            smtp_username=self.smtp_username.strip(),
            sender_address=self.sender_address.strip(),
            sender_name=self.sender_name.strip(),
            billing_email=self.billing_email.strip(),
            sms_gateway_url=self.sms_gateway_url.strip().rstrip("/"),
            sms_sender_id=self.sms_sender_id.strip(),
            sms_account=self.sms_account.strip(),
        )
        Template.parse(s.sms_template, "The SMS template")
        Template.parse(s.email_subject, "The email subject")
        Template.parse(s.email_body, "The email text")
        if "\n" in s.email_subject.strip():
            raise InvalidInput("The email subject must fit on one line.")
        check_lead_time(s.reminder_lead)
        if not 1 <= s.smtp_port <= 65535:
            raise InvalidInput("The mail server port must be between 1 and 65535.")
        for label, address in (("sender", s.sender_address), ("billing", s.billing_email)):
            if address and not is_email_address(address):
                raise InvalidInput(f"The {label} address “{address}” is not an email address.")
        if (
            s.smtp_username
            and s.smtp_security is SmtpSecurity.NONE
            and s.smtp_host.lower() not in _LOOPBACK
        ):
            raise InvalidInput(
                "Signing in to the mail server needs STARTTLS or SSL/TLS, so the password "
                "never crosses the network in the clear."
            )
        if s.sms_gateway_url:
            _check_gateway_url(s.sms_gateway_url)
        _check_sms_sender(s)
        if s.low_credit_warning < 0:
            raise InvalidInput("The low-balance warning cannot be negative.")
        if s.reminders_by_email and not s.email_configured:
            raise InvalidInput(
                "Enter the mail server and the sender address before turning on email reminders."
            )
        if s.reminders_by_sms and not s.sms_configured:
            raise InvalidInput(_missing_sms_setup(s.sms_provider))
        return s


def _check_sms_sender(s: MessagingSettings) -> None:
    twilio = s.sms_provider is SmsProvider.TWILIO
    if twilio and s.sms_account and not _TWILIO_ACCOUNT.match(s.sms_account):
        raise InvalidInput(
            f"“{s.sms_account[:40]}” is not a Twilio account SID: it starts with AC and "
            "has 32 more letters and digits (Twilio Console ▸ Account info)."
        )
    if s.sms_provider is SmsProvider.CLICKSEND and any(c.isspace() for c in s.sms_account):
        raise InvalidInput(
            f"“{s.sms_account[:40]}” is not a ClickSend username: it has no spaces "
            "(ClickSend dashboard ▸ Developers ▸ API credentials)."
        )
    sender = s.sms_sender_id
    if not sender:
        return
    service = twilio and _MESSAGING_SERVICE.match(sender)
    if not (service or _SENDER_ID.match(sender) or sms_number(sender)):
        also = ", or a Twilio messaging service SID (MG…)" if twilio else ""
        raise InvalidInput(
            f"The SMS sender must be a mobile number or up to 11 letters and digits{also}."
        )


def _missing_sms_setup(provider: SmsProvider) -> str:
    if provider is SmsProvider.RELAY:
        return "Enter the SMS relay's address before turning on SMS reminders."
    return (
        f"Enter the {provider.label} {provider.account_label.lower()} and the sender "
        "before turning on SMS reminders."
    )


def _check_gateway_url(url: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)
    if not host or not secure:
        raise InvalidInput(
            f"“{url}” is not a usable SMS gateway address: it must start with https:// "
            "(http:// is only accepted for this computer)."
        )


def from_row(row: MessagingSettingsRow) -> MessagingSettings:
    return MessagingSettings(
        clinic_id=row.clinic_id,
        reminders_by_sms=row.reminders_by_sms,
        reminders_by_email=row.reminders_by_email,
        reminder_lead=timedelta(minutes=row.reminder_lead_minutes),
        sms_template=row.sms_template,
        email_subject=row.email_subject,
        email_body=row.email_body,
        smtp_host=row.smtp_host,
        smtp_port=row.smtp_port,
        smtp_security=SmtpSecurity(row.smtp_security),
        smtp_username=row.smtp_username,
        sender_address=row.sender_address,
        sender_name=row.sender_name,
        billing_email=row.billing_email,
        sms_gateway_url=row.sms_gateway_url,
        sms_sender_id=row.sms_sender_id,
        sms_provider=SmsProvider(row.sms_provider or SmsProvider.TWILIO.value),
        sms_account=row.sms_account,
        low_credit_warning=row.low_credit_warning,
        version=row.version,
    )


def fill_row(row: MessagingSettingsRow, s: MessagingSettings) -> None:
    row.reminders_by_sms = s.reminders_by_sms
    row.reminders_by_email = s.reminders_by_email
    row.reminder_lead_minutes = int(s.reminder_lead.total_seconds() // 60)
    row.sms_template = s.sms_template
    row.email_subject = s.email_subject.strip()
    row.email_body = s.email_body
    row.smtp_host = s.smtp_host
    row.smtp_port = s.smtp_port
    row.smtp_security = s.smtp_security.value
    row.smtp_username = s.smtp_username
    row.sender_address = s.sender_address
    row.sender_name = s.sender_name
    row.billing_email = s.billing_email
    row.sms_gateway_url = s.sms_gateway_url
    row.sms_sender_id = s.sms_sender_id
    row.sms_provider = s.sms_provider.value
    row.sms_account = s.sms_account
    row.low_credit_warning = s.low_credit_warning


def settings_row(session: Session, clinic_id: uuid.UUID) -> MessagingSettingsRow | None:
    return session.execute(
        select(MessagingSettingsRow).where(MessagingSettingsRow.clinic_id == clinic_id)
    ).scalar_one_or_none()


def settings_in(session: Session, clinic_id: uuid.UUID) -> MessagingSettings:
    """The clinic's settings inside an open session; the defaults if never saved."""
    row = settings_row(session, clinic_id)
    return from_row(row) if row is not None else MessagingSettings(clinic_id)


def get_settings(ctx: ServiceContext, clinic_id: uuid.UUID) -> MessagingSettings:
    ctx.actor()
    with ctx.database.reading() as session:
        return settings_in(session, clinic_id)
