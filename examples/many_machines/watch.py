"""``python -m examples.many_machines.watch``: what to watch when many workers share Redis and PostgreSQL.

Prints one JSON object (for a cron job, a health check or a metrics exporter) and exits non-zero when a
store does not answer. Reads ``TOKEN_STORE_URL`` and ``DEDUP_URL`` like the shop does; never prints a
token or a password.

* ``token.ttl_seconds``: seconds left on the shared token (renewed 60 s before it ends). ``null`` for
  long means no worker has fetched one, or they cannot reach Redis (look for "Redis is unavailable" in
  the ``k2connect.tokens.redis`` log).
* ``token.lock_held``: a fetch is in progress; held for longer than ``lock_ttl`` means a holder died.
* ``token.fetches``: the fence counter, one per token fetch under the lock. It should grow about once an
  hour; growing fast means tokens are being invalidated (401s) or the lock keeps expiring.
* ``events.claimed`` / ``events.oldest_claim_seconds``: ids held by the deduplicator. The oldest should stay
  below the retention: if not, ``purge_events`` is not running.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

TOKEN_KEY = "k2connect:{token}"
EVENT_PREFIX = "k2connect:event:"
EVENT_TABLE = "k2_webhook_events"


def token_report(url: str) -> dict[str, Any]:
    import redis

    with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
        ttl_ms = client.pttl(TOKEN_KEY)
        return {
            "ttl_seconds": None if ttl_ms < 0 or not client.hexists(TOKEN_KEY, "token") else ttl_ms / 1000,
            "lock_held": bool(client.exists(TOKEN_KEY + ":lock")),
            "fetches": int(client.get(TOKEN_KEY + ":fence") or 0),
        }


def events_report(url: str) -> dict[str, Any]:
    if urlsplit(url).scheme in ("postgres", "postgresql"):
        import psycopg

        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(
                f"SELECT count(*), extract(epoch FROM now() - min(claimed_at)) FROM {EVENT_TABLE}"
            ).fetchone()
            count, oldest = row if row else (0, None)
            return {"store": "postgres", "claimed": count, "oldest_claim_seconds": oldest and float(oldest)}
    import redis

    with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
        claimed = sum(1 for _ in client.scan_iter(match=EVENT_PREFIX + "*", count=1000))
        return {"store": "redis", "claimed": claimed, "oldest_claim_seconds": None}  # Redis expires them


def main() -> int:
    report: dict[str, Any] = {"at": time.time()}
    healthy = True
    for name, variable, probe in (
        ("token", "TOKEN_STORE_URL", token_report),
        ("events", "DEDUP_URL", events_report),
    ):
        url = os.environ.get(variable)
        if not url:
            report[name] = None
            continue
        try:
            report[name] = probe(url)
        except Exception as exc:  # a store that does not answer is the thing to report
            healthy = False
            report[name] = {"error": type(exc).__name__}
    print(json.dumps(report))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
