"""What can go wrong talking to Xero, sorted by what the worker does about it.

* `XeroUnavailable` (network error, timeout, 5xx, 429): try again later (a
  `XeroHiccup`, 5xx or a dropped connection, first once or twice within the call);
* `XeroRefused` (400 with ValidationErrors): park the job with Xero's own words;
* `XeroNeedsReconnect` (refresh token refused, organisation disconnected): hold
  every job and ask a person to reconnect;
* `XeroNotConnected`: nothing to call yet.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from desktop.domain.outbox import Refused


class XeroError(Exception):
    """`str(error)` is one line fit for the Xero panel or the command line."""


class XeroUnavailable(XeroError):
    """Temporary: Xero did not answer, answered 5xx, or asked us to slow down."""

    def __init__(self, message: str, after: timedelta | None = None) -> None:
        super().__init__(message)
        self.after = after


class XeroHiccup(XeroUnavailable):
    """A 5xx answer or a connection dropped mid-call: most often gone a second later."""


class XeroReplyUnreadable(XeroUnavailable):
    """Xero answered 2xx but the SDK could not read the answer (e.g. xero-python
    issue 159 on deleting an allocation). The call may have landed: look it up."""


class XeroRateLimited(XeroUnavailable):
    def __init__(self, problem: str, after: timedelta) -> None:
        super().__init__(f"Xero's {problem} rate limit was reached; waiting {_human(after)}", after)
        self.problem = problem


class XeroRefused(XeroError):
    """Xero will not take this as it is (validation error); a person must act."""

    def refusal(self) -> Refused:
        """The job's outcome, in Xero's own words (the page shows them as Xero's)."""
        return Refused(str(self), theirs=True)


class XeroNotFound(XeroError):
    pass


class XeroNeedsReconnect(XeroError):
    pass


class XeroNotConnected(XeroError):
    pass


class NoKeyring(XeroError):
    pass


def _human(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def validation_messages(body: Any) -> list[str]:
    """Xero's own messages out of an error body (ValidationException, or a plain
    Message/Detail), in order and without repeats."""
    data = body
    if isinstance(body, bytes | str):
        try:
            data = json.loads(body)
        except ValueError:
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return [text.strip()[:300]] if text.strip() else []
    messages: list[str] = []
    if isinstance(data, dict):
        for element in data.get("Elements") or []:
            for error in (element or {}).get("ValidationErrors") or []:
                if error.get("Message"):
                    messages.append(str(error["Message"]))
        if not messages:
            for key in ("Message", "Detail", "Title", "error_description", "error"):
                if data.get(key):
                    messages.append(str(data[key]))
                    break
    return list(dict.fromkeys(messages))
