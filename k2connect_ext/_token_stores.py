"""Access tokens and where they are kept between requests.

K2 issues client-credentials tokens that last an hour and cannot be refreshed: the only way to get a new
one is another call to ``/oauth/token``. Every process that talks to K2 needs one, and fetching a token per
request (or per worker) is slow and may be rate limited, so tokens are cached in a :class:`TokenStore`:

* :class:`MemoryTokenStore` shares one token between the threads of one process;
* :class:`FileTokenStore` shares one token between the worker processes of one machine (gunicorn, celery);
* :class:`~k2connect_ext.RedisTokenStore` (extra ``k2connect-sdk[redis]``) shares it between
  machines, with a fenced Redis lock for single flight and a per-process fallback while Redis is down;
* anything else implements :class:`TokenStore`.

The serialised token (``to_json``) holds the secret token itself: keep the store private to your service.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from k2connect_ext._constants import DEFAULT_TOKEN_LIFETIME_SECONDS
from k2connect_ext._exceptions import K2ConfigError, K2UnexpectedResponseError

__all__ = ["AccessToken", "FileTokenStore", "MemoryTokenStore", "TokenStore"]


@attrs.frozen(kw_only=True)
class AccessToken:
    """A bearer token and its lifetime, in wall-clock epoch seconds so processes can share it.

    Attributes:
        value: the token itself. Secret: left out of ``repr``.
        token_type: as K2 sent it (``"Bearer"``).
        expires_at: when the token stops working, by our clock.
        obtained_at: when we received it, by our clock.
        issued_at: K2's ``created_at``, by K2's clock; informational only.
    """

    value: str = attrs.field(repr=False)
    token_type: str = "Bearer"
    expires_at: float
    obtained_at: float
    issued_at: float | None = None

    def is_fresh(self, now: float, skew: float) -> bool:
        """Whether the token can still be sent at ``now``: it must outlive ``skew`` seconds more.

        The margin is at most half the token's lifetime, so a token shorter-lived than ``skew`` is still
        used for a while instead of being renewed on every request.
        """
        margin = min(skew, max(0.0, (self.expires_at - self.obtained_at) / 2))
        return now < self.expires_at - margin

    @classmethod
    def from_token_response(
        cls, body: Mapping[str, Any], now: float, *, status_code: int | None = None
    ) -> AccessToken:
        """Build a token from the JSON body of a successful ``POST /oauth/token``.

        ``expires_in`` is measured from ``now`` (when we received the body) rather than from K2's
        ``created_at``: it is a duration, so it does not depend on the two clocks agreeing, and a Doorkeeper
        server reusing a live token reports the seconds that remain. ``created_at`` may be an epoch
        integer, an ISO-8601 string or absent (K2's samples show all three); it is kept as ``issued_at``.
        A missing ``expires_in`` means K2's documented hour.

        Raises:
            K2UnexpectedResponseError: the body has no usable ``access_token`` (``status_code`` is the
                answer's, when the caller knows it). The body is not attached, since it may hold a token.
        """
        value = body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(value, str) or not value or any(c.isspace() for c in value):
            raise K2UnexpectedResponseError(
                "K2's token response has no usable access_token", status_code=status_code
            )
        lifetime = _number(body.get("expires_in"))
        token_type = body.get("token_type")
        return cls(
            value=value,
            token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
            expires_at=now + (DEFAULT_TOKEN_LIFETIME_SECONDS if lifetime is None else lifetime),
            obtained_at=now,
            issued_at=_epoch(body.get("created_at")),
        )

    def to_json(self) -> str:
        """Serialise for a :class:`TokenStore`. The result contains the secret token."""
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> AccessToken | None:
        """Read what :meth:`to_json` wrote; ``None`` for anything else: a corrupt entry means "no token"."""
        try:
            record = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(record, dict):
            return None
        value, token_type = record.get("value"), record.get("token_type")
        expires_at, obtained_at = _number(record.get("expires_at")), _number(record.get("obtained_at"))
        if not (isinstance(value, str) and value and isinstance(token_type, str)):
            return None
        if expires_at is None or obtained_at is None:
            return None
        return cls(
            value=value,
            token_type=token_type,
            expires_at=expires_at,
            obtained_at=obtained_at,
            issued_at=_number(record.get("issued_at")),
        )


@runtime_checkable
class TokenStore(Protocol):
    """Where a token lives between requests, possibly shared between processes or machines.

    ``lock()`` gives single flight across everything sharing the store: the token manager takes it before
    fetching, re-reads the store inside it (another holder may just have saved a fresh token), and fetches
    only if there is still none. ``clear(expected)`` must be a compare-and-delete: it removes the token only
    if it is still ``expected``, so a request that failed with an old token cannot wipe the fresh one that
    another worker just saved (which would make every worker fetch again). The manager never calls
    ``clear`` while it holds ``lock()``.
    """

    def load(self) -> AccessToken | None:
        """Return the stored token, or ``None``."""
        ...

    def save(self, token: AccessToken) -> None:
        """Store ``token``, replacing any other."""
        ...

    def clear(self, expected: AccessToken | None = None) -> None:
        """Remove the token if it is ``expected`` (the same ``value``), or in any case when ``None``."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Hold the store's fetch lock for the duration of a ``with`` block."""
        ...


class MemoryTokenStore:
    """A token shared by the threads of one process."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None
        self._data_lock = threading.Lock()
        # Separate from the data lock: fetching under lock() must not block load() in other threads.
        self._fetch_lock = threading.Lock()

    def load(self) -> AccessToken | None:
        """Return the stored token, or ``None``."""
        with self._data_lock:
            return self._token

    def save(self, token: AccessToken) -> None:
        """Store ``token``."""
        with self._data_lock:
            self._token = token

    def clear(self, expected: AccessToken | None = None) -> None:
        """Remove the token if it is still ``expected`` (or unconditionally when ``None``)."""
        with self._data_lock:
            if expected is None or (self._token is not None and self._token.value == expected.value):
                self._token = None

    def lock(self) -> AbstractContextManager[None]:
        """The fetch lock. A plain ``Lock``: the async manager may release it from another thread."""
        return _holding(self._fetch_lock)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None})"


class FileTokenStore:
    """One token shared by the processes of one machine, in a JSON file readable by its owner only.

    Writes are atomic (a temporary file in the same directory, then ``os.replace``), so readers never see
    half a token and need no lock. Fetching is serialised with ``flock`` on a sidecar ``<path>.lock`` file:
    the kernel releases it if the holder dies, so a crashed worker cannot block the others. POSIX only.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if sys.platform == "win32":  # pragma: no cover - fcntl does not exist there
            raise K2ConfigError("FileTokenStore needs POSIX file locks; use another TokenStore on Windows")
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def load(self) -> AccessToken | None:
        """Return the stored token; ``None`` when the file is missing or unreadable."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return AccessToken.from_json(text)

    def save(self, token: AccessToken) -> None:
        """Write ``token`` atomically with mode 0600."""
        self._make_directory()
        # mkstemp creates the file with mode 0600, so the token is never readable by others, even briefly.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(token.to_json())
                fh.flush()
                os.fsync(fh.fileno())  # a crash must leave the old token or the new one, not an empty file
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def clear(self, expected: AccessToken | None = None) -> None:
        """Delete the token if it is still ``expected``. Takes :meth:`lock` itself, to compare and delete
        atomically; do not call it while holding the lock (``flock`` is per open file, so that would wait
        on itself)."""
        with self.lock():
            current = self.load()
            if expected is None or (current is not None and current.value == expected.value):
                self.path.unlink(missing_ok=True)

    def lock(self) -> AbstractContextManager[None]:
        """Hold an exclusive ``flock`` on ``<path>.lock``, waiting for other holders."""
        return self._flock()

    @contextlib.contextmanager
    def _flock(self) -> Iterator[None]:
        import fcntl  # POSIX only; imported here so this module still imports on Windows

        self._make_directory()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _make_directory(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


@contextlib.contextmanager
def _holding(lock: threading.Lock) -> Iterator[None]:
    with lock:
        yield


def _number(value: Any) -> float | None:
    """A finite JSON number (or numeric string), else ``None``. Booleans are not numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _epoch(value: Any) -> float | None:
    """Read ``created_at``: epoch seconds (number or digits) or an ISO-8601 string; ``None`` otherwise."""
    number = _number(value)
    if number is not None:
        return number
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # no offset: K2 always sends one, so assume UTC rather than local time
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()
