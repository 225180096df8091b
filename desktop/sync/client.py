"""The server's HTTP API as the sync client uses it (httpx, no Qt).

Every call goes through `_request`, which is where the network's moods are met:

* unreachable server, dropped connection, timeout, 5xx → `Offline` (try later);
* 429 → wait as the server says (`Retry-After`, through the injectable `sleep`)
  and send the same request again;
* 401 → `ServerCredentials.renew` (the "remember me" secret, then the person, via
  a callback) and the same request again; if nobody signs in, `SessionExpired`
  with the server's reason goes up to the caller.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from desktop import __version__
from desktop.auth.errors import ExpiryReason, SessionExpired
from desktop.auth.remembered import Remembered

API = "/v1"
Sleep = Callable[[float], None]
# Called from the sync thread with the server's reason; returns True once the user
# has signed in again (through `ServerCredentials.sign_in`), False to give up.
Reauthenticate = Callable[[SessionExpired], bool]


class Offline(Exception):
    """The server cannot be reached just now; nothing was lost, try again later."""


class ServerProtocolError(Exception):
    """The server answered something this client does not understand (a version mismatch?)."""


class DeskNeedsAdmin(ServerProtocolError):
    """The server adds a new desk only for an administrator. `str()` says what to do."""


class ResyncRequired(Exception):
    """The server trimmed deletions this desk has not seen: download everything again."""


class SignInFailed(Exception):
    """The server refused the username and password. `str()` is its sentence."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ServerUser:
    id: str
    username: str
    display_name: str
    role: str


@dataclass(frozen=True, slots=True)
class Tokens:
    token: str
    refresh_token: str | None
    user: ServerUser


def _tokens(body: dict[str, Any]) -> Tokens:
    user = body.get("user") or {}
    return Tokens(
        token=str(body["token"]),
        refresh_token=body.get("refresh_token"),
        user=ServerUser(
            str(user.get("id", "")),
            str(user.get("username", "")),
            str(user.get("display_name", "")),
            str(user.get("role", "")),
        ),
    )


def _reason(body: Any) -> ExpiryReason:
    try:
        return ExpiryReason(str(body.get("reason")))
    except (ValueError, AttributeError):
        return ExpiryReason.INVALID


class RefreshStore(Protocol):
    """Where the "remember me" secret is kept between runs (the OS keyring)."""

    def load(self) -> Remembered | None: ...

    def save(self, username: str, refresh_token: str) -> bool: ...

    def forget(self) -> None: ...


class ServerCredentials:
    """The bearer token sent with each call, and how to get a new one when it lapses.

    With a `remembered` store (`desktop.auth.remembered.RememberedSignIn` keyed by the
    server's address) the refresh secret survives a restart, so the desk starts syncing
    without asking for the password; it never touches a file.
    """

    def __init__(
        self,
        reauthenticate: Reauthenticate | None = None,
        remembered: RefreshStore | None = None,
    ) -> None:
        self.reauthenticate = reauthenticate
        self.remembered = remembered
        self._lock = threading.Lock()
        self._tokens: Tokens | None = None

    @property
    def token(self) -> str | None:
        return self._tokens.token if self._tokens else None

    @property
    def user(self) -> ServerUser | None:
        return self._tokens.user if self._tokens else None

    @property
    def refresh_token(self) -> str | None:
        return self._tokens.refresh_token if self._tokens else None

    def adopt(self, tokens: Tokens) -> None:
        with self._lock:
            self._tokens = tokens
        if self.remembered is not None and tokens.refresh_token:
            self.remembered.save(tokens.user.username, tokens.refresh_token)

    def forget(self) -> None:
        with self._lock:
            self._tokens = None
        if self.remembered is not None:
            self.remembered.forget()

    def resume(self, api: ServerApi) -> bool:
        """At start-up: a new session from the remembered secret, if there is one."""
        stored = self.remembered.load() if self.remembered is not None else None
        if stored is None:
            return False
        try:
            self.adopt(api.refresh(stored.refresh_token))
        except (SessionExpired, Offline, ServerProtocolError):
            return False
        return True

    def renew(self, api: ServerApi, expired: SessionExpired) -> bool:
        """After a 401: refresh with the remembered secret, else ask the person."""
        refresh = self.refresh_token
        if refresh:
            try:
                self.adopt(api.refresh(refresh))
                return True
            except SessionExpired:
                if self.remembered is not None:
                    self.remembered.forget()
        with self._lock:
            self._tokens = None
        return self.reauthenticate is not None and self.reauthenticate(expired)


class ServerApi:
    def __init__(
        self,
        base_url: str,
        credentials: ServerCredentials | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        max_waits: int = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials or ServerCredentials()
        self.sleep = sleep
        self.max_waits = max_waits
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"frontdesk/{__version__}"},
        )

    def close(self) -> None:
        self._http.close()

    # --- sessions --------------------------------------------------------------

    def sign_in(self, username: str, password: str, device: str = "") -> Tokens:
        response = self._send(
            "POST",
            f"{API}/sessions",
            json={"username": username, "password": password, "device": device},
        )
        if response.status_code == 401:
            body = _json(response)
            raise SignInFailed(
                str(body.get("message", "The username or password is incorrect.")),
                str(body.get("reason", "")),
            )
        tokens = _tokens(self._checked(response))
        self.credentials.adopt(tokens)
        return tokens

    def refresh(self, refresh_token: str) -> Tokens:
        response = self._send(
            "POST", f"{API}/sessions/refresh", json={"refresh_token": refresh_token}
        )
        if response.status_code == 401:
            raise SessionExpired(_reason(_json(response)))
        return _tokens(self._checked(response))

    def sign_out(self) -> None:
        if self.credentials.token:
            self._send("DELETE", f"{API}/sessions/current", authenticated=True)
        self.credentials.forget()

    # --- sync ------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._checked(self._send("GET", f"{API}/health"))

    def push(self, replica_id: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call(
            "POST", f"{API}/sync/push", json={"replica_id": replica_id, "mutations": mutations}
        )

    def changes(
        self, since: int, limit: int, *, total: bool = False, replica_id: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"since": since, "limit": limit}
        if total:
            params["total"] = "true"
        if replica_id is not None:
            params["replica_id"] = replica_id  # lets the server trim what every desk has
        return self._call("GET", f"{API}/sync/changes", params=params)

    @contextmanager
    def snapshot(self, replica_id: str | None = None) -> Iterator[Iterator[bytes]]:
        """The whole clinic at one change number, as its bytes arrive (desktop/server/snapshot.py).

        A connection lost part-way raises `Offline` from the iterator. A registered
        desk names itself (`replica_id`): only then are users' password hashes sent.
        The body comes gzipped (text shrinks several times over a clinic's internet
        link) and is unzipped here as it arrives.
        """
        params = {} if replica_id is None else {"replica_id": replica_id}
        response = self._opened(
            "GET", f"{API}/sync/snapshot", params=params, headers={"Accept-Encoding": "gzip"}
        )
        try:
            yield _body(response, self.base_url)
        finally:
            response.close()

    def register_desk(self, replica_id: str, name: str) -> dict[str, Any]:
        """This desk's numbering code (the same answer every time it asks)."""
        return self._call(
            "POST", f"{API}/sync/desk", json={"replica_id": replica_id, "name": name[:100]}
        )

    def xero_queue(self) -> dict[str, Any]:
        """The clinic's Xero queue, kept on the server (desktop/server/xero_routes.py)."""
        return self._call("GET", f"{API}/xero/queue")

    def sms_balance(self) -> dict[str, Any]:
        """The SMS provider's balance as the server's sender sees it (sms_balance_routes)."""
        return self._call("GET", f"{API}/sms/balance")

    def retry_xero_job(self, job_id: str) -> dict[str, Any]:
        return self._call("POST", f"{API}/xero/jobs/{job_id}/retry")

    def connect_xero(self, connection: dict[str, Any]) -> dict[str, Any]:
        """Hand a Xero sign-in made here to the server (administrators only)."""
        return self._call("POST", f"{API}/xero/connection", json=connection)

    def messaging_secrets(self) -> dict[str, Any]:
        """Which messaging secrets the server's sender has (administrators only)."""
        return self._call("GET", f"{API}/messaging/secrets")

    def keep_messaging_secrets(self, secrets: dict[str, str]) -> dict[str, Any]:
        """Hand the mail password / SMS secret typed here to the server (administrators only)."""
        return self._call("PUT", f"{API}/messaging/secrets", json=secrets)

    def rows(self, keys: list[tuple[str, str]]) -> dict[str, Any]:
        return self._call(
            "POST",
            f"{API}/sync/rows",
            json={"entities": [{"entity": e, "id": i} for e, i in keys]},
        )

    # --- plumbing --------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        renewals = 0
        while True:
            response = self._send(method, path, authenticated=True, **kwargs)
            if response.status_code != 401:
                return self._checked(response)
            expired = SessionExpired(_reason(_json(response)))
            renewals += 1
            if renewals > 3 or not self.credentials.renew(self, expired):
                raise expired

    def _opened(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A streamed answer whose status is OK, its body not read yet (as `_call` renews)."""
        renewals = 0
        while True:
            response = self._send(method, path, authenticated=True, stream=True, **kwargs)
            if response.status_code == 200:
                return response
            response.read()
            response.close()
            if response.status_code != 401:
                self._checked(response)
                raise ServerProtocolError(f"Unexpected answer {response.status_code}.")
            expired = SessionExpired(_reason(_json(response)))
            renewals += 1
            if renewals > 3 or not self.credentials.renew(self, expired):
                raise expired

    def _send(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = False,
        stream: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        waits = 0
        asked = dict(kwargs.pop("headers", {}))
        while True:
            headers = dict(asked)
            token = self.credentials.token if authenticated else None
            if authenticated and token is None:
                # Nobody is signed in: the same path as a lapsed session.
                return httpx.Response(401, json={"reason": ExpiryReason.SIGNED_OUT.value})
            if token:
                headers["Authorization"] = f"Bearer {token}"
            try:
                request = self._http.build_request(method, path, headers=headers, **kwargs)
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                raise Offline(f"The server at {self.base_url} cannot be reached ({exc}).") from exc
            if response.status_code != 429:
                return response
            response.close()
            waits += 1
            if waits > self.max_waits:
                raise Offline("The server keeps asking us to slow down; trying again later.")
            self.sleep(_retry_after(response))

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 503 and _json(response).get("error") == "no_keyring":
            # Not a passing problem: the server machine has nowhere to keep a secret.
            raise ServerProtocolError(str(_json(response).get("message", "")))
        if response.status_code >= 500:
            raise Offline(f"The server had a problem ({response.status_code}); trying again later.")
        if response.status_code == 410:
            raise ResyncRequired(str(_json(response).get("message", "")))
        if response.status_code == 403 and _json(response).get("error") == "desk_needs_admin":
            raise DeskNeedsAdmin(str(_json(response).get("message", "")))
        if response.status_code >= 400:
            body = _json(response)
            raise ServerProtocolError(
                f"The server refused the request ({response.status_code}): "
                f"{body.get('message') or body.get('error') or response.text[:200]}"
            )
        if response.status_code == 204:
            return {}
        body = _json(response)
        if not isinstance(body, dict):
            raise ServerProtocolError("The server's answer was not understood.")
        return body


def _body(response: httpx.Response, base_url: str) -> Iterator[bytes]:
    try:
        yield from response.iter_bytes()
    except (httpx.TransportError, httpx.StreamError, httpx.DecodingError) as exc:
        # A garbled gzip stream is a download cut off too: nothing of it is applied.
        raise Offline(f"The download from {base_url} was cut off ({exc}).") from exc


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, min(float(response.headers.get("Retry-After", "1")), 3600.0))
    except ValueError:
        return 1.0
