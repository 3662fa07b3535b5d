"""What the shared stores (file, Redis, PostgreSQL) have in common: safe error text, their optional imports,
and how a token store rides out an outage.

The stores (``_redis_token_store``, ``webhooks._dedup_redis``, ``webhooks._dedup_postgres``) import their
client library only when one is built, so ``import k2connect_ext`` works without the ``redis`` or
``postgres`` extras installed.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Callable
from types import ModuleType

from k2connect_ext._exceptions import K2ConfigError

__all__ = ["Outage", "redact", "require_module"]


# A password can appear in a URL (scheme://user:password@host) or a libpq conninfo (password=...).
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
_CONNINFO_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with the credentials of any URL or conninfo in it replaced by ``***``.

    Client libraries quote the connection string in some of their errors (libpq echoes a malformed
    conninfo whole), so every driver message passes through here before it reaches an error or a log.
    """
    text = _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
    return _CONNINFO_PASSWORD.sub(r"\1***", text)


def require_module(name: str, extra: str) -> ModuleType:
    """Import an optional dependency, or say which extra brings it.

    Raises:
        K2ConfigError: ``name`` is not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        raise K2ConfigError(
            f"this store needs the {name!r} package: pip install 'k2connect-sdk[{extra}]'"
        ) from None


class Outage:
    """Whether a shared token store works, so that a broken one never stops payments.

    After a failure (:meth:`went_down`) the store is *down* for ``retry_after`` seconds: it is not asked at
    all, so a dead store costs no time per request, and the token lives in the process meanwhile. Then it
    is asked again. The outage lasts until the store proves it works (:meth:`came_back`), so a store that
    keeps failing is reported by one warning, not one per retry.

    Args:
        logger: where the warning (and the "works again" note) go.
        what: the store's failure, as the warning starts (``"Redis is unavailable"``).
        back: the note logged when the outage ends.
        retry_after: seconds to leave the store alone after a failure.
        clock: monotonic seconds.
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        what: str,
        back: str,
        retry_after: float,
        clock: Callable[[], float],
    ) -> None:
        self._logger = logger
        self._what = what
        self._back = back
        self._retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._ongoing = False
        self._down_until = float("-inf")

    def is_down(self) -> bool:
        """Whether the store failed less than ``retry_after`` seconds ago."""
        with self._lock:
            return self._clock() < self._down_until

    def went_down(self, exc: BaseException) -> None:
        """The store failed with ``exc``: leave it alone for a while; warn if this starts an outage."""
        with self._lock:
            first = not self._ongoing
            self._ongoing = True
            self._down_until = self._clock() + self._retry_after
        if first:  # one warning per outage, not one per request
            self._logger.warning(
                "%s (%s: %s); K2 tokens are kept per process until it works again",
                self._what,
                type(exc).__name__,
                redact(str(exc)),
            )

    def came_back(self) -> bool:
        """The store worked: end the outage, if there was one (``True`` then)."""
        with self._lock:
            if not self._ongoing:
                return False
            self._ongoing = False
        self._logger.info("%s", self._back)
        return True
