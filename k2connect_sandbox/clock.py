"""Time for the sandbox: an injectable clock and the timestamp formats K2 payloads use.

K2 stamps everything in East Africa Time (UTC+03:00, no DST), so the sandbox renders every timestamp
in that offset whatever clock it is given; clients that compare instants are unaffected and clients
that display them see what the real API would send.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

__all__ = ["EAT", "Clock", "ManualClock", "SystemClock", "iso_ms", "iso_s", "parse_time"]

EAT = timezone(timedelta(hours=3), "EAT")


class Clock(Protocol):
    """Anything that tells the time as a timezone-aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(EAT)


class ManualClock:
    """A clock that only moves when told to: for token-expiry and payment-link-expiry tests.

    Only what the clock governs moves with it (token lifetimes, link expiry, timestamps, and the
    due time that a GET uses to resolve a pending resource early); the background resolution of
    pending resources and callback retries still wait in real time.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start if start is not None else datetime(2026, 1, 15, 9, 0, 0, tzinfo=EAT)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        with self._lock:
            self._now = when


def iso_ms(when: datetime) -> str:
    """``2020-10-21T07:40:00.927+03:00``: the form K2 uses for initiation_time and created_at."""
    return when.astimezone(EAT).isoformat(timespec="milliseconds")


def iso_s(when: datetime) -> str:
    """``2020-10-19T09:24:54+03:00``: the form K2 uses for origination_time and webhook created_at."""
    return when.astimezone(EAT).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime | None:
    """Parse an ISO-8601 timestamp (``Z`` or an offset); a naive one is taken as UTC. None if unparsable."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
