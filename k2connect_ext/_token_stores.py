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
import hashlib
import json
import logging
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from k2connect_ext import _call
from k2connect_ext._constants import DEFAULT_TOKEN_LIFETIME_SECONDS
from k2connect_ext._exceptions import K2ConfigError, K2UnexpectedResponseError
from k2connect_ext._store_support import Outage

__all__ = ["WAITING", "AccessToken", "FileTokenStore", "MemoryTokenStore", "TokenStore"]

WAITING = "the K2 access token"  # what a call waits for in the token manager and the stores

_file_logger = logging.getLogger("k2connect.tokens.file")
_LOCK_POLL_SECONDS = 0.02  # between tries of a file lock another process holds (with jitter)
_MAX_TOKEN_FILE_BYTES = 64 * 1024


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

        Args:
            now: the time to judge at, in epoch seconds.
            skew: how many seconds before expiry a token counts as stale.

        Returns:
            True while the token outlives the margin.
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

        Args:
            body: the token response's parsed JSON.
            now: when the body was received, in epoch seconds.
            status_code: the response's status, for the error's ``status_code``.

        Returns:
            The token.

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
        """Serialise for a :class:`TokenStore`.

        Returns:
            The token as JSON text; it contains the secret token, so store it where only you can read it.
        """
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> AccessToken | None:
        """Read what :meth:`to_json` wrote.

        Args:
            text: the stored text.

        Returns:
            The token, or None for anything else: a corrupt entry means "no token".
        """
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
        """Return the stored token, or ``None``.

        Returns:
            The token, or None when the store holds none.
        """
        ...

    def save(self, token: AccessToken) -> None:
        """Store ``token``, replacing any other.

        Args:
            token: the token to keep.
        """
        ...

    def clear(self, expected: AccessToken | None = None) -> None:
        """Remove the token if it is still ``expected``: a compare-and-delete (see the class).

        Args:
            expected: the token that failed; the stored one is removed only if it has the same ``value``.
                None removes whatever is stored.
        """
        ...

    def lock(self) -> AbstractContextManager[None]:
        """The store's fetch lock: one holder at a time, across everything sharing the store.

        Returns:
            A context manager that holds the lock for the duration of its ``with`` block.
        """
        ...


class MemoryTokenStore:
    """A token shared by the threads of one process: what a client uses without a ``token_store``."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None
        self._data_lock = threading.Lock()
        # Separate from the data lock: fetching under lock() must not block load() in other threads.
        self._fetch_lock = threading.Lock()

    def load(self) -> AccessToken | None:
        """Return the stored token, or ``None``.

        Returns:
            The token, or None when the store holds none.
        """
        with self._data_lock:
            return self._token

    def save(self, token: AccessToken) -> None:
        """Store ``token``, replacing any other.

        Args:
            token: the token to keep.
        """
        with self._data_lock:
            self._token = token

    def clear(self, expected: AccessToken | None = None) -> None:
        """Remove the token if it is still ``expected``.

        Args:
            expected: the token that failed; the stored one is removed only if it has the same ``value``.
                None removes whatever is stored.
        """
        with self._data_lock:
            if expected is None or (self._token is not None and self._token.value == expected.value):
                self._token = None

    def lock(self) -> AbstractContextManager[None]:
        """The fetch lock, waited for no longer than the current call has left.

        A plain ``Lock``: the async manager may release it from another thread.

        Returns:
            A context manager that holds the lock for the duration of its ``with`` block.

        Raises:
            K2TimeoutError: the current call's deadline passed while waiting.
        """
        return _call.holding(self._fetch_lock, WAITING)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None})"


class FileTokenStore:
    """One token shared by the processes of one machine, in a JSON file readable by its owner only.

    Writes are atomic (a temporary file created with mode 0600 in the same directory, then ``os.replace``),
    so readers never see half a token and need no lock. Fetching is serialised with ``flock`` on a sidecar
    ``<path>.lock`` file (mode 0600 too): the kernel releases it if the holder dies, so a crashed worker
    cannot block the others. The lock is polled, never waited on blindly: a wait ends at the deadline of the
    call it serves (:class:`~k2connect_ext.K2TimeoutError`), and outside a call after ``lock_wait`` seconds,
    when the token is fetched without the lock (a warning says so). POSIX only.

    A file that cannot be used (a directory in its place, no permission to read or write it, a full disk)
    never stops payments: the store logs one warning (logger ``k2connect.tokens.file``), keeps the token in
    this process, and tries the file again ``retry_after`` seconds later; the outage ends when a token is
    read from or written to the file again. A file that holds no token (corrupt, or not ours) is
    reported once and replaced by the next token fetched.

    Args:
        path: the token file; its directory is created (mode 0700) when missing.
        lock_wait: seconds to wait for the lock outside a call before fetching without it.
        retry_after: seconds to keep the token in this process after the file failed, before trying it again.

    Raises:
        K2ConfigError: a setting is out of range.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, lock_wait: float = 60.0, retry_after: float = 5.0
    ) -> None:
        if sys.platform == "win32":  # pragma: no cover - fcntl does not exist there
            raise K2ConfigError("FileTokenStore needs POSIX file locks; use another TokenStore on Windows")
        if not (0 <= lock_wait < math.inf and 0 <= retry_after < math.inf):
            raise K2ConfigError("FileTokenStore's lock_wait and retry_after must be finite and not negative")
        if "\0" in os.fspath(path):  # no file can have it: refused now rather than at every payment
            raise K2ConfigError("FileTokenStore's path contains a NUL character")
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_wait = lock_wait
        self._fallback = MemoryTokenStore()
        self._outage = Outage(
            _file_logger,
            what=f"the K2 token file {str(self.path)!r} cannot be used",
            back=f"the K2 token file {str(self.path)!r} works again; the token is shared through it again",
            retry_after=retry_after,
            clock=time.monotonic,
        )
        self._reported: str | None = None  # digest of the unusable contents last reported, to report once

    def load(self) -> AccessToken | None:
        """Read the token from the file (this process's own while the file fails).

        Returns:
            The token, or None when there is none (or the file holds no token of ours).
        """
        if self._outage.is_down():
            return self._fallback.load()
        try:
            text = self._read()
        except FileNotFoundError:
            return self._fallback.load()  # holds a token only during an outage
        except OSError as exc:
            self._outage.went_down(exc)
            return self._fallback.load()
        token = AccessToken.from_json(text)
        if token is None:
            self._report_unusable(text)
            return self._fallback.load()
        self._back()
        return token

    def save(self, token: AccessToken) -> None:
        """Write ``token`` to the file atomically, with mode 0600 (in this process only while the file fails).

        Args:
            token: the token to keep.
        """
        if not self._outage.is_down():
            try:
                self._write(token)
            except OSError as exc:
                self._outage.went_down(exc)
            else:
                self._back()
                return
        self._fallback.save(token)

    def clear(self, expected: AccessToken | None = None) -> None:
        """Delete the token if it is still ``expected``.

        Takes :meth:`lock` itself, to compare and delete atomically; do not call it while holding the lock
        (``flock`` is per open file, so that would wait on itself).

        Args:
            expected: the token that failed; the stored one is removed only if it has the same ``value``.
                None removes whatever is stored.
        """
        self._fallback.clear(expected)
        if self._outage.is_down():
            return
        with self.lock():
            try:
                current = AccessToken.from_json(self._read())
                if expected is None or (current is not None and current.value == expected.value):
                    self.path.unlink()
            except FileNotFoundError:
                return
            except OSError as exc:
                self._outage.went_down(exc)

    def lock(self) -> AbstractContextManager[None]:
        """An exclusive ``flock`` on ``<path>.lock``, shared by every process of the machine (see the class).

        Returns:
            A context manager that holds the lock for the duration of its ``with`` block.

        Raises:
            K2TimeoutError: the current call's deadline passed while waiting.
        """
        return self._locked()

    # ------------------------------------------------------------------------------------- internals
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = self._open_lock_file() if not self._outage.is_down() else None
        if fd is None:  # the file fails: this process's lock only
            with self._fallback.lock():
                yield
            return
        try:
            held = self._flock(fd)
            try:
                yield
            finally:
                if held:
                    self._unflock(fd)
        finally:
            os.close(fd)

    def _open_lock_file(self) -> int | None:
        try:
            self._make_directory()
            return os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            self._outage.went_down(exc)
            return None

    def _flock(self, fd: int) -> bool:
        """Take the lock on ``fd``, polling; ``False`` when ``lock_wait`` ran out (or ``flock`` fails).

        Raises:
            K2TimeoutError: the current call's deadline passed first.
        """
        import fcntl  # POSIX only; imported here so this module still imports on Windows

        give_up = time.monotonic() + self._lock_wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:  # another process holds it
                pass
            except OSError as exc:  # no locks on this filesystem, say
                self._outage.went_down(exc)
                return False
            _call.time_left(WAITING)
            now = time.monotonic()
            if now >= give_up:
                _file_logger.warning(
                    "waited %.1f s for the K2 token file lock %r; fetching a token without it",
                    self._lock_wait,
                    str(self.lock_path),
                )
                return False
            time.sleep(_call.capped(min(_LOCK_POLL_SECONDS * random.uniform(0.5, 1.5), give_up - now)))

    def _unflock(self, fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)

    def _read(self) -> bytes:
        # O_NONBLOCK: a FIFO put in its place must not block the call (it reads as empty, so as garbage).
        fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            return fh.read(_MAX_TOKEN_FILE_BYTES)  # more than a token: read as garbage, not into memory

    def _write(self, token: AccessToken) -> None:
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

    def _make_directory(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _report_unusable(self, text: bytes) -> None:
        digest = hashlib.sha256(text).hexdigest()
        if digest != self._reported:  # once per contents: the load under the lock reads them again
            self._reported = digest
            _file_logger.warning(
                "the K2 token file %r holds no usable token (%d bytes); the next token fetched replaces it",
                str(self.path),
                len(text),
            )

    def _back(self) -> None:
        if self._outage.came_back():
            self._fallback.clear()  # the file holds the token again

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


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
