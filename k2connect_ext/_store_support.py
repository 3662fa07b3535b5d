"""What the shared stores (Redis, PostgreSQL) have in common: safe error text and their optional imports.

The stores (``_redis_token_store``, ``webhooks._dedup_redis``, ``webhooks._dedup_postgres``) import their
client library only when one is built, so ``import k2connect_ext`` works without the ``redis`` or
``postgres`` extras installed.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from k2connect_ext._exceptions import K2ConfigError

__all__ = ["redact", "require_module"]


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
