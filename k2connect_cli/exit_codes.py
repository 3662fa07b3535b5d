"""The exit codes of ``k2connect``: one meaning each, so scripts can branch on them.

``MEANINGS`` is the one table of them: ``k2connect --help`` prints it (``EXIT_CODES_EPILOG``); every other
command's help points there (``EXIT_CODES_POINTER``) rather than repeating it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from enum import IntEnum

__all__ = ["EXIT_CODES_EPILOG", "EXIT_CODES_POINTER", "MEANINGS", "ExitCode"]


class ExitCode(IntEnum):
    """What a ``k2connect`` exit status means (``MEANINGS`` says it in words)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    CONFIG = 3
    API = 4
    UNAVAILABLE = 5
    AMBIGUOUS = 6
    POLL_TIMEOUT = 7
    INTERNAL = 70
    INTERRUPTED = 130


MEANINGS: Mapping[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.FAILED: "payment failed (the resource ended Failed), or the webhook is invalid",
    ExitCode.USAGE: "usage error, an input refused before anything was sent, a missing extra, or a port "
    "already in use",
    ExitCode.CONFIG: "configuration error (credentials, base URL, ledger URL)",
    ExitCode.API: "K2 refused the request (4xx: credentials, validation, not found, rate limit)",
    ExitCode.UNAVAILABLE: "could not reach K2 or a store (the ledger), timed out, or K2 failed on a read "
    "(5xx, or an answer the spec does not describe)",
    ExitCode.AMBIGUOUS: "ambiguous outcome: a POST may have reached K2 and no definite answer came (5xx, "
    "cut or stalled answer, timeout after sending); reconcile before retrying",
    ExitCode.POLL_TIMEOUT: "the wait timed out before the resource was final",
    ExitCode.INTERNAL: "internal error (set K2CONNECT_DEBUG=1 for the traceback)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}

_TABLE_WIDTH = 92
_CODE_WIDTH = max(len(str(int(code))) for code in ExitCode)


def _rows() -> str:
    lines: list[str] = []
    for code in ExitCode:
        head = f"  {int(code):<{_CODE_WIDTH}} "
        lines += textwrap.wrap(
            MEANINGS[code],
            width=_TABLE_WIDTH,
            initial_indent=head,
            subsequent_indent=" " * len(head),
            break_on_hyphens=False,
        )
    return "\n".join(lines)


# "\b" stops click from re-wrapping the paragraph that follows it.
EXIT_CODES_EPILOG = f"""\b
Exit codes:
{_rows()}

\b
Errors are one line on stderr ("error: ..."); with --json, stdout also gets {{"error": {{...}}}}.
An option given wins over its environment variable. Credentials are best passed through
K2_CLIENT_ID, K2_CLIENT_SECRET and K2_API_KEY: command line arguments are visible to other
users of the machine."""

EXIT_CODES_POINTER = "Exit codes: see k2connect --help"
"""What every command but ``k2connect`` itself says in its help, instead of repeating the table."""
