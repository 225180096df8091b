"""Bearer tokens: sign in, refresh, revoke, and 401s that say why."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.postgres


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_in_gives_a_token_that_works(make_api) -> None:
    api = make_api()
    session = api.sign_in()
    assert session["user"]["role"] == "admin"  # type: ignore[index]
    assert session["idle_timeout_seconds"] == 15 * 60
    me = api.client.get("/v1/sessions/current", headers=bearer(session["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "admin"


def test_a_wrong_password_is_refused_with_a_reason(make_api) -> None:
    api = make_api()
    response = api.client.post("/v1/sessions", json={"username": "admin", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "sign_in_refused"
    assert response.json()["reason"] == "bad_credentials"


@pytest.mark.parametrize(
    ("lapse", "reason"),
    [
        (timedelta(minutes=16), "idle"),
        (None, "revoked"),
    ],
)
def test_a_lapsed_token_gets_401_with_a_machine_readable_reason(make_api, lapse, reason) -> None:
    api = make_api()
    token = api.sign_in()["token"]
    if lapse is not None:
        api.clock.advance(lapse)
    else:
        api.authenticator.end_sessions_of(api.authenticator.users()[0].id)
    response = api.client.get("/v1/sync/changes", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"] == "session_expired"
    assert response.json()["reason"] == reason
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_absolute_lifetime_ends_a_busy_session(make_api) -> None:
    api = make_api()
    token = api.sign_in()["token"]
    for _ in range(100):  # busy all day: a call every ten minutes
        api.clock.advance(timedelta(minutes=10))
        if api.client.get("/v1/sync/changes", headers=bearer(token)).status_code == 401:
            break
    response = api.client.get("/v1/sync/changes", headers=bearer(token))
    assert response.json()["reason"] == "expired"


def test_no_token_and_a_made_up_token_are_told_apart(make_api) -> None:
    api = make_api()
    assert api.client.get("/v1/sync/changes").json()["reason"] == "signed_out"
    made_up = api.client.get("/v1/sync/changes", headers=bearer("made-up"))
    assert made_up.json()["reason"] == "invalid"


def test_refresh_rotates_and_revoke_ends_the_session(make_api) -> None:
    api = make_api()
    first = api.sign_in()
    renewed = api.client.post(
        "/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert renewed.status_code == 201
    again = api.client.post("/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401  # each refresh token works once
    token = renewed.json()["token"]
    assert api.client.delete("/v1/sessions/current", headers=bearer(token)).status_code == 204
    after = api.client.get("/v1/sync/changes", headers=bearer(token))
    assert after.json()["reason"] == "signed_out"


def test_the_api_is_described_by_an_openapi_document(make_api) -> None:
    document = make_api().client.get("/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/v1/sessions", "/v1/sync/push", "/v1/sync/changes", "/v1/health"} <= set(
        document["paths"]
    )


def test_the_openapi_document_covers_the_routes_desks_use_for_the_whole_clinic(
    make_api,
) -> None:
    """Issue 18: the document covers the new routes (desk numbering, the server's Xero
    queue and connection, messaging secrets, SMS balance), so schemathesis
    (test_generated_requests) and third-party tools see them."""
    document = make_api().client.get("/v1/openapi.json").json()
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    assert {
        ("/v1/sync/desk", "POST"),
        ("/v1/sync/snapshot", "GET"),
        ("/v1/sync/rows", "POST"),
        ("/v1/xero/queue", "GET"),
        ("/v1/xero/jobs/{job_id}/retry", "POST"),
        ("/v1/xero/connection", "POST"),
        ("/v1/messaging/secrets", "GET"),
        ("/v1/messaging/secrets", "PUT"),
        ("/v1/sms/balance", "GET"),
    } <= described
