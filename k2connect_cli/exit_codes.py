"""The exit codes of ``k2connect``: one meaning each, so scripts can branch on them."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EXIT_CODES_EPILOG", "ExitCode"]


class ExitCode(IntEnum):
    """What a ``k2connect`` exit status means."""

    OK = 0
    FAILED = 1  # the payment (or other resource) ended failed; the webhook is invalid
    USAGE = 2  # click's usage errors, and inputs the SDK refuses before sending anything
    CONFIG = 3  # missing credentials, an insecure base URL, a port that cannot be bound...
    API = 4  # K2 answered 4xx (bad credentials, validation, not found, rate limited)
    UNAVAILABLE = 5  # no answer to a read, a timeout, or K2 answered 5xx / oddly to a read; a store failed
    AMBIGUOUS = 6  # a POST may have reached K2 and no definite answer came (5xx, cut body...): reconcile
    POLL_TIMEOUT = 7  # the wait deadline passed before the resource was final
    INTERNAL = 70  # a bug in k2connect (set K2CONNECT_DEBUG=1 to see the traceback)
    INTERRUPTED = 130  # Ctrl-C


# "\b" stops click from re-wrapping the paragraph that follows it.
EXIT_CODES_EPILOG = """\b
Exit codes:
  0  ok
  1  payment failed (the resource ended Failed), or the webhook is invalid
  2  usage error, or an input refused before anything was sent
  3  configuration error (credentials, base URL, sandbox port)
  4  K2 refused the request (4xx: credentials, validation, not found, rate limit)
  5  could not reach K2, timed out, or K2 failed on a read (5xx, or an answer the spec
     does not describe)
  6  ambiguous outcome: a POST may have reached K2 and no definite answer came
     (5xx, cut or stalled answer, timeout after sending); reconcile before retrying
  7  the wait timed out before the resource was final
  70 internal error (set K2CONNECT_DEBUG=1 for the traceback)
  130 interrupted (Ctrl-C)

\b
Errors are one line on stderr ("error: ..."); with --json, stdout also gets {"error": {...}}.
Credentials are best passed through K2_CLIENT_ID, K2_CLIENT_SECRET and K2_API_KEY: command
line arguments are visible to other users of the machine."""
