"""``python -m examples.many_machines.purge_events``: delete webhook ids older than the retention period.

Run it from cron or a scheduler once an hour on one machine (running it on several at once is harmless).
Only PostgreSQL needs it: Redis expires each id by itself. Reads ``DEDUP_URL`` and
``EVENT_RETENTION_SECONDS`` (default 7 days) like the shop.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from k2connect_ext import K2Error


def main() -> int:
    url = os.environ.get("DEDUP_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        print("DEDUP_URL is not PostgreSQL: nothing to purge (Redis expires ids itself)")
        return 0
    from k2connect_ext.webhooks import PostgresDeduplicator

    retention = float(os.environ.get("EVENT_RETENTION_SECONDS") or 7 * 24 * 3600)
    try:
        with PostgresDeduplicator(url, retention_seconds=retention, pool_size=1) as dedup:
            print(f"purged {dedup.purge_expired()} webhook ids older than {retention:g} s")
    except K2Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
