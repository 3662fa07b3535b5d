"""``RedisDeduplicator``: each K2 event id claimed once across every worker on every machine, in Redis.

Install with ``pip install 'k2connect-sdk[redis]'``::

    from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator

    dedup = RedisDeduplicator.from_url("redis://redis.internal:6379/0", retention_seconds=7 * 86400)
    receiver = WebhookReceiver(api_key, handler, deduplicator=dedup)

The same claim / release semantics as :class:`~k2connect_ext.webhooks.SQLiteDeduplicator`: ``claim`` is one
``SET key NX PX`` (atomic across every client), ``release`` deletes the key after a failed handler so K2's
redelivery is processed. Each claim expires after ``retention_seconds``: Redis forgets old ids by itself,
and an event redelivered later than that is processed again, so keep the retention longer than K2's
redelivery window.

When Redis does not answer, every call raises :class:`~k2connect_ext.K2StoreUnavailableError`:
the receiver answers 500, nothing is marked as seen, and K2 redelivers once Redis is back. Keys are
``<prefix><event id>``. Ids follow the rule every deduplicator applies
(:func:`~k2connect_ext.webhooks._dedup.check_event_id`): an id it refuses raises ``K2InputError``.
"""

from __future__ import annotations

from typing import Any

from k2connect_ext._exceptions import K2ConfigError, K2StoreUnavailableError
from k2connect_ext._redis_token_store import redis_client
from k2connect_ext._store_support import redact, require_module
from k2connect_ext.webhooks._dedup import BlockingStoreTwins, check_event_id

__all__ = ["DEFAULT_EVENT_PREFIX", "RedisDeduplicator"]

DEFAULT_EVENT_PREFIX = "k2connect:event:"
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600.0


class RedisDeduplicator(BlockingStoreTwins):
    """A :class:`~k2connect_ext.webhooks.Deduplicator` (and its async twin) on Redis.

    Args:
        client: a ``redis.Redis``; give it short socket timeouts (:meth:`from_url` does).
        retention_seconds: how long a claimed id is remembered.
        prefix: prepended to every event id to make its key.

    Raises:
        K2ConfigError: the ``redis`` package is missing, or the retention is not positive.
    """

    def __init__(
        self,
        client: Any,  # redis.Redis; typed loosely so RedisCluster and test doubles fit too
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        prefix: str = DEFAULT_EVENT_PREFIX,
    ) -> None:
        redis = require_module("redis", "redis")
        if not retention_seconds > 0:
            raise K2ConfigError("retention_seconds must be positive: Redis must forget old ids")
        self._client = client
        self._retention_ms = max(1, int(retention_seconds * 1000))
        self._prefix = prefix.encode()
        self._errors: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        prefix: str = DEFAULT_EVENT_PREFIX,
        socket_timeout: float = 2.0,
        socket_connect_timeout: float = 2.0,
        **redis_options: Any,
    ) -> RedisDeduplicator:
        """Build the client from a ``redis://`` / ``rediss://`` / ``unix://`` URL, with short timeouts.

        Raises:
            K2ConfigError: the ``redis`` package is missing or the URL is malformed.
        """
        client = redis_client(url, socket_timeout, socket_connect_timeout, redis_options)
        return cls(client, retention_seconds=retention_seconds, prefix=prefix)

    def claim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time, False for a duplicate.

        Raises:
            K2StoreUnavailableError: Redis did not answer; nothing was recorded.
        """
        key = self._key(event_id)
        try:
            return bool(self._client.set(key, b"1", nx=True, px=self._retention_ms))
        except self._errors as exc:
            raise self._unavailable("claim", exc) from None

    def release(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed.

        Raises:
            K2StoreUnavailableError: Redis did not answer; the claim may still be there.
        """
        key = self._key(event_id)
        try:
            self._client.delete(key)
        except self._errors as exc:
            raise self._unavailable("release", exc) from None

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed.

        Raises:
            K2StoreUnavailableError: Redis did not answer.
        """
        key = self._key(event_id)
        try:
            return bool(self._client.exists(key))
        except self._errors as exc:
            raise self._unavailable("lookup", exc) from None

    def close(self) -> None:
        """Close the client's connections (a later call reconnects)."""
        self._client.close()

    def _key(self, event_id: str) -> bytes:
        check_event_id(event_id)  # the rule every deduplicator applies (K2InputError)
        return self._prefix + event_id.encode("utf-8")

    def _unavailable(self, action: str, exc: BaseException) -> K2StoreUnavailableError:
        return K2StoreUnavailableError(
            f"Redis deduplicator: {action} failed ({type(exc).__name__}: {redact(str(exc))})"
        )

    def __repr__(self) -> str:
        retention = self._retention_ms / 1000
        return f"RedisDeduplicator(prefix={self._prefix.decode()!r}, retention_seconds={retention:g})"
