"""The outbox's email channel: reminders and receipts over SMTP.

Never sent twice: each email's Message-ID is derived from its job's idempotency
key, so every attempt of one job carries the same Message-ID, and the moment
the mail server accepts a message the job remembers it (`queue.remember`), in
its own commit, before anything else can fail. A worker that crashes after that
leaves a job that is settled as delivered on its next claim without a second
send. (Between the server's "250 OK" and that commit nothing can make SMTP
idempotent; the stable Message-ID is what lets a mail system spot that rare
repeat.)
"""

from __future__ import annotations

import email.policy
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from desktop.domain.outbox import Channel, Delivered, OutboxJob, Outcome, Refused
from desktop.services.messaging.compose import Outgoing
from desktop.services.messaging.connections import ConnectionPerClinic
from desktop.services.messaging.message_channel import MessageChannel
from desktop.services.messaging.records import record_sent
from desktop.services.messaging.secrets import (
    SMTP_PASSWORD_ENV,
    MessagingSecrets,
    no_keyring_message,
)
from desktop.services.messaging.settings import MessagingSettings
from desktop.services.messaging.smtp_sender import (
    MailRefused,
    MailSender,
    MailUnavailable,
    SmtpConfig,
    SmtpSender,
)

SenderFactory = Callable[[MessagingSettings], MailSender]
# Long headers stay on one line (a folded Message-ID trips some mail clients), and
# non-ASCII text is quoted-printable, so any mail server can carry it.
_POLICY = email.policy.SMTP.clone(max_line_length=998, cte_type="7bit")


def message_id_for(idempotency_key: str, sender_address: str) -> str:
    """The same Message-ID for every attempt of one job."""
    domain = sender_address.rpartition("@")[2].strip() or "frontdesk.invalid"
    return f"<{idempotency_key}@{domain}>"


def build_email(outgoing: Outgoing, message_id: str, now: datetime) -> EmailMessage:
    settings = outgoing.settings
    message = EmailMessage(policy=_POLICY)
    message["From"] = formataddr(
        (settings.sender_name or outgoing.clinic_name, settings.sender_address)
    )
    message["To"] = outgoing.recipient
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(outgoing.body)
    for attachment in outgoing.attachments:
        message.add_attachment(
            attachment.content, maintype="application", subtype="pdf", filename=attachment.filename
        )
    return message


def smtp_senders(
    secrets: MessagingSecrets | None = None, tls_context: ssl.SSLContext | None = None
) -> SenderFactory:
    """Mail senders from each clinic's settings, with the password from the keyring.

    `tls_context` None trusts the system's certificate authorities.
    """
    secrets = secrets or MessagingSecrets()

    def make(settings: MessagingSettings) -> MailSender:
        if not settings.email_configured:
            raise MailUnavailable(
                "No mail server is set up: enter it in the messaging settings.", affects_all=True
            )
        password = ""
        if settings.smtp_username:
            password = secrets.smtp_password(settings.clinic_id) or ""
            if not password:
                raise MailUnavailable(
                    "No password for the mail server is saved. Enter it in the messaging settings."
                    + (
                        ""
                        if secrets.available
                        else " " + no_keyring_message("password", SMTP_PASSWORD_ENV)
                    ),
                    affects_all=True,
                )
        return SmtpSender(
            SmtpConfig(
                settings.smtp_host,
                settings.smtp_port,
                settings.smtp_security,
                settings.smtp_username,
                password,
                tls_context=tls_context,
            )
        )

    return make


class EmailChannel(MessageChannel[MailSender]):
    channel = Channel.EMAIL
    sent_key = "accepted"

    def send(
        self,
        job: OutboxJob,
        composed: Outgoing,
        batch: ConnectionPerClinic[MailSender],
        now: datetime,
    ) -> Outcome:
        message_id = message_id_for(job.idempotency_key, composed.settings.sender_address)
        try:
            batch.get(composed.settings).send(build_email(composed, message_id, now))
        except MailRefused as exc:
            return Refused(exc.reason)
        except MailUnavailable as exc:
            return batch.failed(composed.clinic_id, exc)
        self.queue.remember(job.id, {"accepted": True, "message_id": message_id})
        record_sent(self.database, composed.message_id, message_id, now)
        self.sent += 1
        return Delivered({"message_id": message_id})
