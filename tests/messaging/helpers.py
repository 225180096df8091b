"""Test doubles for messaging: a settable clock, an in-memory keyring, a real SMTP server.

The SMTP server is aiosmtpd on 127.0.0.1 with an ephemeral port; it records
every message it accepts and can be told to answer 4xx or 5xx, exactly as a
real mail server would on the wire.
"""

from __future__ import annotations

import email
import email.policy
import ipaddress
import ssl
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring.backend
from aiosmtpd.controller import Controller

from desktop.services.context import ServiceContext
from desktop.services.messaging.secrets import MessagingSecrets


class Clock:
    """An injected clock: tests move time on by hand, nothing waits."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]


@dataclass
class RecordingSmtp:
    """An aiosmtpd handler: keeps what it accepts; answers as scripted."""

    received: list[ReceivedMail] = field(default_factory=list)
    unknown_recipients: set[str] = field(default_factory=set)
    data_answers: deque[str] = field(default_factory=deque)  # e.g. "451 4.3.0 Try later"
    connections: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_answers:
            return self.data_answers.popleft()
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Message accepted for delivery"


class EphemeralController(Controller):
    """aiosmtpd's Controller on port 0: the port the OS chose is read back before use."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh certificate for 127.0.0.1, and a client that trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (folder / "cert.pem").write_bytes(cert_pem)
    (folder / "key.pem").write_bytes(key_pem)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


def texting_through_twilio(ctx: ServiceContext, clinic_id: uuid.UUID) -> MessagingSecrets:
    """The clinic's SMS provider set to the Twilio double's account; returns the secrets
    (an in-memory keyring holding its auth token)."""
    from desktop.services.messaging.configure import save_settings
    from desktop.services.messaging.settings import MessagingSettings, SmsProvider
    from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER

    secrets = MessagingSecrets(MemoryKeyring())
    settings = MessagingSettings(
        clinic_id,
        sms_provider=SmsProvider.TWILIO,
        sms_account=ACCOUNT_SID,
        sms_sender_id=CLINIC_NUMBER,
    )
    save_settings(ctx, settings, sms_api_key=AUTH_TOKEN, secrets=secrets)
    return secrets
