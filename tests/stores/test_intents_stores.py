"""``k2.intents`` on each real ledger (an SQLite file, the session's PostgreSQL), opened from its URL, with
several clients at once, as several workers or machines would share it. K2 is a fake (MockTransport) that
counts what it is sent: every key must reach it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from k2connect_ext import (
    K2,
    AsyncK2,
    BatchReport,
    BatchRow,
    Intent,
    IntentState,
    K2StoreUnavailableError,
    mobile_wallet_destination,
    open_ledger,
)
from tests.client_runner import CLIENT_ID, SECRET, STK_ARGS
from tests.fakes import FakeK2
from tests.servers import PostgresServer, until_it_answers, until_it_answers_async

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
    # Each row is recorded by one worker; the two others find it in the ledger (another worker's).
    assert sum(report.from_earlier_runs for report in reports) == 24 * 2


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


# ---------------------------------------------------------------- PostgreSQL stopped mid-batch

PAYROLL = [
    BatchRow(
        f"payroll/emp-{n}",
        "send_money",
        {"callback_url": CB, "destinations": [mobile_wallet_destination("0712345678", 100 + n, "Salary")]},
    )
    for n in range(6)
]


class StopsPostgresOnThirdPayout:
    """K2 that stops the ledger's PostgreSQL when the third payout reaches it, then processes it (201):
    the batch's worst moment, a payout K2 has taken whose Location the ledger cannot store."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.k2 = FakeK2(default=self.answer)
        self.posts = 0

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            if self.posts == 3:
                self.server.stop()
        return self.k2.usual_answer(request)


def _keys_sent(k2: FakeK2, ledger_url: str) -> Counter[str]:
    """How many POSTs K2 got for each row (by the intent id each was tagged with, looked up by key)."""
    with contextlib.closing(open_ledger(ledger_url)) as ledger:
        by_id = {intent.id: intent.key for intent in ledger.list(limit=1000)}
    return Counter(by_id[intent_id] for intent_id in sent_keys(k2).elements())


def _check_nothing_lost_nothing_twice(fake: StopsPostgresOnThirdPayout, postgres_url: str) -> None:
    sent = _keys_sent(fake.k2, postgres_url)
    assert set(sent.values()) == {1}, sent  # no row reached K2 twice
    assert set(sent) == {row.key for row in PAYROLL}  # every row reached K2: the batch resumed
    with contextlib.closing(open_ledger(postgres_url)) as ledger:
        intents = {intent.key: intent.state for intent in ledger.list(limit=1000)}
    # The payout caught in flight keeps its durable record, in a state that is never sent again.
    assert intents.pop("payroll/emp-2") in (S.SENDING, S.AMBIGUOUS)
    assert intents == {row.key: S.SENT for row in PAYROLL if row.key != "payroll/emp-2"}


def test_postgres_stopped_mid_batch_loses_nothing_and_the_batch_resumes(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    """PostgreSQL stops while K2 takes the third payout: the batch stops with K2StoreUnavailableError and
    sends nothing more; once it is back, the same batch again sends the rest, and nothing twice."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta")
    fake = StopsPostgresOnThirdPayout(postgres_server)
    k2 = K2(CLIENT_ID, SECRET, transport=httpx.MockTransport(fake.k2), ledger=postgres_url)
    try:
        with pytest.raises(K2StoreUnavailableError):
            k2.intents.run_batch(PAYROLL, concurrency=1)
        assert fake.posts == 3  # no row started after the ledger failed
        postgres_server.start()
        # Run the batch again until the ledger answers: a rerun is how a batch resumes, and it is safe.
        report = until_it_answers(lambda: k2.intents.run_batch(PAYROLL, concurrency=1))
    finally:
        k2.close()
        if postgres_server.process is None:
            postgres_server.start()
    assert report.problems == ()
    _check_nothing_lost_nothing_twice(fake, postgres_url)


def test_postgres_stopped_mid_batch_async(postgres_server: PostgresServer, postgres_url: str) -> None:
    """The same with AsyncK2: the batch stops, resumes when PostgreSQL is back, sends nothing twice."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta")
    fake = StopsPostgresOnThirdPayout(postgres_server)

    async def main() -> BatchReport:
        k2 = AsyncK2(CLIENT_ID, SECRET, transport=httpx.MockTransport(fake.k2), ledger=postgres_url)
        try:
            with pytest.raises(K2StoreUnavailableError):
                await k2.intents.run_batch(PAYROLL, concurrency=1)
            assert fake.posts == 3
            postgres_server.start()
            return await until_it_answers_async(lambda: k2.intents.run_batch(PAYROLL, concurrency=1))
        finally:
            await k2.aclose()

    try:
        report = asyncio.run(main())
    finally:
        if postgres_server.process is None:
            postgres_server.start()
    assert report.problems == ()
    _check_nothing_lost_nothing_twice(fake, postgres_url)
