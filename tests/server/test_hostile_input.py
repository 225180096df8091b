"""Input the server must refuse with a clear 4xx (or a refused mutation), never a 500."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from desktop.server.rate_limit import Limit, RateLimits
from desktop.server.request_guard import MAX_BODY_BYTES
from desktop.services.messaging.settings import MessagingSettings
from desktop.store.models import AppointmentRow, PatientRow
from desktop.store.sync_models import RateLimitBucketRow
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.helpers.postgres import PostgresServer
from tests.sync.harness import (
    PASSWORD,
    ServerSide,
    migrated_database,
    mutation,
    running_server,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def module_server(postgres_server: PostgresServer) -> Iterator[tuple[ServerSide, ClinicFixture]]:
    limits = RateLimits(per_token=Limit(10_000, 60), per_address=Limit(10_000, 60), sign_in=None)
    with running_server(migrated_database(postgres_server), limits) as side:
        yield side, make_clinic(side.ctx)


@pytest.fixture
def server(module_server) -> tuple[ServerSide, ClinicFixture]:
    return module_server  # type: ignore[no-any-return]


def token_of(side: ServerSide, username: str) -> str:
    answer = httpx.post(
        f"{side.url}/v1/sessions", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def patient(first: str = "Ok", **fields: Any) -> dict:
    return mutation("patients", {"number": 1, "first_name": first, "last_name": "P", **fields})


def booking(clinic: ClinicFixture, starts_at: str, ends_at: str, **fields: Any) -> dict:
    values = {
        "clinic_id": str(clinic.clinic.id),
        "practitioner_id": str(fields.pop("practitioner_id", clinic.alice.id)),
        "appointment_type_id": str(clinic.consult.id),
        "patient_id": str(clinic.patients[1].id),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "overrides_availability": True,
        **fields,
    }
    return mutation("appointments", values)


def post_json(url: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    """JSON with \\u escapes, as a hostile client sends lone surrogates."""
    raw = json.dumps(body).encode("ascii")
    return httpx.post(
        url, content=raw, headers={"Content-Type": "application/json", **(headers or {})}
    )


def push(side: ServerSide, token: str, *mutations: dict) -> list[dict]:
    answer = post_json(
        f"{side.url}/v1/sync/push",
        {"replica_id": str(uuid.uuid4()), "mutations": list(mutations)},
        {"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    results: list[dict] = answer.json()["results"]
    return results


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ad\x00min", "password": PASSWORD},
        {"username": "admin", "password": PASSWORD, "device": "pc\x00"},
        {"username": "\ud800", "password": PASSWORD},
        {"username": "admin", "password": "\udfff-not-a-password"},
    ],
)
def test_unstorable_text_in_a_sign_in_is_a_422(server, body) -> None:
    side, _ = server
    answer = post_json(f"{side.url}/v1/sessions", body)
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"


def test_a_refresh_token_with_a_lone_surrogate_is_a_422(server) -> None:
    side, _ = server
    answer = post_json(f"{side.url}/v1/sessions/refresh", {"refresh_token": "\ud800"})
    assert answer.status_code == 422


BAD_BOOKING_TIMES = [
    ("9999-12-31T22:00:00-05:00", "9999-12-31T22:30:00-05:00"),  # overflows in UTC
    ("0001-01-01T01:00:00+05:00", "0001-01-01T01:30:00+05:00"),  # underflows in UTC
    ("1900-03-03T01:00:00+00:00", "1900-03-03T01:30:00+00:00"),  # before 1990
    ("2100-03-03T01:00:00+00:00", "2100-03-03T01:30:00+00:00"),  # 2100 and after
]


@pytest.mark.parametrize(("starts_at", "ends_at"), BAD_BOOKING_TIMES)
@pytest.mark.parametrize("status", ["booked", "cancelled"])
def test_a_bad_mutation_is_refused_alone_and_the_rest_of_the_push_goes(
    server, starts_at, ends_at, status
) -> None:
    side, clinic = server
    token = token_of(side, "reception")
    bad = booking(clinic, starts_at, ends_at, status=status)
    good = patient(f"Queued {uuid.uuid4().hex[:6]}")
    results = push(side, token, bad, good)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["error"]["code"] == "invalid_input"
    with side.database.reading() as session:
        assert session.get(AppointmentRow, uuid.UUID(bad["entity_id"])) is None
        assert session.get(PatientRow, uuid.UUID(good["entity_id"])) is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "\ud800"},
        {"first_name": "Nul\x00"},
        {"notes": "broken \udc00 text"},
        {"email": "a@b.co\r\nBcc: x@evil.com"},
        {"email": "a@b.co\r\n"},
        {"phone": "call me"},
        {"phone": "0412 345 678"},  # a desk stores +61412345678
        {"email": "not an email"},
        {"date_of_birth": "9999-01-01"},
        {"date_of_birth": "1850-01-01"},
    ],
)
def test_a_patient_field_the_desk_would_refuse_is_refused_by_the_server(server, fields) -> None:
    side, _ = server
    token = token_of(side, "reception")
    bad = patient(**fields) if "first_name" not in fields else patient(fields.pop("first_name"))
    if "first_name" not in bad["fields"] or fields:
        bad["fields"].update(fields)
    good = patient("Fine")
    results = push(side, token, bad, good)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["error"]["code"] == "invalid_input"


def test_a_plain_email_and_a_real_birth_date_are_accepted(server) -> None:
    side, _ = server
    token = token_of(side, "reception")
    (result,) = push(
        side,
        token,
        patient(email="jo.smith+x@clinic.com.au", date_of_birth="1951-02-03", phone="+61412345678"),
    )
    assert result["status"] == "applied"


def test_an_email_setting_with_a_line_break_around_it_is_refused(server) -> None:
    """It would end the headers of each email it is put in (To: of a receipt, From:)."""
    side, clinic = server
    token = token_of(side, "admin")
    defaults = MessagingSettings(clinic.clinic.id)
    fields = {
        "clinic_id": str(clinic.clinic.id),
        "sms_template": defaults.sms_template,
        "email_subject": defaults.email_subject,
        "email_body": defaults.email_body,
        "billing_email": "x@y.co\r\n",
    }
    settings = mutation("messaging_settings", fields)
    (result,) = push(side, token, settings)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "invalid_input"
    assert "billing address" in result["error"]["message"]


@pytest.mark.parametrize(("username", "hour"), [("reception", 9), ("admin", 10)])
def test_nobody_can_insert_a_read_only_appointment(server, username, hour) -> None:
    side, clinic = server
    slot = (clinic.at(hour).isoformat(), clinic.at(hour, 30).isoformat())
    (result,) = push(side, token_of(side, username), booking(clinic, *slot, read_only=True))
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "permission_denied"


def test_a_cancelled_booking_for_an_inactive_practitioner_is_refused(server) -> None:
    side, clinic = server
    slot = (clinic.at(11).isoformat(), clinic.at(11, 30).isoformat())
    bad = booking(
        clinic,
        *slot,
        practitioner_id=clinic.retired.id,
        status="cancelled",
        cancellation_reason="other",
    )
    (result,) = push(side, token_of(side, "reception"), bad)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "practitioner_inactive"


def test_cancel_and_move_onto_an_inactive_practitioner_is_refused(server) -> None:
    side, clinic = server
    token = token_of(side, "reception")
    placed = booking(clinic, clinic.at(12).isoformat(), clinic.at(12, 30).isoformat())
    (first,) = push(side, token, placed)
    assert first["status"] == "applied", first
    move = mutation(
        "appointments",
        {
            "practitioner_id": str(clinic.retired.id),
            "status": "cancelled",
            "cancellation_reason": "other",
        },
        op="update",
        entity_id=placed["entity_id"],
        base_version=first["row"]["version"],
    )
    (result,) = push(side, token, move)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "practitioner_inactive"


def test_the_same_mutation_id_twice_in_one_push_is_applied_once(server) -> None:
    side, _ = server
    token = token_of(side, "reception")
    once = patient("Twice")
    results = push(side, token, once, once)
    assert [r["status"] for r in results] == ["applied", "applied"]
    with side.database.reading() as session:
        count = session.execute(
            select(func.count()).select_from(PatientRow).where(PatientRow.first_name == "Twice")
        ).scalar()
    assert count == 1


def _asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST an endless body straight into the ASGI app: (status, body chunks it pulled)."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b" " * 65536, "more_body": pulled < 1000}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("192.0.2.9", 5000),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    return status, pulled


def test_an_unauthenticated_push_is_refused_before_its_body_is_read(server) -> None:
    side, _ = server
    status, pulled = _asgi_post(side.app, "/v1/sync/push", [(b"authorization", b"Bearer made-up")])
    assert status == 401
    assert pulled == 0


def test_a_body_over_the_cap_is_refused_without_reading_the_rest(server) -> None:
    side, _ = server
    token = token_of(side, "admin").encode()
    status, pulled = _asgi_post(side.app, "/v1/sync/push", [(b"authorization", b"Bearer " + token)])
    assert status == 413
    assert pulled == MAX_BODY_BYTES // 65536 + 1  # the first chunk past the cap, no more
    declared = [(b"authorization", b"Bearer " + token), (b"content-length", b"999999999")]
    assert _asgi_post(side.app, "/v1/sync/push", declared) == (413, 0)


def test_made_up_bearer_tokens_leave_no_stored_rows(server) -> None:
    side, _ = server
    with side.database.reading() as session:
        before = session.execute(select(func.count()).select_from(RateLimitBucketRow)).scalar()
    for n in range(5):
        answer = httpx.get(
            f"{side.url}/v1/sync/changes", headers={"Authorization": f"Bearer garbage-{n}"}
        )
        assert answer.status_code == 401
    with side.database.reading() as session:
        after = session.execute(select(func.count()).select_from(RateLimitBucketRow)).scalar()
    assert after - before <= 1  # at most the address's own bucket


def test_405_names_every_method_of_the_path(server) -> None:
    side, _ = server
    answer = httpx.request("OPTIONS", f"{side.url}/v1/sessions/current")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "DELETE"}
    put = httpx.put(f"{side.url}/v1/sync/push")
    assert put.status_code == 405
    assert put.headers["Allow"] == "POST"


def test_an_undecodable_body_is_a_documented_4xx(server) -> None:
    side, _ = server
    answer = httpx.post(
        f"{side.url}/v1/sessions",
        content=b"\xff\xfe not utf-8",
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= answer.status_code < 500
    document = httpx.get(f"{side.url}/v1/openapi.json").json()
    responses = document["paths"]["/v1/sessions"]["post"]["responses"]
    assert str(answer.status_code) in responses
