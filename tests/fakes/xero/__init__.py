"""A faithful local HTTP test double of Xero (identity + accounting API).

Quick start::

    from tests.fakes.xero import XeroFake
    from tests.fakes.xero.sdk import make_sdk_client

    with XeroFake() as fake:
        client = make_sdk_client(fake)
        client.accounting.get_accounts(client.tenant_id, _request_timeout=client.timeout)

In pytest, use the ``xero_fake`` fixture from ``tests.fakes.xero.fixture``
(see ``README.md`` in this package).
"""

from .clock import FakeClock
from .fake import RecordedRequest, XeroFake
from .identity import pkce_challenge
from .openapi_check import SchemaViolation
from .rules import Msg

__all__ = ["FakeClock", "Msg", "RecordedRequest", "SchemaViolation", "XeroFake", "pkce_challenge"]
