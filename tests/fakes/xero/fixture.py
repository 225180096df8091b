"""pytest fixtures for the Xero fake.

Register in a top-level ``tests/conftest.py`` with::

    pytest_plugins = ["tests.fakes.xero.fixture"]

or, in any conftest, import the fixtures by name::

    from tests.fakes.xero.fixture import xero_fake, xero_sdk  # noqa: F401

``xero_fake`` is a started ``XeroFake`` (fresh per test; Xero's OpenAPI
documents are parsed once per process). Tests can tune it before use, e.g.
``xero_fake.limits.minute = 5`` or ``xero_fake.set_lock_date("2026-06-30")``.
At teardown it fails the test if a request did not match Xero's OpenAPI
document (set ``xero_fake.fail_on_schema_violations = False`` in tests that
send bad requests on purpose) or if the fake itself crashed while serving.
``xero_sdk`` is a real xero-python client connected to it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake import XeroFake
from .openapi_check import warm_up
from .sdk import SdkClient, make_sdk_client


@pytest.fixture(scope="session")
def _xero_openapi_loaded() -> None:
    warm_up()


@pytest.fixture
def xero_fake(_xero_openapi_loaded: None) -> Iterator[XeroFake]:
    """A running Xero fake on 127.0.0.1:<ephemeral port>."""
    fake = XeroFake()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    unhandled = [f"{r.method} {r.path}" for r in fake.unhandled_requests]
    if unhandled:
        pytest.fail(f"calls the Xero fake does not implement: {unhandled}")
    errors = fake.server_errors
    if errors:
        pytest.fail(f"XeroFake raised while serving: {errors[0]!r}")
    violations = fake.schema_violations
    if violations and fake.fail_on_schema_violations:
        pytest.fail(
            "requests not matching Xero's OpenAPI document:\n"
            + "\n".join(str(v) for v in violations)
        )


@pytest.fixture
def xero_sdk(xero_fake: XeroFake) -> SdkClient:
    """A xero-python client with a fresh token for the fake's default tenant."""
    return make_sdk_client(xero_fake)
