"""k2connect_cli: the ``k2connect`` command line, built with click on the ``k2connect_ext`` SDK.

Commands::

    k2connect token [--show-token]
    k2connect stk-push --phone P --amount A --till T --callback-url U [--metadata K=V]... [--wait]
    k2connect send-money --callback-url U [--to-phone P --amount A --description D]
                         [--destinations-json FILE|-] [--sweep] [--wait]
    k2connect status LOCATION
    k2connect wait LOCATION [--timeout S]
    k2connect subscribe --event-type E --url U [--scope till --scope-reference T] [--daraja]
    k2connect webhook verify --signature S [--api-key K] < body
    k2connect sandbox serve [--host H --port P --callback-delay S ...]
    k2connect sandbox simulate buygoods|reversal|b2b|m2m|settlement|card|pay-link ...
    k2connect payouts run PAYOUTS.CSV --callback-url U [--ledger URL] [--horizon S] [--report OUT.CSV]
                          [--concurrency N]
    k2connect intents list [--state STATE]... [--ledger URL]
    k2connect intents show KEY [--ledger URL]
    k2connect intents resolve KEY --sent|--not-sent --note TEXT [--ledger URL]
    k2connect intents reconcile [--horizon S] [--ledger URL]

The payment-intent commands (``payouts``, ``intents``) record every payout in a ledger (``--ledger``, or
``K2_LEDGER``; default ``sqlite:///k2connect-intents.db`` in the current directory) before sending it, so
running ``payouts run`` again after a crash, a kill or Ctrl-C sends nothing twice. ``payouts run``'s own
exit codes (0 all sent, 1 failed or refused, 6 ambiguous or unresolved, 130 stopped...) are in its
``--help``.

Global options (before the command): ``--base-url``, ``--client-id``, ``--client-secret``, ``--api-key``
(default from ``K2_BASE_URL``, ``K2_CLIENT_ID``, ``K2_CLIENT_SECRET``, ``K2_API_KEY``), ``--json``,
``--retries``, ``--http-timeout``. ``--json`` is also accepted after any command. ``--callback-url`` defaults
to ``K2_CALLBACK_URL`` (``stk-push``, ``send-money``, ``payouts run``), ``--ledger`` to ``K2_LEDGER``.
Everywhere, an option given on the command line wins over its variable.

Output: aligned ``key: value`` lines (and a small table where there is a list) for people; with ``--json``,
exactly one JSON object on stdout. Progress of a wait goes to stderr (a spinner on a terminal, one plain line
otherwise). Lines and tables are drawn with rich: bold headings and colours only on a terminal (not under
``NO_COLOR``, nor with ``TERM=dumb``); a pipe or a file gets plain text, never wrapped. Errors are one
``error: ...`` line on stderr, never a traceback, never a secret, token or signature; with ``--json`` stdout
also gets ``{"error": {"code", "message", ...}}``.

Exit codes: ``k2connect --help`` prints their table, from ``k2connect_cli.exit_codes.MEANINGS`` (the one
place it is written); every other command's help points there.

Each SDK error has its own row in ``k2connect_cli.failures.ERROR_TABLE``; an error exits with the code of
its most specific class:

====  =====================================================================================
1     K2PaymentFailedError, K2WebhookError, WebhookSignatureError, WebhookPayloadError
2     K2InputError, K2IntentConflictError
3     K2ConfigError
4     K2APIError, K2AuthError, K2ValidationError, K2NotFoundError, K2RateLimitError
5     K2ConnectionError, K2TimeoutError, K2ServerError, K2UnexpectedResponseError, K2PollError,
      K2StoreUnavailableError
6     K2AmbiguousOutcomeError
7     K2PollTimeoutError
70    K2Error (an SDK error no other row places)
====  =====================================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exit_codes import ExitCode

if TYPE_CHECKING:
    from .app import cli

__all__ = ["ExitCode", "cli"]


def __getattr__(name: str) -> object:
    # ``cli`` is loaded on first use, not with the package: the console scripts' entry point
    # (``k2connect_cli._entry``) must import without click and rich, to say which extra is missing.
    if name == "cli":
        from .app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
