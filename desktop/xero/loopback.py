"""The loopback redirect of the desktop OAuth flow: a one-shot web server on 127.0.0.1.

Xero sends the browser back to http://localhost:PORT/callback?code=...&state=...;
this server takes that one request, shows "you can close this tab", and hands
the code (or Xero's error) to the connect flow.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from desktop.xero.errors import XeroError

_PAGE = (
    "<!doctype html><meta charset=utf-8><title>Frontdesk</title>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{heading}</h2><p>{text}</p></body>"
)


class _Server(HTTPServer):
    answer: dict[str, str]
    arrived: threading.Event


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        split = urlsplit(self.path)
        if split.path != "/callback":
            self.send_error(404)
            return
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        ok = "code" in query and "error" not in query
        page = _PAGE.format(
            heading="Frontdesk is connected to Xero" if ok else "Xero did not connect",
            text="You can close this tab and go back to Frontdesk."
            if ok
            else "Go back to Frontdesk and try again.",
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
        server.answer = query
        server.arrived.set()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the code is a secret: never log request lines


class LoopbackReceiver:
    """`with LoopbackReceiver(port) as receiver: ... receiver.wait_for_code(state)`."""

    def __init__(self, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.answer = {}
        self._server.arrived = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self._server.server_address[1]}/callback"

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for_code(self, state: str, timeout: float) -> str:
        if not self._server.arrived.wait(timeout):
            raise XeroError("Xero did not send the browser back in time; try connecting again.")
        answer = self._server.answer
        if answer.get("error"):
            raise XeroError(f"Xero did not connect: {answer['error'].replace('_', ' ')}.")
        if answer.get("state") != state:
            # Not the answer to our request (a stale tab, or someone else's redirect).
            raise XeroError("Xero's answer did not match this connection attempt; try again.")
        return answer["code"]
