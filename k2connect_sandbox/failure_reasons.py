"""Why a delivery attempt got no answer, in the few words a developer looks for (console and dashboard).

httpx wraps what happened several times over (``ConnectError: All connection attempts failed`` around an
``OSError`` around the ``ConnectionRefusedError``), so the cause is found by walking the exception's
chain, exception groups included. The words never quote the exception's message where it could carry
the URL (and with it a query secret); the delivery record keeps the raw text for whoever needs it.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

import httpx

__all__ = ["reason_for", "seconds"]


def seconds(value: float) -> str:
    """``5 s``, ``0.2 s``: a duration as people write it."""
    return f"{value:g} s"


def reason_for(exc: BaseException, timeout: float) -> str:
    """A short reason for ``exc`` raised by an attempt whose timeout was ``timeout`` seconds."""
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(exc, timeout)
    causes = list(_chain(exc))
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {cause.verify_message or 'certificate verify failed'}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or type(cause).__name__}"
    for cause in causes:
        found = _socket_reason(cause, timeout)
        if found is not None:
            return found
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed without a response"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return "invalid URL"
    if isinstance(exc, httpx.TransportError):
        return f"connection failed ({type(exc).__name__})"
    return f"failed inside the sandbox ({type(exc).__name__})"


def _timeout(exc: httpx.TimeoutException, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {seconds(timeout)}"
    if isinstance(exc, httpx.PoolTimeout):
        return f"timeout after {seconds(timeout)} waiting for a free connection"
    if isinstance(exc, httpx.WriteTimeout):
        return f"timeout after {seconds(timeout)} sending the body"
    return f"timeout after {seconds(timeout)} (no response)"


def _socket_reason(cause: BaseException, timeout: float) -> str | None:
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, ConnectionResetError):
        return "connection reset by the receiver"
    if isinstance(cause, socket.gaierror):
        return "host name not found (DNS)"
    if isinstance(cause, TimeoutError):
        return f"timeout after {seconds(timeout)}"
    if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "host unreachable"
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the members of any exception group among them, once each."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
