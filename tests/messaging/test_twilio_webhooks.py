"""`frontdesk server`'s Twilio webhooks: signed with the SDK's RequestValidator, or refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from desktop.domain.outbox import Channel
from desktop.server.app import ServerConfig, create_app
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.opt_outs import patient_opt_outs
from desktop.services.messaging.replies import patient_replies
from desktop.services.messaging.settings import SmsProvider
from desktop.services.messaging.twilio_sms import API_URL_ENV, PUBLIC_URL_ENV
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, FakeTwilio
from tests.messaging.conftest import Messaging

SAM = "+61412345678"


@pytest.fixture
def server(messaging: Messaging) -> Iterator[TestClient]:
    messaging.save(
        sms_provider=SmsProvider.TWILIO, sms_account=ACCOUNT_SID, sms_sender_id=CLINIC_NUMBER
    )
    messaging.secrets.set_sms_api_key(messaging.clinic_id, AUTH_TOKEN)
    config = ServerConfig(
        str(messaging.ctx.database.engine.url), rate_limits=None, sms_secrets=messaging.secrets
    )
    with TestClient(create_app(config, messaging.ctx.database)) as client:
        yield client


def post_signed(client: TestClient, path: str, form: dict[str, str], token: str = AUTH_TOKEN):  # type: ignore[no-untyped-def]
    signature = RequestValidator(token).compute_signature(f"http://testserver{path}", form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def test_an_inbound_reply_shows_as_patient_replied(
    messaging: Messaging, server: TestClient
) -> None:
    m = messaging
    path = f"/v1/sms/twilio/{m.clinic_id}/inbound"
    form = {
        "MessageSid": "SM" + "1" * 32,
        "From": SAM,
        "To": CLINIC_NUMBER,
        "Body": "Can we make it 10?",
    }
    response = post_signed(server, path, form)
    assert response.status_code == 200 and "<Response>" in response.text
    assert post_signed(server, path, form).status_code == 200  # Twilio retried: kept once
    [reply] = patient_replies(m.ctx, m.c.patients[0].id)
    assert reply.describe == "Patient replied: Can we make it 10?"
    assert patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)


def test_an_inbound_stop_records_the_opt_out(messaging: Messaging, server: TestClient) -> None:
    m = messaging
    form = {"MessageSid": "SM" + "2" * 32, "From": SAM, "To": CLINIC_NUMBER, "Body": "STOP"}
    assert post_signed(server, f"/v1/sms/twilio/{m.clinic_id}/inbound", form).status_code == 200
    assert not patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)


@pytest.mark.parametrize("signature", ["wrong-token", None])
def test_a_wrong_or_missing_signature_is_refused_and_changes_nothing(
    messaging: Messaging, server: TestClient, signature: str | None
) -> None:
    m = messaging
    path = f"/v1/sms/twilio/{m.clinic_id}/inbound"
    form = {"MessageSid": "SM" + "3" * 32, "From": SAM, "To": CLINIC_NUMBER, "Body": "STOP"}
    if signature is None:
        response = server.post(path, data=form)
    else:
        response = post_signed(server, path, form, token=signature)
    assert response.status_code == 403
    assert patient_replies(m.ctx, m.c.patients[0].id) == []
    assert patient_opt_outs(m.ctx, m.c.patients[0].id).allows(Channel.SMS)


def test_a_status_callback_records_the_delivery_failure(
    messaging: Messaging, server: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    with FakeTwilio(clock=m.clock) as twilio:
        monkeypatch.setenv(API_URL_ENV, twilio.url)
        m.reminder_time(m.book(9, 30))
        assert m.send_due().sms_sent == 1
        [sms] = twilio.sent
    form = {"MessageSid": sms.sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    response = post_signed(server, f"/v1/sms/twilio/{m.clinic_id}/status", form)
    assert response.status_code == 204
    [entry] = [e for e in message_log(m.ctx, m.c.patients[0].id) if e.channel is Channel.SMS]
    assert entry.status is MessageStatus.UNDELIVERED
    assert entry.detail == "undelivered (provider error 30003)"


def test_with_the_servers_public_address_delivery_comes_back_by_the_status_callback(
    messaging: Messaging, server: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = messaging
    monkeypatch.setenv(PUBLIC_URL_ENV, "http://testserver/")  # the server's public address
    with FakeTwilio(clock=m.clock) as twilio:
        monkeypatch.setenv(API_URL_ENV, twilio.url)
        m.reminder_time(m.book(9, 30))
        assert m.send_due().sms_sent == 1
        [sms] = twilio.sent
        assert twilio.violations == []
    path = f"/v1/sms/twilio/{m.clinic_id}/status"
    assert sms.status_callback == f"http://testserver{path}"
    # Twilio calls the address the text carried, signed with the clinic's auth token.
    form = {"MessageSid": sms.sid, "MessageStatus": "delivered"}
    assert post_signed(server, path, form).status_code == 204
    [entry] = [e for e in message_log(m.ctx, m.c.patients[0].id) if e.channel is Channel.SMS]
    assert entry.status is MessageStatus.DELIVERED
