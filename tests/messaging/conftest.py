"""Fixtures for messaging: a clinic with reminders on, a real SMTP server, a fake gateway."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from desktop.domain.appointments import Appointment
from desktop.services import booking
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.email_channel import smtp_senders
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.send_due import SendDueReport, send_due
from desktop.services.messaging.settings import (
    MessagingSettings,
    SmsProvider,
    SmtpSecurity,
    get_settings,
)
from desktop.services.messaging.sms_channel import sms_providers
from desktop.store.models import ClinicRow, PatientRow
from desktop.store.outbox import OutboxQueue
from desktop.store.unit_of_work import UnitOfWork
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.helpers.clinic import DAY, ClinicFixture
from tests.messaging.helpers import Clock, EphemeralController, MemoryKeyring, RecordingSmtp

API_KEY = "sk-test-0123456789"
LEAD = timedelta(hours=24)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2031, 2, 24, 0, 0, tzinfo=UTC))


@pytest.fixture
def secrets() -> MessagingSecrets:
    return MessagingSecrets(MemoryKeyring())


@dataclass
class SmtpEndpoint:
    handler: RecordingSmtp
    port: int


@pytest.fixture
def smtp_server() -> Iterator[SmtpEndpoint]:
    handler = RecordingSmtp()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield SmtpEndpoint(handler, controller.port)
    finally:
        controller.stop()


@pytest.fixture
def sms_gateway() -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway(api_key=API_KEY) as gateway:
        yield gateway


@dataclass
class Messaging:
    """The clinic of tests/helpers/clinic.py with messaging set up against local servers."""

    ctx: ServiceContext
    c: ClinicFixture
    clock: Clock
    secrets: MessagingSecrets
    smtp: RecordingSmtp
    gateway: FakeSmsGateway
    smtp_port: int

    @property
    def clinic_id(self) -> uuid.UUID:
        return self.c.clinic.id

    @property
    def queue(self) -> OutboxQueue:
        return OutboxQueue(self.ctx.database)

    def book(self, hour: int, minute: int = 0, patient: int = 0, day: date = DAY) -> Appointment:
        request = BookingRequest(
            clinic_id=self.clinic_id,
            practitioner_id=self.c.alice.id,
            appointment_type_id=self.c.consult.id,
            patient_id=self.c.patients[patient].id,
            starts_at=self.c.at(hour, minute, day),
        )
        return booking.book_appointment(self.ctx, request).appointment

    def send_due(self) -> SendDueReport:
        return send_due(
            self.ctx,
            senders=smtp_senders(self.secrets),
            gateways=sms_providers(self.secrets, self.clock),
            clock=self.clock,
            rng=random.Random(7),
        )

    def settings(self) -> MessagingSettings:
        return get_settings(self.ctx, self.clinic_id)

    def save(self, **changes: object) -> MessagingSettings:
        saved, _ = save_settings(
            self.ctx, replace(self.settings(), **changes), secrets=self.secrets, clock=self.clock
        )
        return saved

    def reminder_time(self, appointment: Appointment) -> datetime:
        """Move the clock to when the appointment's reminder is due."""
        self.clock.now = appointment.starts_at - self.settings().reminder_lead
        return self.clock.now

    def set_patient(self, index: int, **fields: object) -> None:
        with UnitOfWork(self.ctx.database) as uow:
            row = uow.session.get(PatientRow, self.c.patients[index].id)
            assert row is not None
            for key, value in fields.items():
                setattr(row, key, value)
            uow.commit()


@pytest.fixture
def unconfigured(
    ctx: ServiceContext,
    clinic: ClinicFixture,
    clock: Clock,
    secrets: MessagingSecrets,
    smtp_server: SmtpEndpoint,
    sms_gateway: FakeSmsGateway,
) -> Messaging:
    """The clinic with contact details, before anyone opened the messaging settings."""
    with UnitOfWork(ctx.database) as uow:
        row = uow.session.get(ClinicRow, clinic.clinic.id)
        assert row is not None
        row.phone, row.address = "02 9555 0000", "1 Harbour St, Manly NSW 2095"
        uow.commit()
    m = Messaging(ctx, clinic, clock, secrets, smtp_server.handler, sms_gateway, smtp_server.port)
    m.set_patient(0, email="sam.lee@example.com")
    m.set_patient(2, email="jo@example.com")  # Jo has a landline only: email, never SMS
    m.set_patient(3, email="ana@example.com")
    return m


def configure(m: Messaging) -> None:
    save_settings(
        m.ctx,
        MessagingSettings(
            m.clinic_id,
            reminders_by_sms=True,
            reminders_by_email=True,
            reminder_lead=LEAD,
            smtp_host="127.0.0.1",
            smtp_port=m.smtp_port,
            smtp_security=SmtpSecurity.NONE,
            sender_address="reception@testclinic.example",
            billing_email="accounts@testclinic.example",
            sms_provider=SmsProvider.RELAY,
            sms_gateway_url=m.gateway.url,
            sms_sender_id="TestClinic",
        ),
        sms_api_key=API_KEY,
        secrets=m.secrets,
        clock=m.clock,
    )


@pytest.fixture
def messaging(unconfigured: Messaging) -> Messaging:
    """Reminders on by SMS and email, 24 hours ahead, through the local servers."""
    configure(unconfigured)
    return unconfigured
