"""A size limit for webhook bodies, enforced before and while reading, never after buffering everything.

K2's bodies are a few kilobytes. A receiver is a public URL, and the signature can only be checked once the
whole body is in hand, so without a limit anyone could make it buffer an unsigned body of any size (100 MB
grew a receiver by about 190 MB before its 401). The adapters therefore:

* answer 413 at once when ``Content-Length`` announces more than the limit, without reading a byte;
* otherwise read the stream chunk by chunk and stop with 413 as soon as it passes the limit, whether the
  body came chunked or with a ``Content-Length`` that lied: at most ``limit`` bytes plus one chunk are
  ever held.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import Final

from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext.webhooks._signatures import HeaderItems, RawBody

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "aread_limited",
    "checked_limit",
    "declared_length",
    "read_limited",
]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""1 MiB: hundreds of times the largest K2 body, small enough that a flood of them costs little."""

# Header names after lower-casing and "_" -> "-": the real header, and WSGI/Django's META keys.
_LENGTH_NAMES: Final = frozenset({"content-length", "http-content-length"})


def checked_limit(max_body_bytes: object) -> int:
    """``max_body_bytes`` if it is a positive int; K2ConfigError otherwise (checked once, at start-up)."""
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise K2ConfigError(f"max_body_bytes must be a positive int, not {max_body_bytes!r:.40}")
    return max_body_bytes


def declared_length(headers: HeaderItems) -> int | None:
    """The body size ``Content-Length`` announces, or None when absent or unreadable (chunked, garbage).

    ``headers`` may be any request's headers, or Django's ``request.META`` (``CONTENT_LENGTH``).
    """
    for name, value in headers.items():
        if isinstance(name, str) and name.lower().replace("_", "-") in _LENGTH_NAMES:
            text = value.strip() if isinstance(value, str) else ""
            # ASCII digits only: int() would also take "+5", " 5_0" or non-ASCII digits.
            return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None
    return None


def read_limited(chunks: Iterable[RawBody], limit: int) -> bytes | None:
    """Join ``chunks`` into the body, or None as soon as it grows past ``limit`` (the rest stays unread)."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        parts.append(bytes(chunk))
    return b"".join(parts)


async def aread_limited(chunks: AsyncIterable[RawBody], limit: int) -> bytes | None:
    """Async twin of :func:`read_limited` (for ``request.stream()`` in ASGI frameworks)."""
    parts: list[bytes] = []
    size = 0
    iterator = aiter(chunks)
    try:
        async for chunk in iterator:
            size += len(chunk)
            if size > limit:
                return None
            parts.append(bytes(chunk))
    finally:
        # Stopping early leaves an async generator suspended: close it here, on this task, rather than
        # leave it to the garbage collector.
        close = getattr(iterator, "aclose", None)
        if close is not None and size > limit:
            await close()
    return b"".join(parts)
