"""A local HTTP test double of ClickSend's REST v3 API, built from the SDK's own API description.

Decision: ClickSend publishes no OpenAPI file we keep in ../shared, but its
official SDK (`clicksend-client`, module `clicksend`) is generated from
ClickSend's OpenAPI document. So this double takes its description from the
installed SDK: the operations (method, path, query parameters, request and
response models) are read from `clicksend/api/*_api.py`, and every request
body and every answer is checked against the SDK's generated models
(`clicksend/models/*.py`). Behaviour the models do not say is taken from
ClickSend's public docs (help.clicksend.com "Post application status codes"
and "List of SMS gateway error codes"): a message's status is SUCCESS,
INVALID_RECIPIENT or INSUFFICIENT_CREDIT, delivery receipts carry status code
201 (delivered) or 301 (failed, with an error text), errors are a JSON body
{"http_code", "response_code", "response_msg"}. A recipient on the account's
opt-out list is answered "BLOCKED" (counted in `blocked_count`).

Every request is checked: the path must be an operation the SDK describes,
query parameters ones it declares, a JSON body must validate against the
request model with no undeclared fields. Violations are collected in
`violations`; tests assert none.

It behaves as ClickSend does for what reminders use: basic auth with the
username and API key (401 when wrong), send (200 with a status per message),
`custom_string` kept with the message, history filtered by `q=to:…` and
`date_from`, receipts per message (404 before one exists), inbound texts, the
account's balance, 429 when told, and a lost reply (the message is made, the
connection drops before the answer). `sent` lists what reached a phone.
"""

from __future__ import annotations

import base64
import functools
import inspect
import itertools
import json
import re
import threading
import typing
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import clicksend
from clicksend import api as clicksend_api
from pydantic import BaseModel, ValidationError

from tests.fakes.http_double import JsonHandler, LocalHttpDouble

USERNAME = "harbourside"
API_KEY = "CS-TEST-0123456789ABCDEF"
CLINIC_NUMBER = "+61480000000"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with {placeholders}
    params: frozenset[str]
    body: type[BaseModel] | None
    answer: type[BaseModel] | None


def _model(name: str | None) -> type[BaseModel] | None:
    found = getattr(clicksend, name, None) if name else None
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the SDK's SMS and account APIs, read from its generated code."""
    found: list[Operation] = []
    for api in (clicksend_api.SmsApi, clicksend_api.ManagementApi):
        for name, function in inspect.getmembers(api, inspect.isfunction):
            serialize = getattr(api, f"_{name}_serialize", None)
            if name.startswith("_") or serialize is None or name.endswith("_with_http_info"):
                continue
            code = inspect.getsource(serialize)
            method = re.search(r"method='(\w+)'", code)
            path = re.search(r"resource_path='([^']+)'", code)
            if method is None or path is None:
                continue
            body = re.search(r"_body_params = (\w+)", code)
            answer = re.search(r"'200': \"(\w+)\"", inspect.getsource(function))
            found.append(
                Operation(
                    method.group(1),
                    path.group(1),
                    frozenset(re.findall(r"_query_params.append\(\('(\w+)'", code)),
                    _body_model(function, body.group(1)) if body else None,
                    _model(answer.group(1) if answer else None),
                )
            )
    return tuple(found)


def _body_model(function: Callable[..., Any], parameter: str) -> type[BaseModel] | None:
    hints = typing.get_type_hints(inspect.unwrap(function))
    for candidate in typing.get_args(hints.get(parameter)) or (hints.get(parameter),):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _operation_for(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    for op in operations():
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path)) + "$"
        match = re.match(pattern, path)
        if op.method == method and match:
            return op, match.groupdict()
    return None


def _undeclared(model: type[BaseModel], data: Any, where: str) -> list[str]:
    """Fields of `data` the model does not declare (pydantic would drop them silently)."""
    if not isinstance(data, dict):
        return []
    fields = model.model_fields
    known = {f.alias or n for n, f in fields.items()}
    problems = [f"{where}: field {key!r} undeclared" for key in data if key not in known]
    for name, info in fields.items():
        value = data.get(info.alias or name)
        inner = [a for a in typing.get_args(info.annotation) if a is not type(None)]
        for arg in inner:
            items = typing.get_args(arg)
            nested = items[0] if items else arg
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                for item in value if isinstance(value, list) else [value]:
                    problems += _undeclared(nested, item, f"{where}.{name}")
    return problems


@dataclass
class FakeSms:
    message_id: str
    to: str
    from_: str
    body: str
    direction: str  # out | in
    at: datetime
    custom_string: str = ""
    receipt: tuple[int, str, int | None] | None = None  # status code, text, error code

    def history(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "date": int(self.at.timestamp()),
            "to": self.to,
            "body": self.body,
            "from": self.from_,
            "status": "Sent" if self.receipt is None else "Completed",
            "message_id": self.message_id,
            "message_parts": 1,
            "message_price": "0.0792",
            "custom_string": self.custom_string,
            "country": "AU",
        }


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    lose_reply: bool = False


@dataclass
class _State:
    username: str
    api_key: str
    clock: Callable[[], datetime]
    messages: list[FakeSms] = field(default_factory=list)
    faults: deque[_Fault] = field(default_factory=deque)
    invalid: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    out_of_credit: bool = False
    violations: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    balance: str = "23.450000"
    currency: str = "AUD"
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class FakeClickSend(LocalHttpDouble):
    def __init__(
        self,
        username: str = USERNAME,
        api_key: str = API_KEY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.state = _State(username, api_key, clock or (lambda: datetime.now(UTC)))
        super().__init__(_handler(self.state))

    # --- what tests arrange ----------------------------------------------------------

    def fail_next(self, status: int, code: str, message: str) -> None:
        self.state.faults.append(_Fault(status, code, message))

    def lose_next_reply(self) -> None:
        """The next send is made (the patient gets it), then the connection drops."""
        self.state.faults.append(_Fault(0, "", "", lose_reply=True))

    def mark_invalid(self, number: str) -> None:
        self.state.invalid.add(number)

    def opt_out(self, number: str) -> None:
        """The number is on the account's opt-out list (the patient replied STOP)."""
        self.state.blocked.add(number)

    def finish(self, message_id: str, code: int, text: str, error: int | None = None) -> None:
        """ClickSend receives the handset's delivery receipt."""
        with self.state.lock:
            sms = next(m for m in self.state.messages if m.message_id == message_id)
            sms.receipt = (code, text, error)

    def receive(self, from_: str, body: str, to: str = CLINIC_NUMBER) -> FakeSms:
        """A patient texts the clinic's number."""
        with self.state.lock:
            sms = FakeSms(_id(self.state), to, from_, body, "in", self.state.clock())
            self.state.messages.append(sms)
            return sms

    # --- what tests read ---------------------------------------------------------------

    @property
    def sent(self) -> list[FakeSms]:
        return [m for m in self.state.messages if m.direction == "out"]

    @property
    def violations(self) -> list[str]:
        return list(self.state.violations)


def _id(state: _State) -> str:
    """An id shaped like ClickSend's ("BF7AD270-0DE2-418B-B606-71D527D9C1AE"), unique here."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"clicksend-double/{next(state.ids)}")).upper()


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"http_code": status, "response_code": code, "response_msg": message, "data": None}


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            with state.lock:
                state.requests.append((method, parts.path))
                found = _operation_for(method, parts.path)
                if found is None:
                    state.violations.append(f"{method} {parts.path}: not in the SDK's API")
                    self._reply(404, _error(404, "NOT_FOUND", "Resource not found."))
                    return
                op, args = found
                body = _checked(state, op, query, raw)
                if not self._authorised():
                    self._reply(401, _error(401, "UNAUTHORIZED", "Invalid credentials."))
                    return
                status, answer, headers = _route(state, op, args, query, body)
                if status == 0:  # a lost reply: the work was done, the answer never comes
                    self.close_connection = True
                    return
                if status == 200 and op.answer is not None:
                    try:
                        op.answer.model_validate(answer)
                    except ValidationError as exc:
                        state.violations.append(f"{op.path}: answer does not fit: {exc}")
                self._reply(status, answer, headers)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return False
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
            return (user, key) == (state.username, state.api_key)

    return Handler


def _checked(state: _State, op: Operation, query: dict[str, str], raw: str) -> Any:
    for name in query:
        if name not in op.params:
            state.violations.append(f"{op.method} {op.path}: query parameter {name!r} undeclared")
    if op.body is None or not raw:
        return None
    body = json.loads(raw)
    state.violations += _undeclared(op.body, body, f"{op.method} {op.path}")
    try:
        op.body.model_validate(body)
    except ValidationError as exc:
        state.violations.append(f"{op.method} {op.path}: body does not fit: {exc}")
    return body


Answer = tuple[int, dict[str, Any], dict[str, str]]


def _route(
    state: _State, op: Operation, args: dict[str, str], query: dict[str, str], body: Any
) -> Answer:
    if op.path == "/v3/sms/send":
        return _send(state, body or {})
    if op.path == "/v3/sms/history":
        return _listing(query, _history(state, query))
    if op.path == "/v3/sms/inbound":
        inbound = [m for m in state.messages if m.direction == "in"]
        return _listing(query, [_inbound(m) for m in inbound])
    if op.path == "/v3/sms/receipts/{message_id}":
        for sms in state.messages:
            if sms.message_id == args["message_id"] and sms.receipt is not None:
                return 200, _ok("Your receipt.", _receipt(sms)), {}
        return 404, _error(404, "NOT_FOUND", "Your resource not found."), {}
    if op.path == "/v3/account":
        account = {
            "user_id": 116,
            "username": state.username,
            "balance": state.balance,
            "country": "AU",
            "_currency": {"currency_name_short": state.currency, "currency_prefix_d": "$"},
        }
        return 200, _ok("Here's your account.", account), {}
    return 404, _error(404, "NOT_FOUND", "Not served by this double."), {}


def _ok(said: str, data: Any) -> dict[str, Any]:
    return {"http_code": 200, "response_code": "SUCCESS", "response_msg": said, "data": data}


def _send(state: _State, body: dict[str, Any]) -> Answer:
    fault = state.faults.popleft() if state.faults else None
    if fault is not None and not fault.lose_reply:
        headers = {"Retry-After": "60"} if fault.status == 429 else {}
        return fault.status, _error(fault.status, fault.code, fault.message), headers
    answered: list[dict[str, Any]] = []
    for message in body.get("messages") or []:
        to = str(message.get("to") or "")
        sms = FakeSms(
            _id(state),
            to,
            str(message.get("from") or ""),
            str(message.get("body") or ""),
            "out",
            state.clock(),
            custom_string=str(message.get("custom_string") or ""),
        )
        status = "SUCCESS"
        if not _E164.match(to) or to in state.invalid:
            status = "INVALID_RECIPIENT"
        elif to in state.blocked:
            status = "BLOCKED"
        elif state.out_of_credit:
            status = "INSUFFICIENT_CREDIT"
        else:
            state.messages.append(sms)
        view = {k: v for k, v in sms.history().items() if k != "status"}
        answered.append({**view, "status": status})
    queued = sum(1 for m in answered if m["status"] == "SUCCESS")
    data = {
        "total_price": 0.0792 * queued,
        "total_count": len(answered),
        "queued_count": queued,
        "messages": answered,
        "_currency": {"currency_name_short": state.currency},
        "blocked_count": sum(1 for m in answered if m["status"] == "BLOCKED"),
    }
    if fault is not None:
        return 0, {}, {}
    return 200, _ok("Messages queued for delivery.", data), {}


def _history(state: _State, query: dict[str, str]) -> list[dict[str, Any]]:
    found = [m for m in state.messages if m.direction == "out"]
    field_name, _, value = query.get("q", "").partition(":")
    if field_name == "to":
        found = [m for m in found if m.to == value]
    if "date_from" in query:
        found = [m for m in found if m.at.timestamp() >= int(query["date_from"])]
    if query.get("order_by") == "date:desc":
        found = list(reversed(found))
    return [m.history() for m in found]


def _inbound(sms: FakeSms) -> dict[str, Any]:
    return {
        "timestamp": int(sms.at.timestamp()),
        "from": sms.from_,
        "body": sms.body,
        "to": sms.to,
        "custom_string": "",
        "message_id": sms.message_id,
        "original_body": "",
        "original_message_id": "",
    }


def _receipt(sms: FakeSms) -> dict[str, Any]:
    assert sms.receipt is not None
    code, text, error = sms.receipt
    return {
        "timestamp_send": int(sms.at.timestamp()),
        "timestamp": int(sms.at.timestamp()),
        "message_id": sms.message_id,
        "status_code": code,
        "status_text": text,
        "error_code": error,
        "error_text": text if error is not None else None,
        "custom_string": sms.custom_string,
        "message_type": "sms",
    }


def _listing(query: dict[str, str], items: list[dict[str, Any]]) -> Answer:
    limit = int(query.get("limit", "15"))
    page = int(query.get("page", "1"))
    last = max(1, -(-len(items) // limit))
    shown = items[(page - 1) * limit : page * limit]
    data = {
        "total": len(items),
        "per_page": limit,
        "current_page": page,
        "last_page": last,
        "next_page_url": None,
        "prev_page_url": None,
        "from": (page - 1) * limit + 1 if shown else None,
        "to": (page - 1) * limit + len(shown) if shown else None,
        "data": shown,
    }
    return 200, _ok("Here are your data.", data), {}
