"""The SDK's sync per-call overhead: ``K2`` and the generated client against raw ``httpx.Client``.

Sequential calls to the stub on loopback, each beside a raw httpx call on the same kind of pool with a fixed
token: ``K2.get(location)`` vs a raw GET, ``K2.stk_push`` vs a raw POST of the same body, and the generated
client's ``sync_detailed`` GET vs the raw GET.
"""

from __future__ import annotations

from typing import Any

import httpx
from k2connect_client import AuthenticatedClient
from k2connect_client.api.v2 import v2_get_incoming_payment
from rows import Report, add_ratio_row
from stub_process import CLIENT_ID, CLIENT_SECRET, STK_ARGS, Stub
from stub_server import PAYMENT_ID, PAYMENT_PATH, TOKEN
from timing import Counts, interleave, per_call

from k2connect_ext import K2

# What K2.stk_push sends for STK_ARGS (the raw floor posts the same bytes' worth).
STK_BODY: dict[str, Any] = {
    "payment_channel": "M-PESA STK Push",
    "till_number": "K000000",
    "subscriber": {"phone_number": "+254712345678"},
    "amount": {"currency": "KES", "value": "100"},
    "_links": {"callback_url": "https://example.com/k2/result"},
}


def sync_rows(stub: Stub, counts: Counts, report: Report) -> None:
    k2 = K2(CLIENT_ID, CLIENT_SECRET, base_url=stub.origin)
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    raw = httpx.Client(base_url=stub.origin, headers=headers)  # httpx's default pool, as K2's
    generated = AuthenticatedClient(base_url=stub.origin, token=TOKEN)
    location = k2.stk_push(**STK_ARGS).location

    def k2_get() -> object:
        return k2.get(location)

    def raw_get() -> object:
        return raw.get(PAYMENT_PATH).json()

    def k2_stk() -> object:
        return k2.stk_push(**STK_ARGS)

    def raw_post() -> object:
        response = raw.post("/api/v2/incoming_payments", json=STK_BODY)
        return response.headers["location"]

    def gen_get() -> object:
        return v2_get_incoming_payment.sync_detailed(PAYMENT_ID, client=generated)

    for fn in (k2_get, raw_get, k2_stk, raw_post, gen_get):
        fn()
    n = counts.sync_calls
    result = interleave(
        counts.rounds,
        {
            "k2_get": per_call(k2_get, n),
            "raw_get": per_call(raw_get, n),
            "k2_stk": per_call(k2_stk, n),
            "raw_post": per_call(raw_post, n),
            "gen_get": per_call(gen_get, n),
        },
    )
    add_ratio_row(
        report,
        "sync `K2.get(location)` vs raw `httpx.Client` (same pool, fixed token)",
        result["k2_get"],
        result["raw_get"],
        1.10,
        "sync K2.get",
    )
    add_ratio_row(
        report,
        "sync `K2.stk_push` vs a raw httpx POST",
        result["k2_stk"],
        result["raw_post"],
        1.10,
        "sync K2.stk_push",
    )
    add_ratio_row(
        report,
        "generated `sync_detailed` GET vs raw httpx",
        result["gen_get"],
        result["raw_get"],
        1.05,
        "generated sync_detailed",
    )
    k2.close()
    raw.close()
    generated.get_httpx_client().close()
