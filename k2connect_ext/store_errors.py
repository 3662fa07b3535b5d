"""What the shared stores (Redis, PostgreSQL) have in common: their error, and safe error text.

The stores live in their own modules (:mod:`k2connect_ext.redis_store`, :mod:`k2connect_ext.dedup_redis`,
:mod:`k2connect_ext.dedup_postgres`) and import their client library only when one is built, so
``import k2connect_ext`` works without the ``redis`` or ``postgres`` extras installed.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from k2connect_ext.errors import K2ConfigError, K2Error

__all__ = ["K2StoreUnavailableError", "redact", "require_module"]


class K2StoreUnavailableError(K2Error):
    """A shared store (Redis, PostgreSQL) did not answer, or answered with an error.

    Raised by the deduplicators: a webhook receiver then answers 500, nothing is marked as seen, and K2's
    redelivery is processed once the store is back. The message names the store and the failure, never a
    password or a connection string.
    """


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
