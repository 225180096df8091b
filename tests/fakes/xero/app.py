"""The request pipeline: what happens to each HTTP request the fake receives.

Order for accounting calls (``/api.xro/2.0/...``), mirroring Xero's layers:

1. record the request (``fake.requests``);
2. injected pre-processing faults (fail / throttle / drop / delay);
3. route (unknown path -> 404; a real Xero path the fake lacks -> 501 and
   ``fake.unhandled_requests``);
4. access token (401, Xero's problem body + ``WWW-Authenticate``);
5. ``xero-tenant-id`` connected for this token (403);
6. rate limits (429 + ``Retry-After`` / ``X-Rate-Limit-Problem``);
7. OpenAPI check of parameters and body (violations recorded);
8. ``Idempotency-Key`` replay / mismatch;
9. the endpoint handler, under the state lock (the "commit");
10. injected post-commit faults (drop the connection / delay the answer).

Identity endpoints (``/identity/connect/authorize``, ``/connect/token``,
``/connect/revocation``, ``/connections``) skip the tenant and rate-limit
layers.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from . import accounting, render
from .faults import Fault
from .idempotency import MAX_KEY_LENGTH, StoredResponse, fingerprint
from .identity import AuthorizePageError, OAuthError, Unauthorized
from .openapi_check import check_request, check_response
from .server import DROP, Drop, HttpRequest, HttpResponse
from .state import CREDIT_KINDS
from .wire import dumps, loads

# Where Xero's answer differs from its own OpenAPI document, the fake answers as
# Xero does: deleting an allocation returns the usual envelope around it, not the
# bare Allocation the document (and so the SDK) expects (xero-python issue 159).
KNOWN_DEVIATIONS: dict[str, tuple[str, ...]] = {
    "DELETE": tuple(
        f"/{ck.collection}/{{{ck.id_field}}}/Allocations/{{AllocationID}}"
        for ck in CREDIT_KINDS.values()
    )
}

if TYPE_CHECKING:
    from .fake import RecordedRequest, XeroFake

JSON_TYPE = "application/json; charset=utf-8"


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    out = {"Content-Type": JSON_TYPE}
    out.update(headers or {})
    return HttpResponse(status, dumps(body).encode("utf-8"), out)


def _text_response(
    status: int, text: str, content_type: str = "text/plain; charset=utf-8"
) -> HttpResponse:
    return HttpResponse(status, text.encode("utf-8"), {"Content-Type": content_type})


class XeroApp:
    """Callable handed to the HTTP server; all state lives on the fake."""

    def __init__(self, fake: XeroFake) -> None:
        self.fake = fake

    # ------------------------------------------------------------------ entry

    def __call__(self, req: HttpRequest) -> HttpResponse | Drop:
        rec = self.fake._record(req)
        result = self._dispatch(req, rec)
        if isinstance(result, HttpResponse):
            rec.status = result.status
            rec.response_headers = dict(result.headers)
            if (
                result.headers.get("Content-Type", "").startswith("application/json")
                and result.body
            ):
                try:
                    rec.response_json = json.loads(result.body)
                except ValueError:
                    rec.response_json = None
        else:
            rec.outcome = rec.outcome or "dropped"
        return result

    def _dispatch(self, req: HttpRequest, rec: RecordedRequest) -> HttpResponse | Drop:
        fake = self.fake
        fault = fake.faults.take(req.method, req.path, after_commit=False)
        if fault is not None:
            early = self._pre_fault(fault, rec)
            if early is not None:
                return early
        lower = req.path.lower().rstrip("/")
        if (
            lower.startswith(accounting.API_BASE.lower() + "/")
            or lower == accounting.API_BASE.lower()
        ):
            return self._accounting(req, rec)
        if lower == "/connect/token" and req.method == "POST":
            return self._token(req)
        if lower == "/connect/revocation" and req.method == "POST":
            return self._revocation(req)
        if lower == "/identity/connect/authorize" and req.method == "GET":
            return self._authorize(req)
        if lower == "/connections" or lower.startswith("/connections/"):
            return self._connections(req, rec)
        return _text_response(404, accounting.NOT_FOUND_TEXT)

    def _pre_fault(self, fault: Fault, rec: RecordedRequest) -> HttpResponse | Drop | None:
        rec.outcome = f"fault:{fault.kind}"
        if fault.kind == "fail":
            body = (
                fault.body
                if fault.body is not None
                else {
                    "Title": "Service Unavailable" if fault.status == 503 else "Error",
                    "Status": fault.status,
                    "Detail": "Injected by XeroFake.fail_next",
                }
            )
            if isinstance(body, (bytes, str)):
                data = body.encode() if isinstance(body, str) else body
                return HttpResponse(
                    fault.status, data, {"Content-Type": "text/plain", **fault.headers}
                )
            return _json_response(fault.status, body, fault.headers)
        if fault.kind == "throttle":
            headers = {"Retry-After": str(fault.retry_after), "X-Rate-Limit-Problem": fault.problem}
            headers.update(fault.headers)
            return HttpResponse(429, b"", headers)
        if fault.kind == "drop":
            return DROP
        if fault.kind == "delay":
            self.fake.faults.held_event.set()
            self.fake.faults.release_event.wait(fault.seconds)
            rec.outcome = ""
            return None
        return None

    # ------------------------------------------------------------------ accounting

    def _accounting(self, req: HttpRequest, rec: RecordedRequest) -> HttpResponse | Drop:
        fake = self.fake
        sub = req.path[len(accounting.API_BASE) :] or "/"
        try:
            found = accounting.match(req.method, sub)
        except accounting.MethodNotAllowed:
            return _text_response(405, "Method not allowed")
        if found is None:
            in_spec = not any(
                v.where == "path"
                for v in check_request(
                    "accounting",
                    req.method,
                    req.path,
                    query=req.query,
                    headers=req.headers,
                    body=b"",
                    content_type=None,
                )
            )
            if in_spec:
                fake._note_unhandled(rec)
                return _text_response(501, f"XeroFake does not implement {req.method} {req.path}")
            return _text_response(404, accounting.NOT_FOUND_TEXT)
        route, params, spec_path = found

        try:
            token = fake.identity.check_access(req.header("authorization"))
        except Unauthorized as exc:
            rec.outcome = "unauthorized"
            error_desc = (
                "The access token has expired" if exc.expired_at else "The access token is invalid"
            )
            return _json_response(
                401,
                render.problem(401, "Unauthorized", exc.detail),
                {
                    "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{error_desc}"'
                },
            )
        tenant_id = (req.header("xero-tenant-id") or "").strip()
        rec.tenant_id = tenant_id or None
        st = fake._tenant_or_none(tenant_id)
        if st is None or not fake.identity.tenant_allowed(token, tenant_id):
            rec.outcome = "forbidden"
            return _json_response(
                403, render.problem(403, "Forbidden", "AuthenticationUnsuccessful")
            )

        refusal = fake.limiter.acquire(tenant_id)
        if refusal is not None:
            rec.outcome = f"rate-limited:{refusal.problem}"
            headers = fake.limiter.headers(tenant_id)
            headers["X-Rate-Limit-Problem"] = refusal.problem
            if refusal.retry_after is not None:
                headers["Retry-After"] = str(refusal.retry_after)
            return HttpResponse(429, b"", headers)
        try:
            fake._gate_wait()
            response = self._accounting_call(
                req, rec, route, params, spec_path, token.client_id, tenant_id
            )
        finally:
            fake.limiter.release(tenant_id)
        if isinstance(response, HttpResponse):
            response.headers.update(fake.limiter.headers(tenant_id))
            response.headers.setdefault("Xero-Correlation-Id", str(uuid.uuid4()))
        return response

    def _accounting_call(
        self,
        req: HttpRequest,
        rec: RecordedRequest,
        route: accounting.Route,
        params: dict[str, str],
        spec_path: str,
        client_id: str,
        tenant_id: str,
    ) -> HttpResponse | Drop:
        fake = self.fake
        violations = []
        if fake.validate_requests:
            violations = check_request(
                "accounting",
                req.method,
                spec_path,
                query=req.query,
                headers=req.headers,
                body=req.body,
                content_type=req.header("content-type"),
                forbid_unknown_properties=fake.forbid_unknown_properties,
            )
            fake._note_violations(violations)
            violations = [v for v in violations if not v.is_read_only_write]
            if violations and fake.reject_invalid_requests:
                return _json_response(
                    400,
                    {
                        "ErrorNumber": 17,
                        "Type": "PostDataInvalidException",
                        "Message": "; ".join(str(v) for v in violations),
                    },
                )

        body: Any = None
        if req.body and req.method in ("POST", "PUT", "PATCH"):
            try:
                body = loads(req.body)
            except (ValueError, UnicodeDecodeError) as exc:
                return _json_response(
                    400,
                    {
                        "ErrorNumber": 17,
                        "Type": "PostDataInvalidException",
                        "Message": f"JSON for post data was invalid, {exc}",
                    },
                )
        rec.json = body

        key = req.header("idempotency-key") if req.method in ("POST", "PUT", "PATCH") else None
        fp = ""
        if key is not None:
            if len(key) > MAX_KEY_LENGTH or not key.strip():
                return _json_response(
                    400,
                    render.validation_exception(
                        [
                            {
                                "ValidationErrors": [
                                    {
                                        "Message": f"Idempotency-Key must be between 1 and {MAX_KEY_LENGTH} characters."
                                    }
                                ]
                            }
                        ]
                    ),
                )
            fp = fingerprint(req.method, spec_path, req.query, tenant_id, body, req.body)
            verdict, stored = fake.idempotency.begin(client_id, key, fp)
            if verdict == "replay" and stored is not None:
                rec.outcome = "replayed"
                return HttpResponse(stored.status, stored.body, dict(stored.headers))
            if verdict == "mismatch":
                rec.outcome = "idempotency-mismatch"
                message = f"Idempotency Key: {key} is used with a different request."
                return _json_response(
                    400,
                    {
                        "ErrorNumber": 10,
                        "Type": "ValidationException",
                        "Message": message,
                        "Elements": [{"ValidationErrors": [{"Message": message}]}],
                    },
                )
            if verdict == "busy":
                rec.outcome = "idempotency-busy"
                return _json_response(
                    409,
                    render.problem(
                        409,
                        "Conflict",
                        f"A request with Idempotency-Key {key} is still being processed.",
                    ),
                )

        try:
            response = self._run_handler(req, route, params, body, tenant_id)
        except BaseException:
            if key is not None:
                fake.idempotency.abandon(client_id, key)
            raise
        if key is not None:
            fake.idempotency.finish(
                client_id,
                key,
                StoredResponse(response.status, response.body, dict(response.headers)),
            )
        if (
            fake.validate_responses
            and response.headers.get("Content-Type", "").startswith("application/json")
            and route.template not in KNOWN_DEVIATIONS.get(req.method, ())
        ):
            fake._note_response_violations(
                check_response("accounting", req.method, spec_path, response.status, response.body)
            )

        post = fake.faults.take(req.method, req.path, after_commit=True)
        if post is not None:
            rec.outcome = f"fault:{post.kind}-after-commit"
            if post.kind == "drop":
                return DROP
            if post.kind == "delay":
                fake.faults.held_event.set()
                fake.faults.release_event.wait(post.seconds)
        return response

    def _run_handler(
        self,
        req: HttpRequest,
        route: accounting.Route,
        params: dict[str, str],
        body: Any,
        tenant_id: str,
    ) -> HttpResponse:
        fake = self.fake
        with fake._state_lock:
            st = fake._tenant_or_none(tenant_id)
            assert st is not None
            call = accounting.Call(
                st=st,
                method=req.method,
                params=params,
                query={k.lower(): v for k, v in req.query},
                headers=req.headers,
                body=body,
                now=fake.clock.now(),
            )
            try:
                reply = route.handler(call)
            except accounting.BadRequest as exc:
                reply = accounting.Reply(400, exc.body)
        if isinstance(reply.body, str):
            resp = _text_response(reply.status, reply.body)
        else:
            resp = _json_response(reply.status, reply.body)
        resp.headers.update(reply.headers)
        return resp

    # ------------------------------------------------------------------ identity

    def _form(self, req: HttpRequest) -> dict[str, str]:
        return dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))

    def _token(self, req: HttpRequest) -> HttpResponse:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        try:
            body = self.fake.identity.token(self._form(req), req.header("authorization"))
        except OAuthError as exc:
            return _json_response(exc.status, exc.body(), headers)
        return HttpResponse(200, json.dumps(body).encode(), {"Content-Type": JSON_TYPE, **headers})

    def _revocation(self, req: HttpRequest) -> HttpResponse:
        try:
            self.fake.identity.revoke(self._form(req), req.header("authorization"))
        except OAuthError as exc:
            return _json_response(exc.status, exc.body())
        return HttpResponse(200, b"", {})

    def _authorize(self, req: HttpRequest) -> HttpResponse:
        try:
            location = self.fake.identity.authorize(dict(req.query))
        except AuthorizePageError as exc:
            return _text_response(
                400,
                f"<html><body><h1>Error</h1><p>{exc}</p></body></html>",
                "text/html; charset=utf-8",
            )
        return HttpResponse(302, b"", {"Location": location})

    def _connections(self, req: HttpRequest, rec: RecordedRequest) -> HttpResponse:
        fake = self.fake
        parts = [p for p in req.path.split("/") if p]
        spec_path = "/Connections" + (f"/{parts[1]}" if len(parts) > 1 else "")
        if fake.validate_requests:
            fake._note_violations(
                check_request(
                    "identity",
                    req.method,
                    spec_path,
                    query=req.query,
                    headers=req.headers,
                    body=req.body,
                    content_type=req.header("content-type"),
                )
            )
        try:
            token = fake.identity.check_access(req.header("authorization"))
        except Unauthorized as exc:
            rec.outcome = "unauthorized"
            return _json_response(
                401,
                render.problem(401, "Unauthorized", exc.detail),
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if req.method == "GET" and len(parts) == 1:
            event = dict(req.query).get("authEventId")
            conns = [c.to_json() for c in fake.identity.connections_for(token, event)]
            return HttpResponse(200, json.dumps(conns).encode(), {"Content-Type": JSON_TYPE})
        if req.method == "DELETE" and len(parts) == 2:
            if fake.identity.delete_connection(token, parts[1]):
                return HttpResponse(204, b"", {})
            return _text_response(404, accounting.NOT_FOUND_TEXT)
        return _text_response(405, "Method not allowed")
