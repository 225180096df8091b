"""/v1/sms/twilio: Twilio's webhooks — texts patients send, and delivery status.

Set in the Twilio Console on the clinic's number ("A message comes in") as
`https://<server>/v1/sms/twilio/<clinic id>/inbound`, and as the status callback
`…/status`. Each request must carry a valid `X-Twilio-Signature`, checked with
the SDK's RequestValidator and the clinic's auth token (the server's keyring or
FRONTDESK_SMS_API_KEY); anything else is refused with 403 and changes nothing.
FRONTDESK_PUBLIC_URL is the address Twilio calls (the signature covers the full
URL); set, the server's sender also asks Twilio for the status callback on every
text (twilio_sms.status_callback_url).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from twilio.request_validator import RequestValidator

from desktop.server.errors import ERROR_RESPONSES
from desktop.server.guards import Context, rate_limited
from desktop.services.messaging.replies import record_reply
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.sms_channel import record_status
from desktop.services.messaging.twilio_sms import PUBLIC_URL_ENV

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

router = APIRouter(
    prefix="/sms/twilio",
    tags=["sms"],
    responses={
        **ERROR_RESPONSES,
        403: {"description": "the X-Twilio-Signature is missing or does not match"},
    },
    dependencies=[Depends(rate_limited)],
)


async def _signed_form(request: Request, clinic_id: uuid.UUID) -> dict[str, str] | None:
    """The form Twilio posted, or None when its signature does not match."""
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), True))
    secrets: MessagingSecrets = getattr(request.app.state, "sms_secrets", None) or (
        MessagingSecrets()
    )
    token = secrets.sms_api_key(clinic_id)
    public = os.environ.get(PUBLIC_URL_ENV, "").rstrip("/")
    url = public + request.url.path if public else str(request.url)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature or not RequestValidator(token).validate(url, form, signature):
        return None
    return form


def _refused() -> Response:
    return Response("Signature refused.", status_code=403, media_type="text/plain")


@router.post(
    "/{clinic_id}/inbound",
    summary="Twilio: a patient texted the clinic's number",
    response_class=Response,
    responses={200: {"description": "kept (empty TwiML: no automatic answer)"}},
)
async def inbound(clinic_id: uuid.UUID, request: Request, context: Context) -> Response:
    form = await _signed_form(request, clinic_id)
    if form is None:
        return _refused()
    record_reply(
        context.database,
        clinic_id,
        form.get("From", ""),
        form.get("Body", ""),
        form.get("MessageSid", ""),
        datetime.now(UTC),
    )
    return Response(_EMPTY_TWIML, media_type="text/xml")


@router.post(
    "/{clinic_id}/status",
    summary="Twilio: what became of a text the clinic sent",
    status_code=204,
    response_class=Response,
)
async def status(clinic_id: uuid.UUID, request: Request, context: Context) -> Response:
    form = await _signed_form(request, clinic_id)
    if form is None:
        return _refused()
    record_status(
        context.database,
        form.get("MessageSid", ""),
        form.get("MessageStatus", ""),
        form.get("ErrorCode", ""),
    )
    return Response(status_code=204)
