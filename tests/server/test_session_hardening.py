"""Sessions under attack: racing refreshes, signing out, rotated addresses, probing usernames."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from desktop.server.client_address import TrustedProxies, client_address
from desktop.server.rate_limit import Limit, RateLimits

pytestmark = pytest.mark.postgres


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_refresh_token_works_once_even_when_sent_ten_times_at_once(make_api) -> None:
    api = make_api()
    refresh_token = api.sign_in()["refresh_token"]
    start = threading.Barrier(10)

    def refresh(_: int) -> int:
        with httpx.Client(base_url=api.url) as client:
            start.wait()
            answer = client.post("/v1/sessions/refresh", json={"refresh_token": refresh_token})
            return answer.status_code

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(refresh, range(10)))
    assert sorted(answers) == [201] + [401] * 9


def test_signing_out_ends_the_refresh_token_of_that_sign_in(make_api) -> None:
    api = make_api()
    first = api.sign_in()
    other = api.sign_in()  # the same user on another PC stays signed in
    gone = api.client.delete("/v1/sessions/current", headers=bearer(first["token"]))
    assert gone.status_code == 204
    after = api.client.post("/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]})
    assert after.status_code == 401
    assert after.json()["reason"] == "signed_out"
    still = api.client.post("/v1/sessions/refresh", json={"refresh_token": other["refresh_token"]})
    assert still.status_code == 201


@pytest.mark.parametrize("username", ["admin", "nobody-here"])
def test_rotating_x_forwarded_for_does_not_escape_the_sign_in_limit(make_api, username) -> None:
    api = make_api(RateLimits(per_token=None, per_address=None, sign_in=Limit(5, 60)))
    answers = [
        api.client.post(
            "/v1/sessions",
            json={"username": username, "password": "not the password"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
        ).status_code
        for attempt in range(8)
    ]
    assert answers == [401] * 5 + [429] * 3


def test_the_sign_in_limit_counts_the_address_the_proxy_saw(make_api) -> None:
    api = make_api(RateLimits(per_token=None, per_address=None, sign_in=Limit(3, 60)))

    def attempt(username: str, forwarded: str) -> int:
        return api.client.post(
            "/v1/sessions",
            json={"username": username, "password": "not the password"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    # The client makes up the left part; the proxy appends what it saw.
    answers = [attempt(f"user{n}", f"10.9.9.{n}, 198.51.100.7") for n in range(4)]
    assert answers == [401, 401, 401, 429]
    assert attempt("user9", "198.51.100.8") == 401  # another client is not held up


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", ["6.6.6.6, 198.51.100.7, 10.1.2.3"], proxies) == (
        "198.51.100.7"
    )
    assert client_address("127.0.0.1", ["6.6.6.6", "198.51.100.7"], proxies) == "198.51.100.7"
    assert client_address("192.0.2.1", ["6.6.6.6"], proxies) == "192.0.2.1"  # not a proxy
    assert client_address("127.0.0.1", [], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", ["10.0.0.1"], proxies) == "127.0.0.1"
    with pytest.raises(ValueError, match="not a list of addresses"):
        TrustedProxies.parse("proxy.example")


def _answers(api, username: str, tries: int) -> list[tuple[int, dict[str, object], set[str]]]:
    seen = []
    for _ in range(tries):
        response = api.client.post(
            "/v1/sessions", json={"username": username, "password": "not the password"}
        )
        headers = {name for name in response.headers if name not in ("date", "content-length")}
        seen.append((response.status_code, response.json(), headers))
    return seen


def test_sign_in_answers_do_not_tell_whether_a_username_exists(make_api) -> None:
    api = make_api()
    real = _answers(api, "admin", 7)  # wrong tries, then locked
    unknown = _answers(api, "nobody-here", 7)
    assert real == unknown
    assert "locked" in str(real[-1][1]["message"])


@pytest.mark.parametrize("body", [b"[" * 200_000, b"\xff\xfe", b"{not json"])
def test_an_unparsable_sign_in_is_a_4xx_with_the_limits_on(make_api, body) -> None:
    api = make_api(RateLimits())
    answer = api.client.post(
        "/v1/sessions", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422)
