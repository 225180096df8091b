"""Every refusal the API gives is JSON: {"error": code, "message": sentence, "reason": …}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from desktop.server.schemas import ErrorBody

_log = logging.getLogger("desktop.server")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        *,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(error=error, message=message, reason=reason)
        self.headers = headers or {}


def _json(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def error_response(exc: ApiError) -> JSONResponse:
    return _json(exc.status, exc.body, exc.headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid')}" if where else "The request is not valid."
    return _json(422, ErrorBody(error="invalid_request", message=message[:500]))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return _json(exc.status_code, ErrorBody(error=code, message=str(exc.detail)), headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path, from its OpenAPI document.

    Starlette names only the methods of the first route that matched the path, but
    one path may have several routes (GET and DELETE /v1/sessions/current).
    """
    methods: set[str] = set()
    for path, operations in request.app.openapi()["paths"].items():
        if compile_path(path)[0].fullmatch(request.url.path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Into Frontdesk's log (patient data masked; SQL values are never in the
    # message: engines hide their parameters), then a plain answer to the client.
    _log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _json(
        500,
        ErrorBody(error="internal_error", message="The server could not do that; it is logged."),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body cannot be decoded (not UTF-8 JSON)"},
    401: {"model": ErrorBody, "description": "no valid session (see `reason`)"},
    413: {"model": ErrorBody, "description": "the body is larger than the server accepts"},
    422: {"model": ErrorBody, "description": "the request is not valid"},
    429: {
        "model": ErrorBody,
        "description": "rate limited: wait `Retry-After` seconds; the request had no effect",
    },
}
