"""Helpers the senders share: reading Xero's per-item answers, finding by reference."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from desktop.domain.outbox import Refused


def item_errors(item: Any) -> list[str]:
    """Xero's validation messages for one element of a summarizeErrors=false batch."""
    errors = getattr(item, "validation_errors", None) or []
    messages = [str(getattr(e, "message", "") or "") for e in errors]
    messages = [m for m in messages if m]
    status = str(getattr(item, "status_attribute_string", "") or "")
    if not messages and status.upper() == "ERROR":
        messages = ["Xero refused it without saying why."]
    return list(dict.fromkeys(messages))


def refusal(messages: Iterable[str]) -> Refused:
    """Xero's own validation messages as a refusal (the page shows them as Xero's)."""
    return Refused("; ".join(messages), theirs=True)
