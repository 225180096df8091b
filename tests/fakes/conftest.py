"""Fixtures for the tests of tests/fakes (the fakes' own test-suite)."""

from tests.fakes.xero.fixture import _xero_openapi_loaded, xero_fake, xero_sdk  # noqa: F401
