"""``RedisDeduplicator``: each K2 event id claimed once across every worker on every machine, in Redis.

Install with ``pip install 'k2connect-sdk[redis]'``::

    from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator

    dedup = RedisDeduplicator.from_url("redis://redis.internal:6379/0", retention_seconds=7 * 86400)
    receiver = WebhookReceiver(api_key, handler, deduplicator=dedup)

The same states as every deduplicator (see ``_dedup``): ``claim`` is one ``SET key lease NX PX`` (atomic
across every client) that holds for ``lease_seconds``; Redis drops a lease that runs out by itself, so an
event whose claim could not be released (Redis was down) is processed on a redelivery after the lease.
``complete`` turns the claim into ``done`` for ``retention_seconds``, and ``release`` deletes it, each in one
Lua script that first checks the claim is still the caller's (its owner token). Keep the retention longer
than K2's redelivery window: an event redelivered later than that is processed again.

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
from k2connect_ext.webhooks._dedup import (
    DEFAULT_LEASE_SECONDS,
    BlockingStoreTwins,
    Claim,
    ClaimState,
    check_event_id,
    check_lease,
    claim_owner,
    new_owner,
)

__all__ = ["DEFAULT_EVENT_PREFIX", "RedisDeduplicator"]

DEFAULT_EVENT_PREFIX = "k2connect:event:"
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600.0

# A key's value: "lease:<owner token>" while in flight, "done" once processed. (Versions before leases
# wrote "1": any value but a lease reads as done.)
_LEASE = b"lease:"

# KEYS: the event key. ARGV: the caller's lease value, the retention in ms. Marks the event done unless
# another delivery holds or completed it; an absent key (the lease ran out, nobody took over) is marked too.
_COMPLETE = """
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
"""

# KEYS: the event key. ARGV: the caller's lease value. Deletes the claim only while it is the caller's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisDeduplicator(BlockingStoreTwins):
    """A :class:`~k2connect_ext.webhooks.Deduplicator` (and its async twin) on Redis.

    Args:
        client: a ``redis.Redis``; give it short socket timeouts (:meth:`from_url` does).
        retention_seconds: how long a done id is remembered.
        prefix: prepended to every event id to make its key.
        lease_seconds: how long an in-flight claim holds before it lapses by itself (a minute by default):
            longer than your slowest handler, shorter than K2's redelivery window.

    Raises:
        K2ConfigError: the ``redis`` package is missing, or the retention or lease is not positive.
    """

    def __init__(
        self,
        client: Any,  # redis.Redis; typed loosely so RedisCluster and test doubles fit too
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        prefix: str = DEFAULT_EVENT_PREFIX,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        redis = require_module("redis", "redis")
        if not retention_seconds > 0:
            raise K2ConfigError("retention_seconds must be positive: Redis must forget old ids")
        self._client = client
        self._retention_ms = max(1, int(retention_seconds * 1000))
        self._lease_ms = max(1, int(check_lease(lease_seconds) * 1000))
        self._prefix = prefix.encode()
        self._errors: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)
        self._complete = client.register_script(_COMPLETE)
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        prefix: str = DEFAULT_EVENT_PREFIX,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        socket_timeout: float = 2.0,
        socket_connect_timeout: float = 2.0,
        **redis_options: Any,
    ) -> RedisDeduplicator:
        """Build the client from a ``redis://`` / ``rediss://`` / ``unix://`` URL, with short timeouts.

        Args:
            url: where Redis is: ``redis://host:6379/0``, ``rediss://`` for TLS, ``unix:///path``.
            retention_seconds: how long a done id is remembered.
            prefix: prepended to every event id to make its key.
            lease_seconds: how long an in-flight claim holds before it lapses by itself.
            socket_timeout: seconds Redis has to answer a command.
            socket_connect_timeout: seconds to connect to Redis.
            **redis_options: passed on to ``redis.Redis.from_url`` (``password=``, ``ssl_ca_certs=``...).

        Returns:
            The deduplicator.

        Raises:
            K2ConfigError: the ``redis`` package is missing, the URL is malformed, or a setting is out of
                range.
        """
        client = redis_client(url, socket_timeout, socket_connect_timeout, redis_options)
        return cls(client, retention_seconds=retention_seconds, prefix=prefix, lease_seconds=lease_seconds)

    def claim(self, event_id: str) -> Claim:
        """Atomically take ``event_id`` if free (state NEW, with an owner token); else say who has it.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim: ``NEW`` (yours: run the handler, then ``complete`` it, or ``release`` it if the
                handler failed), ``IN_FLIGHT`` (another delivery is running it) or ``DONE`` (processed
                already).

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
            K2StoreUnavailableError: Redis did not answer; nothing was recorded (or, if the claim reached
                Redis, it lapses after the lease).
        """
        key = self._key(event_id)
        owner = new_owner()
        try:
            if self._client.set(key, _LEASE + owner.encode(), nx=True, px=self._lease_ms):
                return Claim(event_id, ClaimState.NEW, owner)
            held = self._client.get(key)
        except self._errors as exc:
            raise self._unavailable("claim", exc) from None
        if isinstance(held, str):  # a client made with decode_responses=True
            held = held.encode()
        # No key any more: released (or lapsed) a moment ago by another delivery. "Retry later" is the
        # answer that can never lose the event.
        if held is None or held.startswith(_LEASE):
            return Claim(event_id, ClaimState.IN_FLIGHT)
        return Claim(event_id, ClaimState.DONE)

    def complete(self, claim: Claim) -> bool:
        """Mark the event done (the handler returned): later deliveries of it are duplicates.

        Args:
            claim: the :class:`~k2connect_ext.webhooks.Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done; False if the claim was a duplicate's, or is no longer this owner's (its
                lease lapsed and another delivery took it over).

        Raises:
            K2InputError: ``claim`` is not a :class:`~k2connect_ext.webhooks.Claim`.
            K2StoreUnavailableError: Redis did not answer; the claim lapses after its lease.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        key = self._key(claim.event_id)
        try:
            return bool(self._complete(keys=[key], args=[_LEASE + owner.encode(), self._retention_ms]))
        except self._errors as exc:
            raise self._unavailable("complete", exc) from None

    def release(self, claim: Claim) -> bool:
        """Free the claim (the handler failed), so that K2's next delivery of the event is processed.

        Args:
            claim: the :class:`~k2connect_ext.webhooks.Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed; False if the claim was a duplicate's, or is no longer this owner's.

        Raises:
            K2InputError: ``claim`` is not a :class:`~k2connect_ext.webhooks.Claim`.
            K2StoreUnavailableError: Redis did not answer; the claim lapses after its lease.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        key = self._key(claim.event_id)
        try:
            return bool(self._release(keys=[key], args=[_LEASE + owner.encode()]))
        except self._errors as exc:
            raise self._unavailable("release", exc) from None

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is claimed: in flight under a running lease, or done.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
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
        retention, lease = self._retention_ms / 1000, self._lease_ms / 1000
        return (
            f"RedisDeduplicator(prefix={self._prefix.decode()!r}, retention_seconds={retention:g}, "
            f"lease_seconds={lease:g})"
        )
