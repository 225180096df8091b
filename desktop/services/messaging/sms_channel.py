"""The outbox's SMS channel: reminders through the clinic's SMS provider.

For each job: compose it (still wanted? to which mobile? which text?), then
hand it to the provider (Twilio, ClickSend or a custom relay) and remember the
provider's id at once. The provider bills the clinic; Frontdesk keeps no credit.

Never twice: before the first send the job notes *when* it started sending.
A retry that finds the provider's id stops. A retry that finds only the note
(the reply was lost, or the sender died mid-send) first asks the provider for
a message it already made to that number with that text since then
(`find_sent`), and sends only when there is none. A message the provider
refuses for good is parked with the provider's words; an unsubscribed
recipient (Twilio 21610, ClickSend BLOCKED) also records the patient's SMS opt-out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from desktop.domain.outbox import Channel, Delivered, OutboxJob, Outcome, Refused
from desktop.services.context import ServiceContext
from desktop.services.messaging import opt_outs
from desktop.services.messaging.clicksend_sms import ClickSendSms
from desktop.services.messaging.compose import Outgoing
from desktop.services.messaging.connections import ConnectionPerClinic
from desktop.services.messaging.message_channel import MessageChannel
from desktop.services.messaging.records import record_sent
from desktop.services.messaging.secrets import SMS_API_KEY_ENV, MessagingSecrets, no_keyring_message
from desktop.services.messaging.settings import MessagingSettings, SmsProvider, settings_in
from desktop.services.messaging.sms_gateway import (
    GatewayRejected,
    GatewayUnavailable,
    HttpSmsGateway,
    RecipientUnsubscribed,
    SmsGateway,
    SmsGatewayError,
)
from desktop.services.messaging.twilio_sms import TwilioSms, status_callback_url
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.store.database import Database
from desktop.store.messaging_models import OutgoingMessageRow

GatewayFactory = Callable[[MessagingSettings], SmsGateway]
# Delivery reports older than this are not asked for any more.
REPORTS_WITHIN = timedelta(days=3)


def sms_providers(
    secrets: MessagingSecrets | None = None, clock: Clock = system_clock
) -> GatewayFactory:
    """Each clinic's provider client from its settings, with the secret from the keyring."""
    secrets = secrets or MessagingSecrets()

    def make(settings: MessagingSettings) -> SmsGateway:
        provider = settings.sms_provider
        if not settings.sms_configured:
            raise GatewayUnavailable(
                f"{provider.label} is not set up: enter it in Settings ▸ Reminders and SMS.",
                affects_all=True,
            )
        key = secrets.sms_api_key(settings.clinic_id)
        if not key:
            what = f"{provider.label} {provider.secret_label.lower()}"
            raise GatewayUnavailable(
                f"No {what} is saved. Enter it in Settings ▸ Reminders and SMS."
                + ("" if secrets.available else " " + no_keyring_message(what, SMS_API_KEY_ENV)),
                affects_all=True,
            )
        return provider_for(settings, key, clock)

    return make


def provider_for(
    settings: MessagingSettings, secret: str, clock: Clock = system_clock
) -> SmsGateway:
    """The client of the clinic's chosen provider, signed in with `secret`."""
    if settings.sms_provider is SmsProvider.TWILIO:
        return TwilioSms(
            settings.sms_account, secret, status_callback=status_callback_url(settings.clinic_id)
        )
    if settings.sms_provider is SmsProvider.CLICKSEND:
        return ClickSendSms(settings.sms_account, secret, clock=clock)
    return HttpSmsGateway(settings.sms_gateway_url, secret, clock=clock)


class SmsChannel(MessageChannel[SmsGateway]):
    channel = Channel.SMS
    sent_key = "gateway_id"

    def send(
        self,
        job: OutboxJob,
        composed: Outgoing,
        batch: ConnectionPerClinic[SmsGateway],
        now: datetime,
    ) -> Outcome:
        settings = composed.settings
        try:
            gateway = batch.get(settings)
        except GatewayUnavailable as exc:
            return batch.failed(settings.clinic_id, exc, exc.retry_after)
        try:
            gateway_id = self._send_once(job, gateway, composed, now)
        except RecipientUnsubscribed as exc:
            _record_unsubscribed(self.database, composed.message_id)
            return Refused(exc.reason)
        except GatewayRejected as exc:
            return Refused(exc.reason)
        except GatewayUnavailable as exc:
            return batch.failed(settings.clinic_id, exc, exc.retry_after)
        self.queue.remember(job.id, {"gateway_id": gateway_id})
        record_sent(self.database, composed.message_id, gateway_id, now)
        self.sent += 1
        return Delivered({"gateway_id": gateway_id, "segments": composed.segments})

    def _send_once(
        self, job: OutboxJob, gateway: SmsGateway, composed: Outgoing, now: datetime
    ) -> str:
        """Send, unless an earlier attempt may have sent it and the provider has it."""
        started = job.result.get("sending_since")
        if started:
            found = gateway.find_sent(
                composed.recipient,
                composed.body,
                datetime.fromisoformat(str(started)),
                job.idempotency_key,
            )
            if found:
                return found
        else:
            self.queue.remember(job.id, {"sending_since": now.isoformat()})
        return gateway.send(
            composed.recipient, composed.body, job.idempotency_key, composed.settings.sms_sender_id
        )


def _record_unsubscribed(database: Database, message_id: uuid.UUID) -> None:
    """The provider says the patient unsubscribed: Frontdesk stops planning texts to them."""
    with database.reading() as session:
        message = session.get(OutgoingMessageRow, message_id)
        patient_id = message.patient_id if message is not None else None
    if patient_id is not None:
        opt_outs.set_opt_out(ServiceContext.for_system(database), patient_id, Channel.SMS, True)


def read_delivery_reports(database: Database, gateways: GatewayFactory, now: datetime) -> int:
    """Ask the gateway what became of recent texts; returns how many reached an end."""
    with database.reading() as session:
        waiting = list(
            session.execute(
                select(
                    OutgoingMessageRow.id,
                    OutgoingMessageRow.clinic_id,
                    OutgoingMessageRow.provider_id,
                ).where(
                    OutgoingMessageRow.channel == Channel.SMS.value,
                    OutgoingMessageRow.provider_id != "",
                    OutgoingMessageRow.delivery_status == "",
                    OutgoingMessageRow.sent_at >= now - REPORTS_WITHIN,
                )
            ).all()
        )
        settings = {cid: settings_in(session, cid) for cid in {row[1] for row in waiting}}
    batch = ConnectionPerClinic(gateways)
    finished = 0
    try:
        for message_id, clinic_id, provider_id in waiting:
            try:
                report = batch.get(settings[clinic_id]).delivery_report(provider_id)
            except GatewayUnavailable as exc:
                batch.failed(clinic_id, exc)
                continue  # asked again on the next pass
            except SmsGatewayError:
                continue
            if report.final:
                _record_delivery(database, message_id, report.status, report.detail)
                finished += 1
    finally:
        batch.close()
    return finished


def record_status(database: Database, provider_id: str, status: str, error_code: str) -> bool:
    """A provider's status callback: record a final status; False for an unknown message."""
    final = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}.get(status)
    if final is None or not provider_id:
        return False
    with database.reading() as session:
        message_id = session.execute(
            select(OutgoingMessageRow.id).where(OutgoingMessageRow.provider_id == provider_id)
        ).scalar_one_or_none()
    if message_id is None:
        return False
    detail = f"{status} (provider error {error_code})" if error_code and final == "failed" else ""
    _record_delivery(database, message_id, final, detail)
    return True


def _record_delivery(database: Database, message_id: uuid.UUID, status: str, detail: str) -> None:
    with database.write_session() as session:
        message = session.get(OutgoingMessageRow, message_id)
        if message is not None:
            message.delivery_status, message.delivery_detail = status, detail
            session.commit()
