"""``k2.intents`` on each real ledger (an SQLite file, the session's PostgreSQL), opened from its URL, with
several clients at once, as several workers or machines would share it. K2 is a fake (MockTransport) that
counts what it is sent: every key must reach it once.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from k2connect_ext import K2, AsyncK2, BatchRow, Intent, IntentState, mobile_wallet_destination
from tests.client_runner import CLIENT_ID, SECRET, STK_ARGS
from tests.fakes import FakeK2

S = IntentState
CB = "https://example.com/k2/payout"


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/payouts.db"
    url: str = request.getfixturevalue("postgres_url")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta")
    return url


def sent_keys(server: FakeK2) -> Counter[str]:
    """How many POSTs K2 got for each intent (by the id each one is tagged with)."""
    return Counter(
        json.loads(r.content)["metadata"]["k2connect_intent"]
        for r in server.api_requests()
        if r.method == "POST"
    )


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(n)`` in ``count`` threads started together; their results, in order."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        start.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_key_from_many_workers_is_sent_once(ledger_url: str) -> None:
    """Six clients (each its own connection to the ledger, as six processes) send one key together: one
    POST, and every client gets the same intent."""
    server = FakeK2()
    clients = [
        K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), ledger=ledger_url) for _ in range(6)
    ]
    try:
        found: list[Intent] = in_threads(6, lambda n: clients[n].intents.stk_push(key="order-1", **STK_ARGS))
    finally:
        for client in clients:
            client.close()
    assert len({intent.id for intent in found}) == 1
    assert list(sent_keys(server).values()) == [1]


def test_workers_sharing_one_batch_send_each_row_once(ledger_url: str) -> None:
    """Three workers run the same 24 rows at once (machines sharing one CSV): each row reaches K2 once."""
    rows = [
        BatchRow(
            f"payroll/emp-{n}",
            "send_money",
            {
                "callback_url": CB,
                "destinations": [mobile_wallet_destination("0712345678", 100 + n, "Salary")],
            },
        )
        for n in range(24)
    ]
    server = FakeK2()
    clients = [
        K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), ledger=ledger_url) for _ in range(3)
    ]
    try:
        reports = in_threads(3, lambda n: clients[n].intents.run_batch(rows, concurrency=4))
        final = {intent.key: intent.state for intent in clients[0].intents.list()}
    finally:
        for client in clients:
            client.close()
    counts = sent_keys(server)
    assert len(counts) == 24 and set(counts.values()) == {1}
    assert final == {row.key: S.SENT for row in rows}
    assert all(report.problems == () for report in reports)


def test_async_clients_on_one_ledger_send_each_key_once(ledger_url: str) -> None:
    server = FakeK2()

    async def main() -> list[Intent]:
        clients = [
            AsyncK2(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), ledger=ledger_url)
            for _ in range(4)
        ]
        try:
            return await asyncio.gather(
                *(
                    client.intents.stk_push(key=f"order-{n % 2}", **STK_ARGS)
                    for n, client in enumerate(clients)
                )
            )
        finally:
            for client in clients:
                await client.aclose()

    found = asyncio.run(main())
    assert len({intent.id for intent in found}) == 2
    assert sorted(sent_keys(server).values()) == [1, 1]
