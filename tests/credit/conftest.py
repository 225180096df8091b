"""The Xero fixtures (a clinic connected to the Xero fake) for the credit tests."""

from tests.xero.conftest import _openapi_loaded, fake, memory_keyring, xero

__all__ = ["_openapi_loaded", "fake", "memory_keyring", "xero"]
