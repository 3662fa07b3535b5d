"""The SDK's own cost per call, for comparing two checkouts: no network, no server, only the SDK's layers.

    python bench/compare_trees.py <tree>      # run once per tree, alternating, several times

``<tree>`` is a checkout (e.g. one made with ``git worktree add /tmp/old <rev>``) whose ``k2connect_ext`` is
imported instead of this one's. Prints the mean microseconds of a sync ``K2.stk_push`` and ``K2.get`` over
3,000 calls each on an ``httpx.MockTransport``, after 200 warm-up calls.
"""

from __future__ import annotations

import json
import sys
import time

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")

import httpx

from k2connect_ext import K2

LOCATION = "https://sandbox.kopokopo.com/api/v2/incoming_payments/abc"
RESOURCE = json.dumps(
    {
        "data": {
            "id": "abc",
            "type": "incoming_payment",
            "attributes": {
                "status": "Success",
                "initiation_time": "2020-10-21T07:40:00.927+03:00",
                "event": {"type": "Incoming Payment Request", "resource": None, "errors": None},
                "metadata": None,
                "_links": {"callback_url": "https://example.com/cb", "self": LOCATION},
            },
        }
    }
).encode()
CALLS = 3000


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth/token":
        return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
    if request.method == "POST":
        return httpx.Response(201, headers={"Location": LOCATION})
    return httpx.Response(200, content=RESOURCE, headers={"content-type": "application/json"})


def _push(k2: K2) -> None:
    k2.stk_push(
        phone_number="0712345678", amount=100, till_number="K000000", callback_url="https://example.com/cb"
    )


def main() -> None:
    k2 = K2("id", "secret", transport=httpx.MockTransport(_answer), environ={})
    for _ in range(200):
        _push(k2)
        k2.get(LOCATION)
    started = time.perf_counter()
    for _ in range(CALLS):
        _push(k2)
    push = (time.perf_counter() - started) / CALLS * 1e6
    started = time.perf_counter()
    for _ in range(CALLS):
        k2.get(LOCATION)
    get = (time.perf_counter() - started) / CALLS * 1e6
    print(f"{sys.argv[1] if len(sys.argv) > 1 else '.'}: stk_push {push:.0f} us, get {get:.0f} us")


if __name__ == "__main__":
    main()
