"""``XeroFake``: the public face of the Xero test double.

Composes the clock, identity service, per-tenant accounting state, rate
limiter, idempotency store, fault queue and HTTP server, and offers tests a
small API to set up, poke and observe them. See ``tests/fakes/xero/README.md``
for a tour.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from .app import XeroApp
from .clock import FakeClock
from .faults import Fault, FaultQueue, FaultRates, compile_path
from .idempotency import IdempotencyStore
from .identity import DEFAULT_CLIENT_ID, Client, Identity
from .limits import Limits, RateLimiter
from .openapi_check import SchemaViolation
from .server import BackgroundServer, HttpRequest
from .state import Account, CreditDoc, Invoice, Payment, TaxRate, TenantState, new_id, seed_tenant
from .wire import parse_date


@dataclass
class RecordedRequest:
    """One request as the fake saw it (and what it answered)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: datetime  # fake time of arrival
    json: Any = None  # parsed JSON body (accounting calls)
    tenant_id: str | None = None
    status: int | None = None  # None: connection dropped
    response_json: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    outcome: str = (
        ""  # "", replayed, unauthorized, forbidden, rate-limited:minute, fault:..., dropped...
    )

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


class XeroFake:
    """A local, in-process Xero (identity + accounting API) for tests.

    Use as a context manager or call ``start()``/``stop()``. Point the SDK's
    ``AccountingApi``/``IdentityApi`` at ``api_url``/``base_url`` (see
    ``sdk.py``) and OAuth code at ``authorize_url``/``token_url``.
    """

    def __init__(
        self,
        *,
        tenants: list[str] | None = None,
        start: datetime | None = None,
        access_token_lifetime: int = 1800,
        refresh_grace: int = 1800,
        refresh_lifetime: int = 60 * 24 * 3600,
        minute_limit: int = 60,
        day_limit: int = 5000,
        concurrent_limit: int = 5,
        app_minute_limit: int = 10000,
        idempotency_ttl: float = 360.0,
        validate_requests: bool = True,
        forbid_unknown_properties: bool = True,
        reject_invalid_requests: bool = False,
        validate_responses: bool = False,
    ) -> None:
        self.clock = FakeClock(start)
        self._state_lock = threading.RLock()
        self._tenants: dict[str, TenantState] = {}
        for name in tenants or ["Frontdesk Test Clinic"]:
            self.add_tenant(name)
        self.identity = Identity(
            self.clock,
            lambda: [(t.tenant_id, t.organisation.name) for t in self._tenants.values()],
            access_lifetime=access_token_lifetime,
            refresh_grace=refresh_grace,
            refresh_lifetime=refresh_lifetime,
        )
        self.limits = Limits(
            minute=minute_limit,
            day=day_limit,
            concurrent=concurrent_limit,
            app_minute=app_minute_limit,
        )
        self.limiter = RateLimiter(self.clock, self.limits)
        self.idempotency = IdempotencyStore(self.clock, idempotency_ttl)
        self.faults = FaultQueue()
        self.validate_requests = validate_requests
        self.forbid_unknown_properties = forbid_unknown_properties
        self.reject_invalid_requests = reject_invalid_requests
        self.validate_responses = validate_responses
        self.fail_on_schema_violations = True  # read by the pytest fixture at teardown
        self.browser_visits: list[httpx.Response | httpx.HTTPError] = []
        self._log_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._violations: list[SchemaViolation] = []
        self._response_violations: list[SchemaViolation] = []
        self._read_only_writes: list[SchemaViolation] = []
        self._unhandled: list[RecordedRequest] = []
        self._gate = threading.Event()
        self._gate.set()
        self._gate_cond = threading.Condition()
        self._held = 0
        self._server = BackgroundServer(XeroApp(self))

    # ================================================================== lifecycle

    def start(self) -> XeroFake:
        self.faults.release_event.clear()
        self._server.start()
        return self

    def stop(self) -> None:
        self.faults.release_event.set()
        self.resume_requests()
        self._server.stop()

    def __enter__(self) -> XeroFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` - stands in for api.xero.com, identity.xero.com and login.xero.com."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Accounting API base (``AccountingApi(base_url=...)``)."""
        return self.base_url + "/api.xro/2.0"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/identity/connect/authorize"

    @property
    def token_url(self) -> str:
        return self.base_url + "/connect/token"

    @property
    def revocation_url(self) -> str:
        return self.base_url + "/connect/revocation"

    @property
    def connections_url(self) -> str:
        return self.base_url + "/connections"

    @property
    def server_errors(self) -> list[BaseException]:
        """Exceptions raised inside the fake while serving (bugs in the fake)."""
        return list(self._server.errors)

    # ================================================================== tenants & state

    def add_tenant(self, name: str, tenant_id: str | None = None) -> str:
        """Create another organisation; returns its tenant id."""
        tenant_id = tenant_id or str(uuid.uuid4())
        with self._state_lock:
            self._tenants[tenant_id] = seed_tenant(tenant_id, name, self.clock.now())
        return tenant_id

    @property
    def tenant_id(self) -> str:
        """The first (default) organisation's tenant id."""
        return next(iter(self._tenants))

    @property
    def tenant_ids(self) -> list[str]:
        return list(self._tenants)

    def tenant_state(self, tenant_id: str | None = None) -> TenantState:
        return self._tenants[tenant_id or self.tenant_id]

    @property
    def state(self) -> TenantState:
        """The default tenant's data: ``contacts``, ``invoices``, ``payments``,
        ``bank_transactions``, ``prepayments``, ``overpayments``,
        ``credit_notes``, ``allocations``, ``accounts``, ``tax_rates``."""
        return self.tenant_state()

    def _tenant_or_none(self, tenant_id: str) -> TenantState | None:
        return self._tenants.get(tenant_id)

    def set_lock_date(
        self, when: date | str | None, *, kind: str = "period", tenant_id: str | None = None
    ) -> None:
        """Set the period (or ``kind="end_of_year"``) lock date; None clears it."""
        d = parse_date(when) if when is not None else None
        with self._state_lock:
            org = self.tenant_state(tenant_id).organisation
            if kind == "period":
                org.period_lock_date = d
            elif kind in ("end_of_year", "end of year"):
                org.end_of_year_lock_date = d
            else:
                raise ValueError("kind must be 'period' or 'end_of_year'")

    def add_account(
        self,
        code: str,
        name: str,
        type: str = "REVENUE",
        *,
        tax_type: str = "NONE",
        status: str = "ACTIVE",
        enable_payments_to_account: bool = False,
        tenant_id: str | None = None,
    ) -> Account:
        with self._state_lock:
            acc = Account(
                account_id=new_id(),
                code=code,
                name=name,
                type=type,
                status=status,
                tax_type=tax_type,
                enable_payments_to_account=enable_payments_to_account,
                updated=self.clock.now(),
            )
            self.tenant_state(tenant_id).accounts[acc.account_id] = acc
            return acc

    def add_tax_rate(
        self, tax_type: str, name: str, rate: Decimal | str | int, *, tenant_id: str | None = None
    ) -> TaxRate:
        with self._state_lock:
            tr = TaxRate(tax_type, name, Decimal(str(rate)))
            self.tenant_state(tenant_id).tax_rates[tax_type] = tr
            return tr

    # ---------------------------------------------------------------- lookups

    def account_by_code(self, code: str, tenant_id: str | None = None) -> Account | None:
        return self.tenant_state(tenant_id).account_by_code(code)

    def contact_by_name(self, name: str, tenant_id: str | None = None) -> Any:
        return self.tenant_state(tenant_id).contact_by_name(name)

    def invoice_by_number(self, number: str, tenant_id: str | None = None) -> Invoice | None:
        return self.tenant_state(tenant_id).invoice_by_number(number)

    def invoice(self, invoice_id: str, tenant_id: str | None = None) -> Invoice | None:
        return self.tenant_state(tenant_id).invoices.get(invoice_id)

    def amount_due(self, invoice: Invoice | str, tenant_id: str | None = None) -> Decimal:
        st = self.tenant_state(tenant_id)
        inv = (
            invoice
            if isinstance(invoice, Invoice)
            else (st.invoices.get(invoice) or st.invoice_by_number(invoice))
        )
        if inv is None:
            raise KeyError(invoice)
        return st.amount_due(inv)

    def payments_for_invoice(
        self, invoice: Invoice | str, *, include_deleted: bool = False, tenant_id: str | None = None
    ) -> list[Payment]:
        st = self.tenant_state(tenant_id)
        inv_id = invoice.invoice_id if isinstance(invoice, Invoice) else invoice
        return [
            p
            for p in st.payments.values()
            if p.target_kind == "invoice"
            and p.target_id == inv_id
            and (include_deleted or p.status == "AUTHORISED")
        ]

    def prepayment(self, prepayment_id: str, tenant_id: str | None = None) -> CreditDoc | None:
        return self.tenant_state(tenant_id).prepayments.get(prepayment_id)

    def overpayment(self, overpayment_id: str, tenant_id: str | None = None) -> CreditDoc | None:
        return self.tenant_state(tenant_id).overpayments.get(overpayment_id)

    def credit_note(self, credit_note_id: str, tenant_id: str | None = None) -> CreditDoc | None:
        return self.tenant_state(tenant_id).credit_notes.get(credit_note_id)

    def remaining_credit(self, doc: CreditDoc, tenant_id: str | None = None) -> Decimal:
        return self.tenant_state(tenant_id).remaining_credit(doc)

    # ================================================================== identity

    @property
    def client_id(self) -> str:
        """The pre-registered public (PKCE) client id."""
        return DEFAULT_CLIENT_ID

    def register_client(
        self,
        client_id: str,
        *,
        client_secret: str | None = None,
        redirect_uris: list[str] | None = None,
    ) -> Client:
        """Register an app; ``redirect_uris=None`` accepts any http loopback URI."""
        return self.identity.register_client(
            client_id, client_secret=client_secret, redirect_uris=redirect_uris
        )

    def issue_token(
        self,
        *,
        scopes: list[str] | None = None,
        tenant_ids: list[str] | None = None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """A token response as /connect/token would give, without the OAuth dance.
        Connects ``tenant_ids`` (default: all) for the client."""
        return self.identity.issue_token(
            client_id=client_id or DEFAULT_CLIENT_ID, scopes=scopes, tenant_ids=tenant_ids
        )

    def revoke_refresh_token(self, refresh_token: str) -> None:
        self.identity.revoke_refresh_token(refresh_token)

    def revoke_all_refresh_tokens(self) -> None:
        self.identity.revoke_all_refresh_tokens()

    def invalidate_access_token(self, access_token: str) -> None:
        self.identity.invalidate_access_token(access_token)

    def disconnect_tenant(self, tenant_id: str | None = None) -> None:
        """The user disconnected the app from this organisation (API calls -> 403)."""
        self.identity.disconnect_tenant(tenant_id or self.tenant_id)

    revoke_connection = disconnect_tenant

    def deny_next_authorization(self, error: str = "access_denied") -> None:
        """The next authorize request redirects back with ``error=...``."""
        self.identity.deny_next_authorization(error)

    def open_in_browser(self, url: str) -> bool:
        """Stand-in for ``webbrowser.open`` in OAuth loopback tests.

        In a background thread, GETs ``url`` (the authorize URL the app built)
        and follows the redirect to the app's ``redirect_uri``, as a browser
        would after the user consents. Returns True at once, like
        ``webbrowser.open``; the final responses land in ``browser_visits``.
        Usage: ``monkeypatch.setattr(webbrowser, "open", xero_fake.open_in_browser)``.
        """

        def visit() -> None:
            try:
                response = httpx.get(url, follow_redirects=True, timeout=10.0)
                self.browser_visits.append(response)
            except httpx.HTTPError as exc:
                self.browser_visits.append(exc)

        threading.Thread(target=visit, name="xero-fake-browser", daemon=True).start()
        return True

    @property
    def connections(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.identity.connections.values()]

    # ================================================================== faults

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """The next ``n`` matching calls get ``status`` without being processed."""
        self.faults.add(
            Fault(
                "fail",
                n,
                compile_path(path),
                method,
                status=status,
                body=body,
                headers=dict(headers or {}),
            )
        )

    def throttle_next(
        self,
        n: int = 1,
        retry_after: int = 60,
        problem: str = "minute",
        *,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """The next ``n`` matching calls get 429 with these headers, unprocessed."""
        self.faults.add(
            Fault(
                "throttle", n, compile_path(path), method, retry_after=retry_after, problem=problem
            )
        )

    def drop_connection_next(
        self,
        n: int = 1,
        *,
        after_commit: bool = True,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """Close the socket with no response. ``after_commit=True`` (default):
        the change is applied first - the client cannot tell it landed."""
        self.faults.add(Fault("drop", n, compile_path(path), method, after_commit=after_commit))

    def delay_response_next(
        self,
        n: int = 1,
        seconds: float = 5.0,
        *,
        after_commit: bool = True,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """Hold the response up to ``seconds`` of real time (or until
        ``release_delayed_responses()``) so the client's read timeout fires."""
        self.faults.release_event.clear()
        self.faults.held_event.clear()
        self.faults.add(
            Fault(
                "delay", n, compile_path(path), method, after_commit=after_commit, seconds=seconds
            )
        )

    def fail_at_random(
        self,
        *,
        seed: int,
        server_errors: float = 0.0,
        throttles: float = 0.0,
        lost_responses: float = 0.0,
        retry_after: int = 2,
    ) -> FaultRates:
        """From now on each accounting call may fail at these rates (0.05 = 5%),
        drawn from `random.Random(seed)`; queued faults still go first. The answer's
        `injected` counts what was drawn. `clear_faults()` stops it."""
        rates = FaultRates(
            random.Random(seed),
            server_errors=server_errors,
            throttles=throttles,
            lost_responses=lost_responses,
            retry_after=retry_after,
        )
        self.faults.rates = rates
        return rates

    def wait_until_response_held(self, timeout: float = 5.0) -> bool:
        """Block until a delayed response is being held (for an after-commit
        delay: the change has been applied by then)."""
        return self.faults.held_event.wait(timeout)

    def release_delayed_responses(self) -> None:
        """Let every held (delayed) response go now, and future ones at once."""
        self.faults.release_event.set()

    def clear_faults(self) -> None:
        self.faults.clear()
        self.faults.release_event.clear()

    def pause_requests(self) -> None:
        """Accounting calls that pass auth and rate limits wait here (they
        count as in flight) until ``resume_requests()``: lets a test put N
        calls in flight to exercise the concurrent limit."""
        self._gate.clear()

    def resume_requests(self) -> None:
        self._gate.set()

    def wait_for_paused_requests(self, n: int, timeout: float = 5.0) -> bool:
        """Block until ``n`` calls are waiting at the pause gate."""
        with self._gate_cond:
            return self._gate_cond.wait_for(lambda: self._held >= n, timeout=timeout)

    def _gate_wait(self) -> None:
        if self._gate.is_set():
            return
        with self._gate_cond:
            self._held += 1
            self._gate_cond.notify_all()
        try:
            self._gate.wait()
        finally:
            with self._gate_cond:
                self._held -= 1

    # ================================================================== observation

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (a copy)."""
        with self._log_lock:
            return list(self._requests)

    def requests_to(self, path_contains: str, method: str | None = None) -> list[RecordedRequest]:
        needle = path_contains.lower()
        return [
            r
            for r in self.requests
            if needle in r.path.lower() and (method is None or r.method == method.upper())
        ]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    @property
    def schema_violations(self) -> list[SchemaViolation]:
        """Requests that did not match Xero's OpenAPI document."""
        with self._log_lock:
            return list(self._violations)

    @property
    def read_only_writes(self) -> list[SchemaViolation]:
        """readOnly properties sent in requests (Xero ignores them; not violations)."""
        with self._log_lock:
            return list(self._read_only_writes)

    @property
    def response_violations(self) -> list[SchemaViolation]:
        """Fake responses that did not match the document (``validate_responses=True``)."""
        with self._log_lock:
            return list(self._response_violations)

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        """Calls to real Xero endpoints that the fake does not implement (501)."""
        with self._log_lock:
            return list(self._unhandled)

    def assert_no_schema_violations(self) -> None:
        found = self.schema_violations
        assert not found, "requests not matching Xero's OpenAPI:\n" + "\n".join(
            str(v) for v in found
        )

    def rate_limit_headers(self, tenant_id: str | None = None) -> dict[str, str]:
        return self.limiter.headers(tenant_id or self.tenant_id)

    def idempotency_keys(self) -> list[str]:
        """Keys still remembered (not yet expired on the fake clock)."""
        return self.idempotency.keys()

    def _record(self, req: HttpRequest) -> RecordedRequest:
        rec = RecordedRequest(
            method=req.method,
            path=req.path,
            query=dict(req.query),
            headers=dict(req.headers),
            body=req.body,
            at=self.clock.now(),
        )
        with self._log_lock:
            self._requests.append(rec)
        return rec

    def _note_violations(self, violations: list[SchemaViolation]) -> None:
        if violations:
            with self._log_lock:
                for v in violations:
                    (self._read_only_writes if v.is_read_only_write else self._violations).append(v)

    def _note_response_violations(self, violations: list[SchemaViolation]) -> None:
        if violations:
            with self._log_lock:
                self._response_violations.extend(violations)

    def _note_unhandled(self, rec: RecordedRequest) -> None:
        with self._log_lock:
            self._unhandled.append(rec)
