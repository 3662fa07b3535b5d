"""The processes of the intents crash test (``python -m tests.multi.intents_worker``).

``run``: a payout worker. It opens the ledger, says ``ready``, reconciles (unless ``--no-reconcile``:
several workers sharing a ledger at once), then runs the batch ``crash/0`` .. ``crash/<count-1>`` (one
mobile-wallet ``send_money`` intent each) and prints a JSON summary. ``K2_CRASH_AT=<point>:<n>`` makes it
SIGKILL itself at the n-th time it reaches ``point``:

* ``recorded``: an intent was just recorded, nothing sent yet;
* ``sending``: the intent was just moved to ``sending``, the POST not made yet;
* ``midpost``: a timer armed when the intent moves to ``sending`` fires while the POST waits for its answer
  (the test arms a sandbox ``slow`` fault, so the answer is held);
* ``answered``: K2 answered (the 201, or an error) and the answer is not stored yet;
* ``settling`` / ``settled`` (the receiver): a verified callback is about to settle its intent / has settled
  it, and the receiver has not answered K2 yet (K2 delivers it again).

``receive``: the shop's receiver, a separate process: the Starlette adapter under uvicorn with ``ledger=`` the
same ledger, settling each verified callback's intent, on ``--port`` (0: any). It prints ``ready <port>`` once
serving; ``K2_CRASH_AT`` kills it too.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from k2connect_ext import K2, BatchRow, Intent, IntentState, Ledger, mobile_wallet_destination, open_ledger
from k2connect_ext._intent import States

CRASH_ENV = "K2_CRASH_AT"
POINTS = ("recorded", "sending", "midpost", "answered", "settling", "settled")
MIDPOST_AFTER = 0.1  # seconds into the POST (the sandbox holds its answer longer) that ``midpost`` fires
RECEIVER_PATH = "/k2/results"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Crash:
    """Where (and at which occurrence) this process kills itself, from ``K2_CRASH_AT``."""

    def __init__(self, spec: str | None) -> None:
        self.point: str | None = None
        self.at = 0
        self.seen = 0
        self.lock = threading.Lock()
        if spec:
            point, _, n = spec.partition(":")
            if point not in POINTS:
                raise SystemExit(f"{CRASH_ENV}: unknown point {point!r}")
            self.point, self.at = point, int(n or "1")

    def reached(self, point: str) -> bool:
        """True when this is the occurrence of ``point`` to crash at."""
        if point != self.point:
            return False
        with self.lock:
            self.seen += 1
            return self.seen == self.at


class CrashingLedger:
    """A real ledger that kills the process at the chosen point of the intents' steps."""

    def __init__(self, inner: Ledger, crash: Crash, pace: float) -> None:
        self.inner = inner
        self.crash = crash
        self.pace = pace

    def record(self, key: str, operation: str, request: Mapping[str, Any]) -> tuple[Intent, bool]:
        intent, created = self.inner.record(key, operation, request)
        if created and self.crash.reached("recorded"):
            die()
        time.sleep(self.pace)  # a slower K2: each kill lands after a few payouts, not dozens
        return intent, created

    def get(self, key: str) -> Intent | None:
        return self.inner.get(key)

    def get_by_id(self, intent_id: str) -> Intent | None:
        return self.inner.get_by_id(intent_id)

    def list(
        self,
        states: States | None = None,
        *,
        limit: int = 100,
        after: Intent | None = None,
        since: float | None = None,
    ) -> builtins.list[Intent]:
        return self.inner.list(states, limit=limit, after=after, since=since)

    def transition(
        self,
        intent_id: str,
        to: IntentState,
        *,
        expect: States,
        location: str | None = None,
        result: Mapping[str, Any] | None = None,
        reference: str | None = None,
        last_error: str | None = None,
        note: str | None = None,
    ) -> Intent:
        answering = expect is IntentState.SENDING and to in (IntentState.SENT, IntentState.AMBIGUOUS)
        if answering and self.crash.reached("answered"):
            die()
        if to in (IntentState.SUCCEEDED, IntentState.FAILED) and self.crash.reached("settling"):
            die()
        moved = self.inner.transition(
            intent_id,
            to,
            expect=expect,
            location=location,
            result=result,
            reference=reference,
            last_error=last_error,
            note=note,
        )
        settling = to in (IntentState.SUCCEEDED, IntentState.FAILED)
        if settling and self.crash.reached("settled"):
            die()
        if to is IntentState.SENDING:
            if self.crash.reached("sending"):
                die()
            if self.crash.reached("midpost"):
                threading.Timer(MIDPOST_AFTER, die).start()
        return moved

    def close(self) -> None:
        self.inner.close()


def rows(count: int, callback_url: str) -> list[BatchRow]:
    """The batch: ``crash/<n>``, a mobile-wallet payout of 100 + n shillings each."""
    return [
        BatchRow(
            f"crash/{n}",
            "send_money",
            {
                "callback_url": callback_url,
                "destinations": [mobile_wallet_destination("0712345678", 100 + n, "Pay")],
            },
        )
        for n in range(count)
    ]


def run(args: argparse.Namespace) -> int:
    ledger = CrashingLedger(open_ledger(args.ledger), Crash(os.environ.get(CRASH_ENV)), args.pace)
    k2 = K2(args.client_id, args.client_secret, base_url=args.base_url, ledger=ledger)
    print("ready", flush=True)
    try:
        if not args.no_reconcile:
            k2.intents.reconcile(sending_grace=0)  # the only worker: whatever is ``sending`` was ours
        report = k2.intents.run_batch(rows(args.count, args.callback_url), concurrency=args.concurrency)
    finally:
        k2.close()
        ledger.close()
    counts = {state.value: n for state, n in report.counts.items()}
    print(json.dumps({"counts": counts, "problems": [str(p) for p in report.problems]}), flush=True)
    return 0


def receive(args: argparse.Namespace) -> int:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    from k2connect_ext.webhooks import K2Event, SQLiteDeduplicator
    from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint
    from k2connect_sandbox.server import bind_socket

    async def handle(event: K2Event) -> None:
        return None

    ledger = CrashingLedger(open_ledger(args.ledger), Crash(os.environ.get(CRASH_ENV)), 0.0)
    # The claim's lease is the longest a handler may run (this one returns at once), not a minute: a
    # receiver killed mid-callback leaves its claim behind, and K2's redeliveries (here the sandbox's, over
    # about six seconds) must find it lapsed once a new receiver is up, or the payout is never settled.
    seen = SQLiteDeduplicator(args.seen, lease_seconds=1.0)
    endpoint = webhook_endpoint(args.api_key, handle, seen, ledger=ledger)
    app = Starlette(routes=[Route(RECEIVER_PATH, endpoint, methods=["POST"])])
    sock = bind_socket("127.0.0.1", args.port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        print(f"ready {sock.getsockname()[1]}", flush=True)
        await task

    asyncio.run(serve())
    ledger.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("run")
    worker.add_argument("--ledger", required=True)
    worker.add_argument("--base-url", required=True)
    worker.add_argument("--client-id", required=True)
    worker.add_argument("--client-secret", required=True)
    worker.add_argument("--callback-url", required=True)
    worker.add_argument("--count", type=int, required=True)
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument("--no-reconcile", action="store_true")
    worker.add_argument(
        "--pace", type=float, default=0.0, help="seconds each new intent waits before its send"
    )
    shop = sub.add_parser("receive")
    shop.add_argument("--ledger", required=True)
    shop.add_argument("--api-key", required=True)
    shop.add_argument("--seen", required=True)
    shop.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    return run(args) if args.command == "run" else receive(args)


if __name__ == "__main__":
    sys.exit(main())
