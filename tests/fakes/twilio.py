"""A local HTTP test double of Twilio's 2010-04-01 REST API, built from its OpenAPI document.

The document is twilio_openapi/twilio_api_v2010.yaml beside this file (Twilio's own,
MIT). Every request is checked against it: the path must be one it describes,
query parameters and form fields must be ones the operation declares (a
misspelt `Too=` is a violation, as Twilio would ignore it silently), required
fields present. Violations are collected in `violations`; tests assert none.

It behaves as Twilio does for what reminders use: HTTP basic auth with the
account SID and auth token (20003 when wrong), send (201, status "queued"),
21211 for a number that is not one, 21610 for a recipient who replied STOP,
429 (20429) when told, the StatusCallback a text asks for, a lost reply (the message is made, the connection
drops before the answer), message status with error codes, the message list
filtered by To/From/DateSent (newest first), inbound texts, and the balance.
`sent` lists what reached a phone — a test checks each reminder went once.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml  # type: ignore[import-untyped, unused-ignore]

from tests.fakes.http_double import JsonHandler, LocalHttpDouble

SPEC = Path(__file__).parent / "twilio_openapi" / "twilio_api_v2010.yaml"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-token"
CLINIC_NUMBER = "+61480000000"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_PREFIX = "/2010-04-01/Accounts/"


@functools.cache
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path template) -> {"params": names, "fields": names, "required": names}."""
    document = yaml.load(SPEC.read_text("utf-8"), Loader=yaml.CSafeLoader)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "delete"):
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            schema = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
            found[(method.upper(), path)] = {
                "params": {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"},
                "fields": set(schema.get("properties", {})),
                "required": set(schema.get("required", [])),
            }
    return found


def _template_for(path: str) -> tuple[str, dict[str, str]] | None:
    for _method, template in _operations():
        pattern = (
            "^"
            + re.sub(
                r"\{(\w+)\}",
                r"(?P<\1>[^/]+)",
                re.escape(template).replace("\\{", "{").replace("\\}", "}"),
            )
            + "$"
        )
        match = re.match(pattern, path)
        if match:
            return template, match.groupdict()
    return None


@dataclass
class FakeMessage:
    sid: str
    to: str
    from_: str
    body: str
    direction: str  # outbound-api | inbound
    status: str
    created: datetime
    messaging_service_sid: str = ""
    status_callback: str = ""  # where Twilio would POST the message's status changes
    error_code: int | None = None
    error_message: str | None = None

    def view(self) -> dict[str, Any]:
        stamp = format_datetime(self.created)
        return {
            "sid": self.sid,
            "account_sid": ACCOUNT_SID,
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "direction": self.direction,
            "status": self.status,
            "messaging_service_sid": self.messaging_service_sid or None,
            "num_segments": "1",
            "num_media": "0",
            "date_created": stamp,
            "date_updated": stamp,
            "date_sent": stamp if self.status != "queued" or self.direction == "inbound" else None,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "price": None,
            "price_unit": "USD",
            "api_version": "2010-04-01",
            "uri": f"{_PREFIX}{ACCOUNT_SID}/Messages/{self.sid}.json",
            "subresource_uris": {},
        }


@dataclass
class _Fault:
    status: int
    code: int
    message: str
    lose_reply: bool = False


@dataclass
class _State:
    auth_token: str
    clock: Callable[[], datetime]
    messages: list[FakeMessage] = field(default_factory=list)
    faults: deque[_Fault] = field(default_factory=deque)
    invalid: set[str] = field(default_factory=set)
    unsubscribed: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    balance: str = "12.34"
    currency: str = "USD"
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeTwilio(LocalHttpDouble):
    def __init__(
        self, auth_token: str = AUTH_TOKEN, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.state = _State(auth_token, clock or (lambda: datetime.now(UTC)))
        super().__init__(_handler(self.state))

    # --- what tests arrange ----------------------------------------------------------

    def fail_next(self, status: int, code: int, message: str) -> None:
        self.state.faults.append(_Fault(status, code, message))

    def lose_next_reply(self) -> None:
        """The next send is made (the patient gets it), then the connection drops."""
        self.state.faults.append(_Fault(0, 0, "", lose_reply=True))

    def mark_invalid(self, number: str) -> None:
        self.state.invalid.add(number)

    def unsubscribe(self, number: str) -> None:
        self.state.unsubscribed.add(number)

    def finish(self, sid: str, status: str, code: int | None = None, said: str = "") -> None:
        with self.state.lock:
            message = next(m for m in self.state.messages if m.sid == sid)
            message.status, message.error_code = status, code
            message.error_message = said or None

    def receive(self, from_: str, body: str, to: str = CLINIC_NUMBER) -> FakeMessage:
        """A patient texts the clinic's number."""
        with self.state.lock:
            message = FakeMessage(
                _sid(self.state), to, from_, body, "inbound", "received", self.state.clock()
            )
            self.state.messages.append(message)
            return message

    # --- what tests read ---------------------------------------------------------------

    @property
    def sent(self) -> list[FakeMessage]:
        return [m for m in self.state.messages if m.direction == "outbound-api"]

    @property
    def violations(self) -> list[str]:
        return list(self.state.violations)


def _sid(state: _State) -> str:
    return f"SM{next(state.ids):032x}"


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            with state.lock:
                state.requests.append((method, parts.path))
                found = _template_for(parts.path)
                if found is None or (method, found[0]) not in _operations():
                    state.violations.append(f"{method} {parts.path}: not in Twilio's document")
                    self._reply(404, _error(20404, "The requested resource was not found", 404))
                    return
                template, path_args = found
                _check(state, method, template, query, form)
                if not self._authorised(path_args.get("AccountSid", "")):
                    self._reply(401, _error(20003, "Authenticate", 401))
                    return
                status, body = _route(state, method, template, path_args, query, form)
                if status == 0:  # a lost reply: the work was done, the answer never comes
                    self.close_connection = True
                    return
                self._reply(status, body)

        def _authorised(self, account: str) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return False
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return user == ACCOUNT_SID == account and password == state.auth_token

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _check(
    state: _State, method: str, template: str, query: dict[str, str], form: dict[str, str]
) -> None:
    op = _operations()[(method, template)]
    for name in query:
        if name not in op["params"]:
            state.violations.append(f"{method} {template}: query parameter {name!r} undeclared")
    for name in form:
        if name not in op["fields"]:
            state.violations.append(f"{method} {template}: form field {name!r} undeclared")
    for name in op["required"] - set(form):
        state.violations.append(f"{method} {template}: required form field {name!r} missing")


def _error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _route(
    state: _State,
    method: str,
    template: str,
    args: dict[str, str],
    query: dict[str, str],
    form: dict[str, str],
) -> tuple[int, dict[str, Any]]:
    if template.endswith("/Messages.json") and method == "POST":
        return _create(state, form)
    if template.endswith("/Messages.json"):
        return 200, _listing(state, query)
    if template.endswith("/Messages/{Sid}.json") and method == "GET":
        for message in state.messages:
            if message.sid == args["Sid"]:
                return 200, message.view()
        return 404, _error(20404, f"The requested resource {template} was not found", 404)
    if template.endswith("/Balance.json"):
        return 200, {
            "account_sid": ACCOUNT_SID,
            "balance": state.balance,
            "currency": state.currency,
        }
    return 404, _error(20404, "Not served by this double", 404)


def _create(state: _State, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    fault = state.faults.popleft() if state.faults else None
    if fault is not None and not fault.lose_reply:
        return fault.status, _error(fault.code, fault.message, fault.status)
    to = form.get("To", "")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 400, _error(21603, "A 'From' or 'MessagingServiceSid' parameter is required", 400)
    if not _E164.match(to) or to in state.invalid:
        return 400, _error(21211, f"The 'To' number {to} is not a valid phone number.", 400)
    if to in state.unsubscribed:
        return 400, _error(21610, "Attempt to send to unsubscribed recipient", 400)
    message = FakeMessage(
        _sid(state),
        to,
        form.get("From", ""),
        form.get("Body", ""),
        "outbound-api",
        "queued",
        state.clock(),
        messaging_service_sid=form.get("MessagingServiceSid", ""),
        status_callback=form.get("StatusCallback", ""),
    )
    state.messages.append(message)
    if fault is not None:
        return 0, {}
    return 201, message.view()


def _listing(state: _State, query: dict[str, str]) -> dict[str, Any]:
    found = list(reversed(state.messages))
    if "To" in query:
        found = [m for m in found if m.to == query["To"]]
    if "From" in query:
        found = [m for m in found if m.from_ == query["From"]]
    after = query.get("DateSent>")
    if after:
        since = datetime.fromisoformat(after.replace("Z", "+00:00"))
        found = [m for m in found if m.created >= since]
    size = int(query.get("PageSize", "50"))
    page = found[:size]
    uri = f"{_PREFIX}{ACCOUNT_SID}/Messages.json"
    return {
        "messages": [m.view() for m in page],
        "page": 0,
        "page_size": size,
        "start": 0,
        "end": max(len(page) - 1, 0),
        "uri": uri,
        "first_page_uri": uri,
        "next_page_uri": None,
        "previous_page_uri": None,
    }
