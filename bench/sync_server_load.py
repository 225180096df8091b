"""Server throughput on loopback with the rate limit off: requests per second.

A bounded number of requests from a few client threads: a mix of the sync
client's steady-state calls (pull with nothing new, an empty push) and health.
Usage: python bench/sync_server_load.py [REQUESTS] [THREADS]
"""

from __future__ import annotations

import sys
import threading
import time
import uuid

import httpx
from sync_common import started_server

from tests.sync.harness import PASSWORD


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    with started_server() as bench:
        url = bench.server.url
        token = httpx.post(
            f"{url}/v1/sessions", json={"username": "admin", "password": PASSWORD}
        ).json()["token"]
        latest = httpx.get(f"{url}/v1/health").json()["latest_change"]
        headers = {"Authorization": f"Bearer {token}"}
        per_thread = total // threads
        failures: list[int] = []

        def worker() -> None:
            with httpx.Client(base_url=url, headers=headers) as client:
                for i in range(per_thread):
                    kind = i % 3
                    if kind == 0:
                        response = client.get("/v1/sync/changes", params={"since": latest})
                    elif kind == 1:
                        response = client.post(
                            "/v1/sync/push",
                            json={"replica_id": str(uuid.uuid4()), "mutations": []},
                        )
                    else:
                        response = client.get("/v1/health")
                    if response.status_code != 200:
                        failures.append(response.status_code)

        workers = [threading.Thread(target=worker) for _ in range(threads)]
        began = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        took = time.perf_counter() - began
        done = per_thread * threads
        print(
            f"{done:,} requests from {threads} threads in {took:.1f} s = {done / took:,.0f} req/s "
            f"(rate limit off, one uvicorn worker; {len(failures)} non-200)"
        )


if __name__ == "__main__":
    main()
