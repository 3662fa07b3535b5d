"""Webhook verify+parse throughput, beside the floor of HMAC-SHA256 plus json.loads on the same bytes.

    python bench/bench_webhooks.py [--seconds 3]

Prints events per second for both and their ratio (floor / ours: how many times slower the full
verify+parse into a typed model is than the bare minimum any receiver must do).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import time
from collections.abc import Callable

from k2connect_ext.webhooks import compute_signature, construct_event

API_KEY = "bench-api-key"
# A typical buy-goods webhook, compact as K2 sends it.
BODY = json.dumps(
    {
        "topic": "buygoods_transaction_received",
        "id": "2133dbfb-24b9-40fc-ae57-2d7559785760",
        "created_at": "2020-10-22T10:43:20+03:00",
        "event": {
            "type": "Buygoods Transaction",
            "resource": {
                "id": "458712f-gr76y-24b9-40fc-ae57-2d35785760",
                "amount": "100.0",
                "status": "Received",
                "system": "Lipa Na M-PESA",
                "currency": "KES",
                "reference": "OJM6Q1W84K",
                "till_number": "514459",
                "sender_phone_number": "+254999999999",
                "hashed_sender_phone": "ab" * 32,
                "origination_time": "2020-10-22T10:43:19+03:00",
                "sender_last_name": "Doe",
                "sender_first_name": "Jane",
                "sender_middle_name": None,
            },
        },
        "_links": {
            "self": "https://sandbox.kopokopo.com/webhook_events/2133dbfb-24b9-40fc-ae57-2d7559785760",
            "resource": "https://sandbox.kopokopo.com/financial_transaction/458712f-gr76y-24b9-40fc-ae57-2d35785760",
        },
    },
    separators=(",", ":"),
).encode()
SIGNATURE = compute_signature(BODY, API_KEY)


def floor() -> None:
    expected = hmac.new(API_KEY.encode(), BODY, hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, SIGNATURE)
    json.loads(BODY)


def ours() -> None:
    event = construct_event(BODY, SIGNATURE, API_KEY)
    _ = event.amount, event.phone, event.id


def rate(fn: Callable[[], None], seconds: float) -> float:
    for _ in range(200):  # warm up
        fn()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            fn()
        count += 100
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    floor_rate = rate(floor, args.seconds)
    our_rate = rate(ours, args.seconds)
    print(f"body: {len(BODY)} bytes (buygoods_transaction_received)")
    print(f"HMAC + json.loads floor : {floor_rate:12,.0f} events/s")
    print(f"construct_event (ours)  : {our_rate:12,.0f} events/s")
    print(f"ratio floor/ours        : {floor_rate / our_rate:12.2f}x")


if __name__ == "__main__":
    main()
