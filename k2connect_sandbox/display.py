"""Values shown to people (console lines, the dashboard): URLs without secrets, short ids, printable text.

Callback URLs come from the sandbox's clients and may carry credentials (``user:password@``) or tokens in
the query string; what is printed or rendered keeps the scheme, host, port and path only, and says a
query was there (``?…``) without showing it. The full URL stays in ``/sandbox/deliveries``.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

__all__ = ["printable", "safe_url", "short_id"]

_SHORT_ID = 8
_MAX_URL = 200


def safe_url(url: str) -> str:
    """``url`` without user:password, query or fragment; a URL that cannot be parsed is not shown."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "(invalid URL)"
    if not parts.scheme or not parts.hostname:
        return "(invalid URL)"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = f"{parts.scheme}://{host}{f':{port}' if port is not None else ''}{parts.path}"
    if len(shown) > _MAX_URL:
        shown = shown[: _MAX_URL - 1] + "…"
    return shown + ("?…" if parts.query else "")


def short_id(value: str | None) -> str:
    """The first characters of an id (a UUID's first group), enough to tell resources apart on screen."""
    return value[:_SHORT_ID] if value else "-"


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (``\\x1b``), so a value cannot drive a terminal.

    Format characters include the bidirectional overrides that would make a line read differently
    from what it holds.
    """
    return "".join(char if unicodedata.category(char) not in ("Cc", "Cf") else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
