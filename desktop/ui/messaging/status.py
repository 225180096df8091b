"""The status bar's SMS credit line: silent while there is enough, a warning when low."""

from __future__ import annotations

import uuid

from desktop.services.context import ServiceContext
from desktop.services.messaging.credits import credit_status


def sms_credit_status_text(ctx: ServiceContext, clinic_id: uuid.UUID) -> str:
    """ "" when all is well; otherwise e.g. "SMS credit low: 12 left." (ready to show)."""
    return credit_status(ctx, clinic_id).text
