"""Rate limits per token and per address, shared by every instance on one database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desktop.server.rate_limit import Limit, RateLimits
from desktop.store.sync_models import SyncAppliedMutationRow

pytestmark = pytest.mark.postgres

TIGHT = RateLimits(per_token=Limit(3, 60), per_address=Limit(50, 60), sign_in=Limit(10, 60))


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_allowed_requests_carry_the_limit_headers(make_api) -> None:
    api = make_api(TIGHT)
    token = api.sign_in()["token"]
    response = api.client.get("/v1/sync/changes", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "3"
    assert response.headers["RateLimit-Remaining"] == "2"
    assert int(response.headers["RateLimit-Reset"]) > 0


def test_over_the_limit_is_429_with_retry_after_and_no_effect(make_api) -> None:
    api = make_api(TIGHT)
    token = api.sign_in()["token"]
    for _ in range(3):
        assert api.client.get("/v1/sync/changes", headers=bearer(token)).status_code == 200
    push = {
        "replica_id": str(uuid.uuid4()),
        "mutations": [
            {
                "id": str(uuid.uuid4()),
                "group": str(uuid.uuid4()),
                "entity": "patients",
                "entity_id": str(uuid.uuid4()),
                "op": "insert",
                "fields": {"number": 1, "first_name": "Over", "last_name": "Limit"},
            }
        ],
    }
    refused = api.client.post("/v1/sync/push", json=push, headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert refused.headers["Retry-After"] == "20"  # one token refills in 60/3 seconds
    assert refused.headers["RateLimit-Remaining"] == "0"
    with api.database.reading() as session:
        assert (
            session.execute(select(func.count()).select_from(SyncAppliedMutationRow)).scalar() == 0
        )
    # After waiting as told, it goes through.
    api.clock.advance(timedelta(seconds=20))
    assert api.client.post("/v1/sync/push", json=push, headers=bearer(token)).status_code == 200


def test_the_per_address_limit_catches_many_tokens_from_one_place(make_api) -> None:
    api = make_api(RateLimits(per_token=Limit(100, 60), per_address=Limit(4, 60), sign_in=None))
    tokens = [api.sign_in()["token"] for _ in range(2)]  # two sign-ins: two requests
    assert api.client.get("/v1/health", headers=bearer(tokens[0])).status_code == 200
    assert api.client.get("/v1/health", headers=bearer(tokens[1])).status_code == 200
    assert api.client.get("/v1/health", headers=bearer(tokens[0])).status_code == 429


def test_two_instances_on_one_database_share_the_limits(make_api) -> None:
    one, two = make_api(TIGHT), make_api(TIGHT)
    token = one.sign_in()["token"]
    answers = [
        instance.client.get("/v1/sync/changes", headers=bearer(token)).status_code
        for instance in (one, two, one, two)
    ]
    assert answers == [200, 200, 200, 429]


def test_limits_can_be_switched_off(make_api) -> None:
    api = make_api(None)
    token = api.sign_in()["token"]
    for _ in range(20):
        response = api.client.get("/v1/sync/changes", headers=bearer(token))
        assert response.status_code == 200
    assert "RateLimit-Limit" not in response.headers
