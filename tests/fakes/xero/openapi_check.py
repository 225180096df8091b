"""Check requests (and optionally the fake's own responses) against Xero's OpenAPI.

Uses openapi-core with Xero's published documents in ``openapi/`` (MIT).
The documents are parsed once per process and cached (~0.6 s); each check
then costs a few milliseconds.

Xero's documents fail strict OpenAPI validation (string defaults on booleans
and the like), so spec validation is switched off; schemas are used as-is.

Request checks cover parameters (query/header/path) and the JSON body, with
unknown properties forbidden: Xero silently ignores a misspelt field such as
``InvoiceId``, which is exactly the bug a test double should catch. The
security requirement (OAuth2) is not checked here; the fake's auth layer does
that. Properties the spec marks ``readOnly`` (``Total``, ``AmountDue``,
``HasAttachments``...) are reported separately (``is_read_only_write``):
Xero ignores them, and the SDK sends some (``HasAttachments: false``) itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseFinderError
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from openapi_core.validation.response.validators import V30ResponseDataValidator

SPEC_DIR = Path(__file__).parent / "openapi"
ACCOUNTING_SPEC = SPEC_DIR / "xero_accounting.yaml"
IDENTITY_SPEC = SPEC_DIR / "xero-identity.yaml"
HOST = "https://api.xero.com"


@dataclass(frozen=True)
class SchemaViolation:
    """One way a request (or response) did not match Xero's OpenAPI document."""

    method: str
    path: str
    where: str  # parameters | body | response
    message: str
    pointer: str = ""  # JSON path inside the body, e.g. Payments/0/Amount

    @property
    def is_read_only_write(self) -> bool:
        """A readOnly property was sent: Xero ignores it (and the SDK sends
        ``HasAttachments: false`` by default), so the fake does not count it
        as a violation; see ``XeroFake.read_only_writes``."""
        return self.message.startswith("Tried to write read-only property")

    def __str__(self) -> str:
        at = f" at {self.pointer}" if self.pointer else ""
        return f"{self.method} {self.path} {self.where}{at}: {self.message}"


class _Validators:
    def __init__(self, spec_file: Path) -> None:
        try:
            loader: Any = yaml.CSafeLoader
        except AttributeError:  # pragma: no cover - PyYAML without libyaml
            loader = yaml.SafeLoader
        with spec_file.open("rb") as fh:
            document = yaml.load(fh, Loader=loader)
        api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
        self.body = V30RequestBodyValidator(api.spec, forbid_unspecified_additional_properties=True)
        self.lenient_body = V30RequestBodyValidator(api.spec)
        self.params = V30RequestParametersValidator(api.spec)
        self.response = V30ResponseDataValidator(api.spec)


_cache: dict[str, _Validators] = {}
_cache_lock = threading.Lock()


def _validators(api: str) -> _Validators:
    with _cache_lock:
        if api not in _cache:
            _cache[api] = _Validators(ACCOUNTING_SPEC if api == "accounting" else IDENTITY_SPEC)
        return _cache[api]


def warm_up() -> None:
    """Parse both documents now (the fixture calls this once per session)."""
    _validators("accounting")
    _validators("identity")


def _pointer(err: Any) -> str:
    path = getattr(err, "absolute_path", None)
    return "/".join(str(p) for p in path) if path else ""


def _explode(method: str, path: str, where: str, exc: Exception) -> list[SchemaViolation]:
    """Flatten openapi-core's nested exceptions into one violation per problem."""
    out: list[SchemaViolation] = []
    cause = exc.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        for se in schema_errors:
            out.append(SchemaViolation(method, path, where, se.message, _pointer(se)))
        return out
    detail = str(exc)
    if cause is not None and str(cause) and str(cause) not in detail:
        detail = f"{detail}: {cause}"
    out.append(SchemaViolation(method, path, where, detail))
    return out


def check_request(
    api: str,
    method: str,
    spec_path: str,
    *,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    content_type: str | None,
    forbid_unknown_properties: bool = True,
) -> list[SchemaViolation]:
    """Violations for one request; ``spec_path`` uses the spec's casing."""
    v = _validators(api)
    request = MockRequest(
        HOST,
        method.lower(),
        spec_path,
        args=query,  # type: ignore[arg-type]
        headers=headers,
        data=body or None,
        content_type=(content_type or "application/json").split(";")[0].strip(),
    )
    found: list[SchemaViolation] = []
    for err in v.params.iter_errors(request):
        if isinstance(err, PathError):
            return [
                SchemaViolation(method, spec_path, "path", f"not in Xero's OpenAPI document: {err}")
            ]
        found.extend(_explode(method, spec_path, "parameters", err))
    if body:
        validator = v.body if forbid_unknown_properties else v.lenient_body
        for err in validator.iter_errors(request):
            found.extend(_explode(method, spec_path, "body", err))
    return found


def check_response(
    api: str, method: str, spec_path: str, status: int, body: bytes
) -> list[SchemaViolation]:
    """Violations in a response body (only for statuses the spec documents)."""
    v = _validators(api)
    request = MockRequest(HOST, method.lower(), spec_path)
    response = MockResponse(body, status_code=status)
    found: list[SchemaViolation] = []
    for err in v.response.iter_errors(request, response):
        if isinstance(err, (ResponseFinderError, PathError)):
            continue
        found.extend(_explode(method, spec_path, "response", err))
    return found
