"""One worker process of the token tests (``python -m tests.multi.token_worker``).

``calls``: build a ``K2`` sharing its token through Redis, wait for the go file, then make one
authenticated call from each of ``--threads`` threads at once; print a JSON summary.
``hang``: take the token lock and never finish fetching (the test kills this process mid-fetch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import threading
import time
from pathlib import Path

from k2connect_ext import K2, K2Error
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext._token_manager import TokenManager
from k2connect_ext._token_stores import AccessToken


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.005)


def calls(args: argparse.Namespace) -> int:
    store = RedisTokenStore.from_url(args.redis, lock_ttl=args.lock_ttl)
    k2 = K2(args.client_id, args.client_secret, base_url=args.base_url, token_store=store)
    seen: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    Path(args.ready).touch()
    _wait_for(Path(args.go))

    def one_call() -> None:
        try:
            k2.token_info()
            digest = hashlib.sha256(k2.token().value.encode()).hexdigest()[:12]
            with lock:
                seen.append(digest)
        except K2Error as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=one_call) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    k2.close()
    print(json.dumps({"ok": len(seen), "tokens": sorted(set(seen)), "errors": errors}))
    return 0


def hang(args: argparse.Namespace) -> int:
    def fetch() -> AccessToken:
        Path(args.ready).touch()  # we hold the lock and are fetching
        time.sleep(600)
        raise AssertionError("should have been killed")

    TokenManager(fetch, store=RedisTokenStore.from_url(args.redis, lock_ttl=args.lock_ttl)).get()
    return 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["calls", "hang"])
    parser.add_argument("--redis", required=True)
    parser.add_argument("--base-url", default="")
    parser.add_argument("--client-id", default="")
    parser.add_argument("--client-secret", default="")
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--lock-ttl", type=float, default=30.0)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--go", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    return calls(args) if args.mode == "calls" else hang(args)


if __name__ == "__main__":
    sys.exit(main())
