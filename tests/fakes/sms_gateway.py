"""A local HTTP fake of the SMS gateway, in-process on 127.0.0.1 (an ephemeral port).

It speaks the API documented in desktop/services/messaging/sms_gateway.py and
behaves like a careful real gateway: it checks the API key, de-duplicates by
Idempotency-Key (a repeat sends nothing and answers the first id), answers 429
with Retry-After or a 5xx when told to, can lose its reply after sending (the
classic "did it go?" case), refuses numbers it is told to, and serves delivery
reports. `sent` lists what reached a phone — each message exactly once.

    with FakeSmsGateway(api_key="k") as gateway:
        gateway.fail_next(429, retry_after="30")
        ... HttpSmsGateway(gateway.url, "k") ...
        assert [m.to for m in gateway.sent] == ["+61412345678"]
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes.http_double import JsonHandler

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class SentSms:
    id: str
    to: str
    text: str
    sender: str
    idempotency_key: str


@dataclass
class _Fault:
    status: int
    retry_after: str | None = None
    lose_reply: bool = False  # send the message, then fail the reply


@dataclass
class _State:
    api_key: str
    sent: list[SentSms] = field(default_factory=list)
    by_key: dict[str, SentSms] = field(default_factory=dict)
    faults: deque[_Fault] = field(default_factory=deque)
    rejected: dict[str, str] = field(default_factory=dict)
    reports: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, key
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeSmsGateway:
    def __init__(self, api_key: str = "test-key") -> None:
        self.state = _State(api_key)
        state = self.state

        class Handler(_Handler):
            fake = state

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll keeps stop() quick (it waits for the serving loop to look up).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    # --- scripting -------------------------------------------------------------------

    def fail_next(self, status: int, *, retry_after: str | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.state.faults.append(_Fault(status, retry_after))

    def lose_next_reply(self) -> None:
        """Send the next message, then answer 504 as if the reply was lost on the way."""
        self.state.faults.append(_Fault(504, lose_reply=True))

    def reject_number(self, to: str, reason: str) -> None:
        self.state.rejected[to] = reason

    def report(self, gateway_id: str, status: str, error: str = "") -> None:
        self.state.reports[gateway_id] = (status, error)

    # --- what happened ---------------------------------------------------------------

    @property
    def sent(self) -> list[SentSms]:
        with self.state.lock:
            return list(self.state.sent)

    @property
    def requests(self) -> list[tuple[str, str, str]]:
        with self.state.lock:
            return list(self.state.requests)

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeSmsGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FakeSmsGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(JsonHandler):
    fake: _State
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        key = self.headers.get("Idempotency-Key", "")
        with self.fake.lock:
            self.fake.requests.append(("POST", self.path, key))
        body = self._body()
        if not self._authorised():
            return
        if self.path != "/v1/messages":
            self._reply(404, {"error": "no such endpoint"})
            return
        if not key:
            self._reply(400, {"error": "Idempotency-Key header is required"})
            return
        with self.fake.lock:
            earlier = self.fake.by_key.get(key)
            if earlier is not None:  # a retry: nothing is sent again
                self._reply(200, {"id": earlier.id, "status": "queued", "duplicate": True})
                return
            fault = self.fake.faults.popleft() if self.fake.faults else None
            if fault is not None and not fault.lose_reply:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._reply(fault.status, {"error": f"scripted {fault.status}"}, headers)
                return
            to, text = str(body.get("to", "")), str(body.get("text", ""))
            if not _E164.match(to) or not text:
                self._reply(422, {"error": f"invalid number or empty text ({to!r})"})
                return
            if to in self.fake.rejected:
                self._reply(400, {"error": self.fake.rejected[to]})
                return
            sms = SentSms(f"gw-{next(self.fake.ids)}", to, text, str(body.get("sender", "")), key)
            self.fake.sent.append(sms)
            self.fake.by_key[key] = sms
        if fault is not None:  # lose_reply: it went, but the caller never hears so
            self._reply(504, {"error": "gateway timeout"})
            return
        self._reply(201, {"id": sms.id, "status": "queued", "segments": 1})

    def do_GET(self) -> None:
        with self.fake.lock:
            self.fake.requests.append(("GET", self.path, ""))
        if not self._authorised():
            return
        match = re.fullmatch(r"/v1/messages/([\w-]+)", self.path)
        with self.fake.lock:
            known = match is not None and any(s.id == match.group(1) for s in self.fake.sent)
            status, error = self.fake.reports.get(match.group(1) if match else "", ("queued", ""))
        if match is None or not known:
            self._reply(404, {"error": "no such message"})
            return
        self._reply(200, {"id": match.group(1), "status": status, "error": error})

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            self._reply(401, {"error": "invalid API key"})
            return False
        return True

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
