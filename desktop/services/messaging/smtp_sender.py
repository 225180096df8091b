"""Sending mail over SMTP (smtplib): STARTTLS or SSL, sign-in, one connection per batch.

SMTP's answers are sorted by what should happen next. A 5xx about the message
or its recipient (550 mailbox unknown) is `MailRefused`: the message is parked
with the server's own words, for a person to fix the address and retry. A 4xx
(451 try later, greylisting), a refused connection, a timeout or a dropped
connection is `MailUnavailable`: tried again later. A refused sign-in or sender
address is also `MailUnavailable` with `affects_all` — every message would fail
the same way until the settings are fixed, and none of them is at fault.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from desktop.services.messaging.settings import SmtpSecurity

DEFAULT_TIMEOUT = 30.0


class MailRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MailUnavailable(Exception):
    def __init__(self, reason: str, *, affects_all: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.affects_all = affects_all


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail server; returns once it accepted it."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: SmtpSecurity
    username: str = ""
    password: str = ""
    timeout: float = DEFAULT_TIMEOUT
    # None: the system's trusted certificates (tests pass one trusting their own).
    tls_context: ssl.SSLContext | None = None


def _said(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


class SmtpSender:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _recipients_refused(exc.recipients) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise MailUnavailable(
                f"The mail server refused the sender address {exc.sender} "
                f"({_said(exc.smtp_code, exc.smtp_error)}). Check it in the messaging settings.",
                affects_all=True,
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise MailUnavailable(
                f"The mail server closed the connection ({exc}).", affects_all=True
            ) from exc
        except smtplib.SMTPResponseException as exc:  # e.g. SMTPDataError
            said = _said(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code >= 500:
                raise MailRefused(f"The mail server refused the message: {said}") from exc
            raise MailUnavailable(f"The mail server asked to try later: {said}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise MailUnavailable(
                f"Sending to the mail server failed: {exc}", affects_all=True
            ) from exc
        if refused:  # only some recipients were refused; we send to one, so this is rare
            raise _recipients_refused(refused)

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            smtp = self._open()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(
                f"Could not connect to the mail server {where}: {exc}", affects_all=True
            ) from exc
        try:
            self._secure_and_sign_in(smtp, where)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _open(self) -> smtplib.SMTP:
        c = self.config
        if c.security is SmtpSecurity.SSL:
            context = c.tls_context or ssl.create_default_context()
            return smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        return smtplib.SMTP(c.host, c.port, timeout=c.timeout)

    def _secure_and_sign_in(self, smtp: smtplib.SMTP, where: str) -> None:
        c = self.config
        try:
            smtp.ehlo()
            if c.security is SmtpSecurity.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise MailUnavailable(
                        f"The mail server {where} does not offer STARTTLS; choose SSL/TLS or "
                        "another port in the messaging settings.",
                        affects_all=True,
                    )
                smtp.starttls(context=c.tls_context or ssl.create_default_context())
                smtp.ehlo()
            if c.username:
                smtp.login(c.username, c.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailUnavailable(
                f"The mail server refused the username or password "
                f"({_said(exc.smtp_code, exc.smtp_error)}). Check them in the messaging settings.",
                affects_all=True,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailUnavailable(
                f"The mail server {where} does not accept a sign-in here ({exc}); check the "
                "security setting (STARTTLS or SSL/TLS).",
                affects_all=True,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(
                f"Could not set up the connection to the mail server {where}: {exc}",
                affects_all=True,
            ) from exc


def _recipients_refused(recipients: dict[str, tuple[int, bytes]]) -> Exception:
    address, (code, text) = next(iter(recipients.items()))
    said = _said(code, text)
    if code >= 500:
        return MailRefused(f"The mail server refused {address}: {said}")
    return MailUnavailable(f"The mail server could not take mail for {address} now: {said}")
