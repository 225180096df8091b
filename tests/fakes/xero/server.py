"""HTTP transport for the fake: a stdlib ThreadingHTTPServer in a daemon thread.

Binds 127.0.0.1 on an ephemeral port, speaks HTTP/1.1 with keep-alive (as
urllib3 and httpx expect), hands each request to a handler function and
writes back what it returns. The handler may also ask to *drop* the
connection (close the socket without a response), which is how the fake
simulates "the request was applied but the client saw a network error".

Start/stop take milliseconds; ``stop()`` unblocks any held requests first.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class HttpRequest:
    method: str
    path: str  # without query string
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Drop:
    """Returned by a handler: close the connection without answering."""


DROP = Drop()

Handler = Callable[[HttpRequest], "HttpResponse | Drop"]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "XeroFake/1.0"
    sys_version = ""
    timeout = 60

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes; without NODELAY, Nagle
        # plus the client's delayed ACK adds ~40 ms to every response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server = self.server
        assert isinstance(server, _Server)
        with server.lock:
            server.open_connections.add(self.connection)

    def finish(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        with server.lock:
            server.open_connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _handle(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = HttpRequest(
            method=self.command.upper(),
            path=split.path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw_headers=list(self.headers.items()),
        )
        try:
            result = server.handler(request)
        except Exception as exc:  # a bug in the fake: answer 500, keep serving
            server.errors.append(exc)
            result = HttpResponse(
                500, f"XeroFake internal error: {exc!r}".encode(), {"Content-Type": "text/plain"}
            )
        if isinstance(result, Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self.send_response(result.status)
            for name, value in result.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(result.body)))
            self.end_headers()
            self.wfile.write(result.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default per-request stderr logging."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, handler: Handler, errors: list[BaseException]) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.handler = handler
        self.errors = errors
        self.lock = threading.Lock()
        self.open_connections: set[socket.socket] = set()

    def close_open_connections(self) -> None:
        """Hang up idle keep-alive connections so their threads end now."""
        with self.lock:
            conns = list(self.open_connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class BackgroundServer:
    """Owns the listening socket and the serving thread."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []  # kept after stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _Server(self._handler, self.errors)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="xero-fake",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_open_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
